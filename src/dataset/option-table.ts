// The dataset builders' options, declared once: the builders' types and checks, the `dataset` command's flags (by
// layout) and its help all come from these tables.
import { EXPORT_OPTIONS } from '../export/option-table.js';
import { declareOptions } from '../options/option.js';

/** What every builder takes. */
export const DATASET_OPTIONS = declareOptions({
  /** The export folder. */
  from: { kind: 'path', required: true, flag: 'from', value: 'EXPORT_DIR', help: 'the export folder' },
  /** The tree's folder: missing, empty, or a tree built here before (then rebuilt). */
  out: { kind: 'path', required: true, flag: 'out', short: 'o', value: 'DIR', help: "the tree's folder" },
});

/** A folder name, one level: no separator, not `.` or `..`. */
function folderNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..'
    ? undefined
    : 'must be a folder name ([A-Za-z0-9._-])';
}

export const NUSCENES_OPTIONS = declareOptions({
  /** The version folder under `out` (the devkit's `version`). */
  version: {
    kind: 'text',
    default: 'v1.0-playment',
    check: folderNameProblem,
    flag: 'version',
    value: 'NAME',
    help: 'nuscenes: the version folder',
  },
});

/** The default thread count's cap: each thread holds a row group (about 250 MB at 16 frames of 100,000 points). */
export const MAX_PARQUET_THREADS = 4;

export const PARQUET_OPTIONS = declareOptions({
  /** Rows (frames) per file, each file one row group. */
  rowsPerFile: {
    kind: 'integer',
    min: 1,
    default: 16,
    flag: 'rows-per-file',
    value: 'N',
    help: 'parquet: frames per file (each file is one row group)',
  },
  /**
   * Encoding threads, each building one file at a time (its memory is one row group's); default: one per CPU, at most
   * MAX_PARQUET_THREADS.
   */
  threads: {
    ...EXPORT_OPTIONS.threads,
    short: undefined,
    shownDefault: `one per CPU, at most ${MAX_PARQUET_THREADS}`,
    help: 'parquet: encoding threads (files built at once)',
  },
});
