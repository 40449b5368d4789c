// exportBatch() options: the plain ones declared in option-table.ts, checked by the options' one validator; the
// objects and callbacks checked here. Validated up front, defaults frozen, one message shape for every mistake.
import { InvalidArgumentError } from '../errors.js';
import type { PlaymentClient } from '../api/index.js';
import type { MaskDecoderPool } from '../pool/index.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues, ResolvedValues } from '../options/option.js';
import { checkClassTable, type ClassEntry } from './classes.js';
import { EXPORT_OPTIONS, MAX_CONCURRENCY } from './option-table.js';
import type { ExportProgress } from './progress.js';
import { statusKey } from './statuses.js';

export { MAX_CONCURRENCY };

export interface ExportOptions extends OptionValues<typeof EXPORT_OPTIONS> {
  /** The API client (its retries, rate limit and timeouts apply to every request of the export). */
  client: PlaymentClient;
  /** The class table to use (classes.json's shape); default: ids assigned from the classes found. */
  classes?: readonly ClassEntry[];
  /**
   * Job statuses to export, or 'all'. Default ['completed']; jobs listed with another status are skipped (a job listed
   * without one is fetched: its result tells). Compared after trimming, in any letter case, `complete` meaning
   * `completed` (the vendor spells it `completed`, `COMPLETED` and `Complete`).
   */
  statuses?: readonly string[] | 'all';
  /** An existing pool to decode with (left open). Without it the export runs and closes its own. */
  pool?: MaskDecoderPool;
  /** Called after every change of the counters. */
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
}

type Declared = ResolvedValues<typeof EXPORT_OPTIONS>;
/** The options whose default is a value to show (not a flag's false). */
type Defaulted = {
  [K in keyof Declared]: (typeof EXPORT_OPTIONS)[K] extends { default: string | number } ? K : never;
}[keyof Declared];

/** The defaults of the declared options that have one (the flags' false aside), and of `statuses`. */
export const EXPORT_DEFAULTS = Object.freeze({
  ...(Object.fromEntries(
    Object.entries(EXPORT_OPTIONS).flatMap(([name, option]) =>
      'default' in option && typeof option.default !== 'boolean' ? [[name, option.default]] : [],
    ),
  ) as Pick<Declared, Defaulted>),
  statuses: Object.freeze(['completed']) as readonly string[],
});

export interface ResolvedExportOptions extends Declared {
  client: PlaymentClient;
  classes: ClassEntry[] | undefined;
  /** Requested statuses by statusKey(), with the spelling given; undefined: every status. */
  statuses: ReadonlyMap<string, string> | undefined;
  pool: MaskDecoderPool | undefined;
  onProgress: ((progress: ExportProgress) => void) | undefined;
  signal: AbortSignal | undefined;
}

/** Checks ExportOptions, filling in the defaults; frozen. Throws InvalidArgumentError naming the first bad one. */
export function resolveExportOptions(options: ExportOptions): Readonly<ResolvedExportOptions> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { client, pool, onProgress, signal } = options;
  if (!hasMethods(client, ['batchJobs', 'jobResult', 'attachment']) || typeof client.stats !== 'object') {
    throw new InvalidArgumentError('options.client must be a PlaymentClient');
  }
  const declared = resolveOptions(EXPORT_OPTIONS, options);
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
  if (declared.threads !== undefined && pool !== undefined) {
    throw new InvalidArgumentError('options.threads must not be set with options.pool');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError('options.onProgress must be a function');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('options.signal must be an AbortSignal');
  }
  return Object.freeze({ ...declared, client, classes, statuses, pool, onProgress, signal });
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}
