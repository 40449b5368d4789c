// The simulator's options, declared once: SimDataset's (the batch), startSimulator()'s (the servers) and FaultPlan's
// (`faults.*`). Their types, their checks and the `simulate` and `demo` commands' flags and help all come from these
// tables; the commands only show and apply bigger defaults of their own (cli/simulator-options.ts).
import { MAX_TIMER_MS } from '../api/option-table.js';
import { declareOptions, defaultsOf } from '../options/option.js';
import {
  FAULT_KINDS,
  FAULT_ROUTES,
  RANDOM_FAULT_KINDS,
  ROUTE_FAULTS,
  type FaultKind,
  type Route,
} from './fault-kinds.js';

/** A count, from `min` up. */
const count = (flag: string, min: number, defaultValue: number, help: string) =>
  ({ kind: 'integer', min, default: defaultValue, flag, value: 'N', help }) as const;

/** A duration a Node timer can wait. */
const milliseconds = (flag: string | undefined, defaultValue: number, help: string) =>
  ({ kind: 'integer', min: 0, max: MAX_TIMER_MS, default: defaultValue, flag, value: 'MS', help }) as const;

const port = (flag: string | undefined, help: string) =>
  ({ kind: 'integer', min: 0, max: 65_535, default: 0, flag, value: 'N', help }) as const;

const SIM_SHAPES = Object.freeze(['frames', 'single-frame', 'legacy', 'mixed'] as const);

/** Content codings the simulator can answer in. */
export type Compression = 'gzip' | 'br' | 'deflate';
export const COMPRESSIONS: readonly Compression[] = Object.freeze(['gzip', 'br', 'deflate'] as const);

/** SimDataset's options (the batch the simulator serves), those startSimulator() passes on to it. */
export const SIM_DATASET_OPTIONS = declareOptions({
  /** Number of jobs (ignored when `jobIds` is given). */
  jobs: count('jobs', 0, 12, 'jobs in the batch'),
  /** Frames per job. */
  frames: count('frames', 1, 2, 'frames per job'),
  /** Lidar sensors per frame, each with its own mask. */
  sensors: count('sensors', 1, 1, 'lidars per frame, one mask each'),
  /** Points (labels) per mask. */
  points: count('points', 0, 1000, 'points per mask'),
  /** Jobs per batch page. */
  pageSize: count('page-size', 1, 5, 'jobs per batch page'),
  /** Everything not given derives from it: ids, masks, point clouds. */
  seed: count('seed', 0, 1, 'seed of the ids, masks and point clouds'),
  /** Serve results of the older generation: a legend and PCD masks (see legacy.ts). */
  legacyMasks: {
    kind: 'flag',
    default: false,
    flag: 'legacy-masks',
    help: 'serve results of the older generation (a legend and PCD masks)',
  },
  /**
   * Serve point clouds as PCL's writer leaves them on Linux: binary and binary_compressed data followed by zero bytes
   * up to the end of the last 4 KiB page (see point-cloud.ts).
   */
  pclPadding: {
    kind: 'flag',
    default: false,
    flag: 'pcl-padding',
    help: "point clouds as PCL's writer leaves them: binary data padded with zero bytes to a 4 KiB page",
  },
  /** Points without a lidar return hold NaN x, y, z (as organized clouds keep them) instead of zeros. */
  nanReturns: {
    kind: 'flag',
    default: false,
    flag: 'nan-returns',
    help: 'points without a lidar return hold NaN x, y, z (not zeros)',
  },
  /**
   * The documented shape of the result objects (see result-object.ts): `frames` (annotation_data and
   * sensor_data.frames[]), `single-frame` (sensor_data.sensors[] and one ego_pose; one frame), `legacy` (top-level
   * instance-aware legend and a PCD mask url; one frame, one mask), or `mixed`: the three in turn (job index mod 3),
   * with the statuses spelt `completed`, `COMPLETED` and `Complete` in turn, vendorSensors and unnamedKeys.
   */
  shape: {
    kind: 'choice',
    choices: SIM_SHAPES,
    default: 'frames',
    flag: 'shape',
    value: 'S',
    help: 'result objects: frames, single-frame, legacy (legend + PCD mask), or mixed (all, statuses spelt 3 ways)',
  },
  projectId: { kind: 'text', shownDefault: 'from the seed', help: 'project id' },
  batchId: { kind: 'text', shownDefault: 'from the seed', help: 'batch id' },
  /** End the batch with a page holding no job (and an empty `next_page_token`). */
  emptyLastPage: { kind: 'flag', default: false, help: 'end the batch with a page holding no job' },
  /**
   * Sensor ids as in the vendor's example: a mask's sensor_id is a sensor_meta id that a camera and a lidar share,
   * the frames list their sensors by sensor_meta name (the camera first). Default: with the `mixed` shape.
   */
  vendorSensors: { kind: 'flag', help: "sensor ids as in the vendor's example" },
  /** Masks also hold keys no annotation names (UNNAMED_KEY). Default: with the `mixed` shape. */
  unnamedKeys: { kind: 'flag', help: 'masks also hold keys no annotation names' },
  /**
   * Instead of the built-in taxonomy and 4 to 9 objects per job: this many objects per job, each of its own class,
   * all with class ids. Their classes are the job's own (jobs x classesPerJob classes in the batch), or with
   * `sharedClasses` the same in every job (classesPerJob classes in the batch). Default: the taxonomy.
   */
  classesPerJob: { kind: 'integer', min: 1, help: 'objects per job, each of a class of its own' },
  sharedClasses: { kind: 'flag', default: false, help: 'the classesPerJob classes are the same in every job' },
});

