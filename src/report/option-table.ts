// buildReport()'s options, declared once: the library's types, defaults and checks (report.ts, flags.ts), the
// `report` command's flags and its help all come from these tables (and view-options.ts).
import { EXPORT_OPTIONS } from '../export/option-table.js';
import { declareOptions } from '../options/option.js';

export const REPORT_OPTIONS = declareOptions({
  /** The export folder. */
  from: { kind: 'path', required: true, flag: 'from', value: 'EXPORT_DIR', help: 'the export folder' },
  /** The report's folder: missing, empty, or a report written here before (then replaced). */
  out: { kind: 'path', required: true, flag: 'out', value: 'DIR', help: "the report's folder" },
  /** An older export of the same batch to compare with. */
  against: {
    kind: 'path',
    flag: 'against',
    value: 'OLD_EXPORT_DIR',
    help: 'an older export of the batch to compare with',
  },
  /** Render threads, 1 to MAX_THREADS (default: one per CPU). */
  threads: { ...EXPORT_OPTIONS.threads, short: undefined, help: 'render threads' },
});

/** `options.thresholds`: when a frame is flagged. */
export const THRESHOLD_OPTIONS = declareOptions(
  {
    /** A frame whose share of class-0 points is at least this (0..1). */
    unlabelledShare: {
      kind: 'number',
      min: 0,
      max: 1,
      default: 0.5,
      flag: 'unlabelled-share',
      value: 'R',
      help: 'flag frames whose share of unlabelled points is at least R',
    },
    /** A class with fewer points than this in the whole batch (but some): every frame holding it. */
    rareClassPoints: {
      kind: 'integer',
      min: 0,
      default: 100,
      flag: 'rare-class-points',
      value: 'N',
      help: 'flag frames holding a class with fewer than N points in the batch',
    },
    /** A frame with points farther than this from the sensor, in metres. */
    farMetres: {
      kind: 'number',
      min: 0,
      aboveMin: true,
      default: 100,
      flag: 'far-m',
      value: 'M',
      help: 'flag frames with points farther than M metres from the sensor',
    },
  },
  'thresholds',
);
