// startViewer()'s options, declared once: the viewer's types and checks (server.ts), the `view` command's flags and
// its help all come from this table.
import { declareOptions } from '../options/option.js';

export const VIEWER_OPTIONS = declareOptions({
  /** The export folder (the command's EXPORT_DIR argument). */
  from: { kind: 'path', required: true, help: 'the export folder' },
  /** Port on 127.0.0.1 (0: a free one). */
  port: {
    kind: 'integer',
    min: 0,
    max: 65_535,
    default: 0,
    flag: 'port',
    value: 'N',
    help: 'port on 127.0.0.1 (0: a free one)',
  },
});
