// exportBatch() options: validated up front, defaults frozen, one message shape for every mistake.
import { InvalidArgumentError } from '../errors.js';
import type { PlaymentClient } from '../api/index.js';
import { MAX_THREADS, type MaskDecoderPool } from '../pool/index.js';
import { checkClassTable, type ClassEntry, type UnknownClasses } from './classes.js';
import { EXPORT_FORMATS, type ExportFormat } from '../formats/index.js';
import { LABEL_MODES, type LabelMode } from './legend.js';
import type { ExportProgress } from './progress.js';
import { statusKey } from './statuses.js';

export interface ExportOptions {
  /** The API client (its retries, rate limit and timeouts apply to every request of the export). */
  client: PlaymentClient;
  projectId: string;
  batchId: string;
  /** Output folder, created if missing. A rerun into the same folder resumes. */
  outDir: string;
  /** Label file format: `npy` (default), `bin` (raw uint16 LE) or `kitti` (SemanticKITTI .label). */
  format?: ExportFormat;
  /**
   * Also fetch each mask's frame point cloud (its lidar's `data_url`), check that it has the mask's number of points
   * (a mismatch fails the job) and write the points next to the labels. Default false.
   */
  withPoints?: boolean;
  /** What label files hold: `class` ids of classes.json (default) or the job's `raw` label keys. */
  labels?: LabelMode;
  /** Also write each point's instance id (from the annotations' track_id; see instances.ts). Default false. */
  instances?: boolean;
  /** The class table to use (classes.json's shape); default: ids assigned from the classes found. */
  classes?: readonly ClassEntry[];
  /** A class missing from `classes`: `fail` the job with UNKNOWN_CLASS (default) or `ignore` it (id 0). */
  unknownClasses?: UnknownClasses;
  /**
   * Job statuses to export, or 'all'. Default ['completed']; jobs listed with another status are skipped (a job listed
   * without one is fetched: its result tells). Compared after trimming, in any letter case, `complete` meaning
   * `completed` (the vendor spells it `completed`, `COMPLETED` and `Complete`).
   */
  statuses?: readonly string[] | 'all';
  /** Fetch the result object of every job complete from an earlier run, and export again those that changed. */
  refresh?: boolean;
  /**
   * A job where no point has a class (every key unnamed) fails with NO_LABELS. Default false: it is exported and
   * counted in summary.json's `jobs.without_labels`.
   */
  requireLabels?: boolean;
  /** Masks in flight at once (download, decode and write), and jobs in flight: 1 to MAX_CONCURRENCY. Default 32. */
  concurrency?: number;
  /** An existing pool to decode with (left open). Without it the export runs and closes its own. */
  pool?: MaskDecoderPool;
  /**
   * Worker threads of the export's own pool, 1 to MAX_THREADS; default: the machine's available parallelism. Not with
   * `pool`.
   */
  threads?: number;
  /**
   * Bytes of response bodies (result objects, masks, point clouds, raw and decoded) held at once across the export,
   * counted as they arrive: requests wait for room, so memory follows the bytes in flight rather than the number of
   * requests. The oldest piece of work in flight may go over it by its own size. Default 128 MiB.
   */
  maxBytesInFlight?: number;
  /** Largest result object accepted, raw and decoded: a larger one fails its job (RESPONSE_TOO_LARGE). 64 MiB. */
  maxResultBytes?: number;
  /** Largest mask file accepted, raw and decoded (RESPONSE_TOO_LARGE). Default 64 MiB. */
  maxMaskBytes?: number;
  /** Largest point cloud accepted with `withPoints`, raw and decoded (RESPONSE_TOO_LARGE). Default 128 MiB. */
  maxPointCloudBytes?: number;
  /** Called after every change of the counters. */
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
}

const MiB = 1024 * 1024;

export const EXPORT_DEFAULTS = Object.freeze({
  format: 'npy' as ExportFormat,
  labels: 'class' as LabelMode,
  statuses: Object.freeze(['completed']) as readonly string[],
  concurrency: 32,
  maxBytesInFlight: 128 * MiB,
  maxResultBytes: 64 * MiB,
  maxMaskBytes: 64 * MiB,
  maxPointCloudBytes: 128 * MiB,
});

const SIZE_OPTIONS = ['maxBytesInFlight', 'maxResultBytes', 'maxMaskBytes', 'maxPointCloudBytes'] as const;

export const MAX_CONCURRENCY = 1024;

