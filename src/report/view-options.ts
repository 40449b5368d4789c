// The bird's-eye views' options, declared once (apart from option-table.ts, whose threads option brings the export's
// modules: the render threads and the benchmarks load this one alone).
import { declareOptions, defaultsOf } from '../options/option.js';

/** `options.view`: the bird's-eye views' geometry. */
export const VIEW_OPTIONS = declareOptions(
  {
    metresPerPixel: {
      kind: 'number',
      min: 0,
      aboveMin: true,
      max: 100,
      default: 0.1,
      flag: 'metres-per-pixel',
      value: 'M',
      help: "scale of the bird's-eye views",
    },
    /** Width and height in pixels. */
    size: {
      kind: 'integer',
      min: 64,
      max: 4096,
      default: 640,
      flag: 'view-size',
      value: 'PX',
      help: "width and height of the bird's-eye views, in pixels",
    },
  },
  'view',
);

export const VIEW_DEFAULTS = defaultsOf(VIEW_OPTIONS);
