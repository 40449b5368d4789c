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

/**
 * The default thread count's cap: a Parquet thread holds a row group (about 300 MB at 16 frames of 100,000 points),
 * a nuScenes thread three frames.
 */
export const MAX_DEFAULT_THREADS = 4;

/**
 * Threads converting frames, one task (a Parquet file, a run of nuScenes frames) each at a time; default: one per
 * CPU, at most MAX_DEFAULT_THREADS. nuscenes and parquet take it.
 */
const THREADS = {
  ...EXPORT_OPTIONS.threads,
  short: undefined,
  shownDefault: `one per CPU, at most ${MAX_DEFAULT_THREADS}`,
  help: 'nuscenes, parquet: converting threads (one file or run of frames each)',
} as const;

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
  threads: THREADS,
});

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
  threads: THREADS,
});
