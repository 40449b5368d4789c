// The simulated batch and its faults, as `simulate` serves them and `demo` exports them: startSimulator()'s options
// (SimulatorOptions, `faults.*` its FaultOptions) with their flags. The limits are the simulator's own constants.
import { MAX_TIMER_MS } from '../api/options.js';
import { declareOptions } from '../options/option.js';
import { DATASET_DEFAULTS, DATASET_MINIMUMS } from '../sim/dataset.js';
import { FAULT_DEFAULTS, FAULT_KINDS, FAULT_ROUTES, RANDOM_FAULT_KINDS } from '../sim/faults.js';
import { COMPRESSIONS } from '../sim/reply.js';

const SIM_SHAPES = Object.freeze(['frames', 'single-frame', 'legacy', 'mixed']);

// No vendor rate limit is published: the simulator enforces one of its own (per key) unless told not to, so that
// the demo shows how the export behaves under a limit.
export const SIMULATED_RATE_LIMIT = 5;
export const SIMULATE_DEFAULTS = Object.freeze({
  port: 8080,
  jobs: 50,
  frames: 4,
  points: 100_000,
  pageSize: DATASET_DEFAULTS.pageSize,
  rateLimit: SIMULATED_RATE_LIMIT,
});
// Several pages even for a small demo batch, which the rate limit exports in about ten seconds (61 API requests).
export const DEMO_DEFAULTS = Object.freeze({
  jobs: 10,
  frames: 4,
  points: 100_000,
  pageSize: 4,
  rateLimit: SIMULATED_RATE_LIMIT,
});

const count = (flag: string, min: number, help: string, defaultValue: number) =>
  ({ kind: 'integer', min, default: defaultValue, flag, value: 'N', help }) as const;

const milliseconds = (flag: string, help: string, defaultValue: number) =>
  ({ kind: 'integer', min: 0, max: MAX_TIMER_MS, default: defaultValue, flag, value: 'MS', help }) as const;

export function simulatorOptions(defaults: Record<'jobs' | 'frames' | 'points' | 'pageSize' | 'rateLimit', number>) {
  return declareOptions({
    jobs: count('jobs', DATASET_MINIMUMS.jobs, 'jobs in the batch', defaults.jobs),
    frames: count('frames', DATASET_MINIMUMS.frames, 'frames per job', defaults.frames),
    sensors: count('sensors', DATASET_MINIMUMS.sensors, 'lidars per frame, one mask each', DATASET_DEFAULTS.sensors),
    points: count('points', DATASET_MINIMUMS.points, 'points per mask', defaults.points),
    pageSize: count('page-size', DATASET_MINIMUMS.pageSize, 'jobs per batch page', defaults.pageSize),
    seed: count('seed', DATASET_MINIMUMS.seed, 'seed of the ids, masks and point clouds', DATASET_DEFAULTS.seed),
    legacyMasks: {
      kind: 'flag',
      flag: 'legacy-masks',
      help: 'serve results of the older generation (a legend and PCD masks)',
    },
    pclPadding: {
      kind: 'flag',
      flag: 'pcl-padding',
      help: "point clouds as PCL's writer leaves them: binary data padded with zero bytes to a 4 KiB page",
    },
    nanReturns: {
      kind: 'flag',
      flag: 'nan-returns',
      help: 'points without a lidar return hold NaN x, y, z (not zeros)',
    },
    shape: {
      kind: 'choice',
      choices: SIM_SHAPES,
      shownDefault: 'frames',
      flag: 'shape',
      value: 'S',
      help: 'result objects: frames, single-frame, legacy (legend + PCD mask), or mixed (all, statuses spelt 3 ways)',
    },
    compression: {
      kind: 'choice',
      choices: COMPRESSIONS,
      shownDefault: 'none',
      flag: 'compression',
      value: 'C',
      help: 'compress bodies this way when the client accepts it',
    },
    latencyMs: milliseconds('latency-ms', 'added before every answer, on both origins', 0),
    rateLimit: {
      kind: 'number',
      min: 0,
      default: defaults.rateLimit,
      flag: 'rate-limit',
      value: 'N',
      help: 'requests per second the API accepts per key, 429 with Retry-After beyond (0: none; the vendor publishes none)',
    },
    rateBurst: {
      kind: 'number',
      min: 1,
      shownDefault: "one second's worth",
      flag: 'rate-burst',
      value: 'N',
      help: 'requests the rate limit lets through at once after a quiet spell',
    },
    'faults.rate': {
      kind: 'number',
      min: 0,
      max: 1,
      default: FAULT_DEFAULTS.rate,
      flag: 'fault-rate',
      value: 'R',
      help: 'share of requests given a random fault',
    },
    'faults.kinds': {
      kind: 'list',
      choices: FAULT_KINDS,
      shownDefault: RANDOM_FAULT_KINDS.join(','),
      flag: 'fault-kinds',
      value: 'K,K',
      help: 'the random faults drawn from',
    },
    'faults.routes': {
      kind: 'list',
      choices: FAULT_ROUTES,
      shownDefault: FAULT_ROUTES.join(','),
      flag: 'fault-routes',
      value: 'R,R',
      help: 'the routes that get random faults',
    },
    'faults.seed': count('fault-seed', 0, 'seed of the random faults', FAULT_DEFAULTS.seed),
    'faults.retryAfterSeconds': {
      ...count('retry-after', 0, 'Retry-After of the 429 and 503 faults, in seconds', FAULT_DEFAULTS.retryAfterSeconds),
      value: 'S',
    },
    'faults.stallMs': milliseconds(
      'stall-ms',
      'how long a stall fault keeps a connection silent',
      FAULT_DEFAULTS.stallMs,
    ),
  });
}