/** startSimulator()'s own options: its two servers, their answers and the API's rate limit. */
export const SIM_SERVER_OPTIONS = declareOptions({
  /** The API's port on `host` (0: any free port). */
  port: port('port', 'API port (0 picks a free one)'),
  /** The API's address. */
  host: { kind: 'text', default: '127.0.0.1', help: "the API's address" },
  /** The storage host's address. Default 127.0.0.2 (127.0.0.1 where that does not exist, as on macOS). */
  storageHost: { kind: 'text', shownDefault: '127.0.0.2', help: "the storage host's address" },
  storagePort: port(undefined, "the storage host's port (0: any free port)"),
  /** The key the API accepts. Default 'sim-key-' + the dataset's seed. */
  apiKey: { kind: 'text', shownDefault: 'sim-key-SEED', help: 'the key the API accepts' },
  /** Lifetime of a signed storage URL. */
  signatureTtlMs: milliseconds(undefined, 60_000, 'lifetime of a signed storage URL'),
  /** Compress bodies with this coding when the client accepts it. Default none. */
  compression: {
    kind: 'choice',
    choices: COMPRESSIONS,
    shownDefault: 'none',
    flag: 'compression',
    value: 'C',
    help: 'compress bodies this way when the client accepts it',
  },
  /** Added before every answer, on both origins. */
  latencyMs: milliseconds('latency-ms', 0, 'added before every answer, on both origins'),
  /**
   * The API's rate limit: requests per second per key on the API's origin (not the storage host), a token bucket;
   * beyond it the answer is 429 with Retry-After. 0: no limit. The vendor publishes no figure.
   */
  rateLimit: {
    kind: 'number',
    min: 0,
    default: 0,
    flag: 'rate-limit',
    value: 'N',
    help: 'requests per second the API accepts per key, 429 with Retry-After beyond (0: none; the vendor publishes none)',
  },
  /** Requests the bucket lets through at once after a quiet spell. Default `max(1, rateLimit)` (one second's worth). */
  rateBurst: {
    kind: 'number',
    min: 1,
    shownDefault: "one second's worth",
    flag: 'rate-burst',
    value: 'N',
    help: 'requests the rate limit lets through at once after a quiet spell',
  },
  /** The last page's next_page_token points back to the second page, so the pages loop. */
  loopPageTokens: { kind: 'flag', default: false, help: 'the pages loop' },
  /** Keep every request in `simulator.requests`. */
  record: { kind: 'flag', default: false, help: 'keep every request in simulator.requests' },
  /** Bytes of generated storage files kept for reuse. */
  cacheBytes: { kind: 'integer', min: 0, default: 64 * 2 ** 20, help: 'bytes of generated storage files kept' },
});

/** FaultPlan's options: the faults injected at random (startSimulator()'s `faults`). */
export const FAULT_OPTIONS = declareOptions(
  {
    /** Share of requests (0..1) given a random fault. */
    rate: {
      kind: 'number',
      min: 0,
      max: 1,
      default: 0,
      flag: 'fault-rate',
      value: 'R',
      help: 'share of requests given a random fault',
    },
    /** Kinds drawn from, each one that a route of `routes` can give. Default RANDOM_FAULT_KINDS, where they apply. */
    kinds: {
      kind: 'list',
      choices: FAULT_KINDS,
      shownDefault: RANDOM_FAULT_KINDS.join(','),
      flag: 'fault-kinds',
      value: 'K,K',
      help: 'the random faults drawn from',
    },
    /** Routes that get random faults. */
    routes: {
      kind: 'list',
      choices: FAULT_ROUTES,
      default: FAULT_ROUTES,
      flag: 'fault-routes',
      value: 'R,R',
      help: 'the routes that get random faults',
    },
    /** Seed of the random choices. */
    seed: count('fault-seed', 0, 1, 'seed of the random faults'),
    /** Retry-After of 429 and 503, in seconds. */
    retryAfterSeconds: {
      ...count('retry-after', 0, 1, 'Retry-After of the 429 and 503 faults, in seconds'),
      value: 'S',
    },
    /** How long a `stall` keeps the connection silent. */
    stallMs: milliseconds('stall-ms', 60_000, 'how long a stall fault keeps a connection silent'),
  },
  'faults',
);

/** SimDataset's defaults. */
export const DATASET_DEFAULTS = defaultsOf(SIM_DATASET_OPTIONS);
/** FaultOptions' defaults (and kinds: RANDOM_FAULT_KINDS, where they apply). */
export const FAULT_DEFAULTS = defaultsOf(FAULT_OPTIONS);

/**
 * What is wrong with drawing `kinds` on `routes`, as a sentence naming the options; undefined when each kind asked
 * for is one that some route of `routes` can give (badJson is no storage fault). The default kinds are drawn only
 * where they apply.
 */
export function faultRoutesProblem(faults: {
  kinds?: readonly FaultKind[] | undefined;
  routes: readonly Route[];
}): string | undefined {
  const { kinds = [], routes } = faults;
  for (const kind of kinds) {
    if (!routes.some((route) => ROUTE_FAULTS[route].has(kind))) {
      const where = FAULT_ROUTES.filter((route) => ROUTE_FAULTS[route].has(kind));
      return (
        `options.${FAULT_OPTIONS.kinds.library} ${kind} applies to none of ` +
        `options.${FAULT_OPTIONS.routes.library} ${routes.join(',')} (only to ${where.join(', ')})`
      );
    }
  }
  return undefined;
}
