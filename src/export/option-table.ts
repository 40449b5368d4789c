// exportBatch()'s plain options, declared once: the library's types and checks (options.ts), the `export` command's
// flags and its help all come from this table.
import { EXPORT_FORMATS, FORMATS } from '../formats/index.js';
import { declareOptions } from '../options/option.js';
import { MAX_THREADS } from '../pool/max-threads.js';

export const MAX_CONCURRENCY = 1024;

/** What label files hold: class ids (default) or the job's raw label keys. */
export type LabelMode = 'class' | 'raw';
export const LABEL_MODES: readonly LabelMode[] = Object.freeze(['class', 'raw']);

const MiB = 2 ** 20;

/** A byte limit, set in MiB on the command line. */
const bytes = (flag: string, defaultBytes: number, help: string) =>
  ({ kind: 'integer', min: 1, default: defaultBytes, flag, value: 'MIB', scale: MiB, help }) as const;

export const EXPORT_OPTIONS = declareOptions({
  projectId: { kind: 'text', required: true, flag: 'project', short: 'p', value: 'P', help: 'project id' },
  batchId: { kind: 'text', required: true, flag: 'batch', short: 'b', value: 'B', help: 'batch id' },
  /** Output folder, created if missing. A rerun into the same folder resumes. */
  outDir: {
    kind: 'path',
    required: true,
    flag: 'out',
    short: 'o',
    value: 'DIR',
    help: 'output folder (created if missing)',
  },
  /** Label file format: `npy` (default), `bin` (raw uint16 LE) or `kitti` (SemanticKITTI .label). */
  format: {
    kind: 'choice',
    choices: EXPORT_FORMATS,
    default: 'npy',
    flag: 'format',
    short: 'f',
    value: 'F',
    help: `label files: ${EXPORT_FORMATS.map((name) => `${name} (${FORMATS[name].labelHelp})`).join(', ')}`,
  },
  /**
   * Also fetch each mask's frame point cloud (its lidar's `data_url`), check that it has the mask's number of points
   * (a mismatch fails the job) and write the points next to the labels. Default false.
   */
  withPoints: {
    kind: 'flag',
    default: false,
    flag: 'with-points',
    help:
      "also fetch each frame's lidar PCD, check its point count against the mask, and write the points next to the " +
      `labels: ${EXPORT_FORMATS.map((name) => `${name} ${FORMATS[name].pointsHelp}`).join(', ')}`,
  },
  /** What label files hold: `class` ids of classes.json (default) or the job's `raw` label keys. */
  labels: {
    kind: 'choice',
    choices: LABEL_MODES,
    default: 'class',
    flag: 'labels',
    value: 'L',
    help: "what label files hold: class ids of classes.json, or the job's raw label keys",
  },
  /** Also write each point's instance id (from the annotations' track_id; see instances.ts). Default false. */
  instances: {
    kind: 'flag',
    default: false,
    flag: 'instances',
    help:
      'also write instance ids (one per track, 1.. per job, 0 no object): kitti in the high 16 bits of each ' +
      'label, npy and bin in .instances.npy / .instances.bin',
  },
  /** A class missing from `classes`: `fail` the job with UNKNOWN_CLASS (default) or `ignore` it (id 0). */
  unknownClasses: {
    kind: 'choice',
    choices: ['fail', 'ignore'],
    default: 'fail',
    flag: 'unknown-classes',
    value: 'W',
    help: 'a class missing from --classes FILE fails its job (UNKNOWN_CLASS), or gets id 0 (ignore)',
  },
  /**
   * A job where no point has a class (every key unnamed) fails with NO_LABELS. Default false: it is exported and
   * counted in summary.json's `jobs.without_labels`.
   */
  requireLabels: {
    kind: 'flag',
    default: false,
    flag: 'require-labels',
    help: 'a job where no point has a class (every label_key unnamed) fails with NO_LABELS instead of a warning',
  },
  /** Fetch the result object of every job complete from an earlier run, and export again those that changed. */
  refresh: {
    kind: 'flag',
    default: false,
    flag: 'refresh',
    help: 'fetch the result object of complete jobs again and export again those that changed',
  },
  /** Masks in flight at once (download, decode and write), and jobs in flight: 1 to MAX_CONCURRENCY. Default 32. */
  concurrency: {
    kind: 'integer',
    min: 1,
    max: MAX_CONCURRENCY,
    default: 32,
    flag: 'concurrency',
    value: 'N',
    help: 'masks in flight at once',
  },
  /**
   * Worker threads of the export's own pool, 1 to MAX_THREADS; default: the machine's available parallelism. Not with
   * `pool`.
   */
  threads: {
    kind: 'integer',
    min: 1,
    max: MAX_THREADS,
    shownDefault: 'one per CPU',
    flag: 'threads',
    short: 'j',
    value: 'N',
    help: 'decoding threads',
  },
  /**
   * Bytes of response bodies (result objects, masks, point clouds, raw and decoded) held at once across the export,
   * counted as they arrive: requests wait for room, so memory follows the bytes in flight rather than the number of
   * requests. The oldest piece of work in flight may go over it by its own size. Default 128 MiB.
   */
  maxBytesInFlight: bytes(
    'max-in-flight-mib',
    128 * MiB,
    'response bodies held in memory at once, raw and decoded (requests wait for room)',
  ),
  /** Largest result object accepted, raw and decoded: a larger one fails its job (RESPONSE_TOO_LARGE). 64 MiB. */
  maxResultBytes: bytes('max-result-mib', 64 * MiB, 'largest result object; a larger one fails its job'),
  /** Largest mask file accepted, raw and decoded (RESPONSE_TOO_LARGE). Default 64 MiB. */
  maxMaskBytes: bytes('max-mask-mib', 64 * MiB, 'largest mask file, once decoded'),
  /** Largest point cloud accepted with `withPoints`, raw and decoded (RESPONSE_TOO_LARGE). Default 128 MiB. */
  maxPointCloudBytes: bytes('max-point-cloud-mib', 128 * MiB, 'largest point cloud (--with-points)'),
});