export interface ResolvedExportOptions {
  client: PlaymentClient;
  projectId: string;
  batchId: string;
  outDir: string;
  format: ExportFormat;
  withPoints: boolean;
  labels: LabelMode;
  instances: boolean;
  classes: ClassEntry[] | undefined;
  unknownClasses: UnknownClasses;
  /** Requested statuses by statusKey(), with the spelling given; undefined: every status. */
  statuses: ReadonlyMap<string, string> | undefined;
  refresh: boolean;
  requireLabels: boolean;
  concurrency: number;
  maxBytesInFlight: number;
  maxResultBytes: number;
  maxMaskBytes: number;
  maxPointCloudBytes: number;
  pool: MaskDecoderPool | undefined;
  threads: number | undefined;
  onProgress: ((progress: ExportProgress) => void) | undefined;
  signal: AbortSignal | undefined;
}

export function resolveExportOptions(options: ExportOptions): ResolvedExportOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { client, projectId, batchId, outDir, pool, threads, onProgress, signal } = options;
  const format = options.format ?? EXPORT_DEFAULTS.format;
  const concurrency = options.concurrency ?? EXPORT_DEFAULTS.concurrency;
  if (!hasMethods(client, ['batchJobs', 'jobResult', 'attachment']) || typeof client.stats !== 'object') {
    throw new InvalidArgumentError('options.client must be a PlaymentClient');
  }
  for (const [name, value] of [
    ['projectId', projectId],
    ['batchId', batchId],
    ['outDir', outDir],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidArgumentError(`options.${name} must be a non-empty string`);
    }
  }
  if (!EXPORT_FORMATS.includes(format)) {
    throw new InvalidArgumentError(`options.format must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  checkCount('concurrency', concurrency, MAX_CONCURRENCY);
  const withPoints = options.withPoints ?? false;
  const instances = options.instances ?? false;
  const refresh = options.refresh ?? false;
  const requireLabels = options.requireLabels ?? false;
  for (const [name, value] of [
    ['withPoints', withPoints],
    ['instances', instances],
    ['refresh', refresh],
    ['requireLabels', requireLabels],
  ] as const) {
    if (typeof value !== 'boolean') throw new InvalidArgumentError(`options.${name} must be a boolean`);
  }
  const labels = options.labels ?? EXPORT_DEFAULTS.labels;
  if (!LABEL_MODES.includes(labels))
    throw new InvalidArgumentError(`options.labels must be one of ${LABEL_MODES.join(', ')}`);
  const unknownClasses = options.unknownClasses ?? 'fail';
  if (unknownClasses !== 'fail' && unknownClasses !== 'ignore') {
    throw new InvalidArgumentError('options.unknownClasses must be one of fail, ignore');
  }
  const classes =
    options.classes === undefined ? undefined : checkClassTable({ classes: options.classes }, 'options.classes');
  const statusList = options.statuses ?? EXPORT_DEFAULTS.statuses;
  if (
    statusList !== 'all' &&
    !(Array.isArray(statusList) && statusList.length > 0 && statusList.every((status) => typeof status === 'string'))
  ) {
    throw new InvalidArgumentError("options.statuses must be 'all' or a non-empty array of strings");
  }
  const statuses =
    statusList === 'all'
      ? undefined
      : new Map((statusList as readonly string[]).map((status) => [statusKey(status), status] as const));
  if (pool !== undefined && !hasMethods(pool, ['decode'])) {
    throw new InvalidArgumentError('options.pool must be a MaskDecoderPool');
  }
  if (threads !== undefined) {
    if (pool !== undefined) throw new InvalidArgumentError('options.threads must not be set with options.pool');
    checkCount('threads', threads, MAX_THREADS);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError('options.onProgress must be a function');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('options.signal must be an AbortSignal');
  }
  const [maxBytesInFlight, maxResultBytes, maxMaskBytes, maxPointCloudBytes] = SIZE_OPTIONS.map((name) => {
    const value = options[name] ?? EXPORT_DEFAULTS[name];
    if (!(Number.isSafeInteger(value) && value >= 1)) {
      throw new InvalidArgumentError(`options.${name} must be a positive integer (bytes)`);
    }
    return value;
  }) as [number, number, number, number];
  return {
    client,
    projectId,
    batchId,
    outDir,
    format,
    withPoints,
    labels,
    instances,
    classes,
    unknownClasses,
    statuses,
    refresh,
    requireLabels,
    concurrency,
    maxBytesInFlight,
    maxResultBytes,
    maxMaskBytes,
    maxPointCloudBytes,
    pool,
    threads,
    onProgress,
    signal,
  };
}

function checkCount(name: string, value: unknown, max: number): void {
  if (!(Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max)) {
    throw new InvalidArgumentError(`options.${name} must be an integer from 1 to ${max}`);
  }
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}
