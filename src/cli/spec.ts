// What the command line accepts: each command's options with their kinds, limits and defaults. The parser
// (args.ts), the help (help.ts) and the messages for library errors (messages.ts) all read these tables, and the
// limits come from the library's own constants, so the CLI, the library and the docs cannot disagree.
import { CLIENT_DEFAULTS, MAX_TIMER_MS } from '../api/options.js';
import { EXPORT_FORMATS, FORMATS } from '../formats/index.js';
import { LABEL_MODES } from '../export/legend.js';
import { EXPORT_DEFAULTS, MAX_CONCURRENCY } from '../export/options.js';
import { MAX_THREADS } from '../pool/pool.js';
import { FLAG_DEFAULTS } from '../report/flags.js';
import { VIEW_DEFAULTS } from '../report/birdseye.js';
import { DATASET_DEFAULTS, DATASET_MINIMUMS } from '../sim/dataset.js';
import { FAULT_DEFAULTS, FAULT_KINDS, FAULT_ROUTES, RANDOM_FAULT_KINDS } from '../sim/faults.js';
import { COMPRESSIONS } from '../sim/reply.js';

const SIM_SHAPES = Object.freeze(['frames', 'single-frame', 'legacy', 'mixed']);

export type CommandName = 'export' | 'decode' | 'simulate' | 'demo' | 'dataset' | 'report' | 'view';

/** The training-set layouts `dataset` builds from an export. */
export const DATASET_LAYOUTS = Object.freeze(['semantickitti', 'nuscenes', 'parquet'] as const);

/**
 * - `text`: any non-empty string (ids may look like numbers or dashes). `path`: a file or folder, refused when it
 *   looks like an option (`-x`). `url`: an absolute http(s) URL.
 * - `integer`, `number`: from `min` to `max` (a `number` may be required to be above `min`: `aboveMin`).
 * - `choice`: one of `choices`. `list`: comma-separated `choices`.
 * - `flag`: no value.
 */
export type OptionKind = 'text' | 'path' | 'url' | 'integer' | 'number' | 'choice' | 'list' | 'flag';

export interface OptionSpec {
  kind: OptionKind;
  /** The value's placeholder in the help: N, DIR, URL. */
  value?: string;
  min?: number;
  max?: number;
  aboveMin?: boolean;
  choices?: readonly string[];
  /** A one-letter name (`p` for `-p`). */
  short?: string;
  /** As shown in the help. */
  default?: string | number;
  help: string;
  /** The library option this sets, so that the library's messages about it can name the flag instead. */
  library?: string;
}

export interface CommandSpec {
  /** The line after `Usage: playment-masks `. */
  usage: string;
  summary: string;
  /** Paragraphs between the usage line and the options. */
  description: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** Names of the positional arguments, in order (all required). */
  positionals: readonly string[];
  required: readonly string[];
  /** Command lines shown under "Examples" in the help. */
  examples: readonly string[];
  /** What exit code 1 means for this command. */
  failure: string;
}

/** The variable the API key is read from: never an argument, never printed. */
export const API_KEY_VARIABLE = 'PLAYMENT_API_KEY';

// No vendor rate limit is published: the simulator enforces one of its own (per key) unless told not to, so that
// the demo shows how the export behaves under a limit.
export const SIMULATED_RATE_LIMIT = 5;
export const SIMULATE_DEFAULTS = Object.freeze({
  port: 8080,
  jobs: 50,
  frames: 4,
  points: 100_000,
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

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

const count = (min: number, help: string, defaultValue?: number): OptionSpec => ({
  kind: 'integer',
  value: 'N',
  min,
  max: UNBOUNDED,
  help,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});

const milliseconds = (help: string, defaultValue: number): OptionSpec => ({
  kind: 'integer',
  value: 'MS',
  min: 0,
  max: MAX_TIMER_MS,
  default: defaultValue,
  help,
});

const MiB = 2 ** 20;

/** A size in MiB for the export option `library`, in bytes. */
const mebibytes = (help: string, library: keyof typeof EXPORT_DEFAULTS): OptionSpec => ({
  kind: 'integer',
  value: 'MIB',
  min: 1,
  max: UNBOUNDED,
  default: (EXPORT_DEFAULTS[library] as number) / MiB,
  help,
  library,
});

/** The size flags of `export` (in MiB) and the export options (in bytes) they set. */
export const SIZE_FLAGS = Object.freeze({
  'max-in-flight-mib': 'maxBytesInFlight',
  'max-result-mib': 'maxResultBytes',
  'max-mask-mib': 'maxMaskBytes',
  'max-point-cloud-mib': 'maxPointCloudBytes',
} as const);

const FORMAT: OptionSpec = {
  kind: 'choice',
  value: 'F',
  choices: EXPORT_FORMATS,
  default: EXPORT_DEFAULTS.format,
  help: `label files: ${EXPORT_FORMATS.map((name) => `${name} (${FORMATS[name].labelHelp})`).join(', ')}`,
  library: 'format',
};

const WITH_POINTS: OptionSpec = {
  kind: 'flag',
  help:
    "also fetch each frame's lidar PCD, check its point count against the mask, and write the points next to the " +
    `labels: ${EXPORT_FORMATS.map((name) => `${name} ${FORMATS[name].pointsHelp}`).join(', ')}`,
  library: 'withPoints',
};

const JSON_OUTPUT: OptionSpec = {
  kind: 'flag',
  help: 'print one JSON document on stdout and nothing else there (messages and progress go to stderr)',
};
const QUIET: OptionSpec = { kind: 'flag', short: 'q', help: 'print errors only' };
const NO_PROGRESS: OptionSpec = {
  kind: 'flag',
  help: 'no progress bar or lines (with NO_COLOR set: plain lines instead of a redrawn bar)',
};
/** `--threads`: worker threads, one per CPU unless given. */
const threadCount = (help: string): OptionSpec => ({
  kind: 'integer',
  value: 'N',
  min: 1,
  max: MAX_THREADS,
  default: 'one per CPU',
  help,
});

/** `--from`: an export folder to read (dataset, report). */
const FROM_EXPORT: OptionSpec = { kind: 'path', value: 'EXPORT_DIR', help: 'the export folder' };

/** The simulated batch and its faults: `simulate` serves them, `demo` exports them. */
function simulatorOptions(defaults: {
  jobs: number;
  frames: number;
  points: number;
  pageSize: number;
  rateLimit: number;
}) {
  return {
    jobs: count(DATASET_MINIMUMS.jobs, 'jobs in the batch', defaults.jobs),
    frames: count(DATASET_MINIMUMS.frames, 'frames per job', defaults.frames),
    sensors: count(DATASET_MINIMUMS.sensors, 'lidars per frame, one mask each', DATASET_DEFAULTS.sensors),
    points: count(DATASET_MINIMUMS.points, 'points per mask', defaults.points),
    'page-size': count(DATASET_MINIMUMS.pageSize, 'jobs per batch page', defaults.pageSize),
    seed: count(DATASET_MINIMUMS.seed, 'seed of the ids, masks and point clouds', DATASET_DEFAULTS.seed),
    'legacy-masks': { kind: 'flag', help: 'serve results of the older generation (a legend and PCD masks)' },
    'pcl-padding': {
      kind: 'flag',
      help: "point clouds as PCL's writer leaves them: binary data padded with zero bytes to a 4 KiB page",
    },
    'nan-returns': { kind: 'flag', help: 'points without a lidar return hold NaN x, y, z (not zeros)' },
    shape: {
      kind: 'choice',
      value: 'S',
      choices: SIM_SHAPES,
      default: 'frames',
      help: 'result objects: frames, single-frame, legacy (legend + PCD mask), or mixed (all, statuses spelt 3 ways)',
    },
    compression: {
      kind: 'choice',
      value: 'C',
      choices: COMPRESSIONS,
      default: 'none',
      help: 'compress bodies this way when the client accepts it',
    },
    'latency-ms': milliseconds('added before every answer, on both origins', 0),
    'rate-limit': {
      kind: 'number',
      value: 'N',
      min: 0,
      max: UNBOUNDED,
      default: defaults.rateLimit,
      help: 'requests per second the API accepts per key, 429 with Retry-After beyond (0: none; the vendor publishes none)',
    },
    'rate-burst': {
      kind: 'number',
      value: 'N',
      min: 1,
      max: UNBOUNDED,
      default: "one second's worth",
      help: 'requests the rate limit lets through at once after a quiet spell',
    },
    'fault-rate': {
      kind: 'number',
      value: 'R',
      min: 0,
      max: 1,
      default: FAULT_DEFAULTS.rate,
      help: 'share of requests given a random fault',
    },
    'fault-kinds': {
      kind: 'list',
      value: 'K,K',
      choices: FAULT_KINDS,
      default: RANDOM_FAULT_KINDS.join(','),
      help: 'the random faults drawn from',
    },
    'fault-routes': {
      kind: 'list',
      value: 'R,R',
      choices: FAULT_ROUTES,
      default: FAULT_ROUTES.join(','),
      help: 'the routes that get random faults',
    },
    'fault-seed': count(0, 'seed of the random faults', FAULT_DEFAULTS.seed),
    'retry-after': {
      ...count(0, 'Retry-After of the 429 and 503 faults, in seconds', FAULT_DEFAULTS.retryAfterSeconds),
      value: 'S',
    },
    'stall-ms': milliseconds('how long a stall fault keeps a connection silent', FAULT_DEFAULTS.stallMs),
  } satisfies Record<string, OptionSpec>;
}

export const SPECS: Readonly<Record<CommandName, CommandSpec>> = {
  export: {
    usage: 'export --project P --batch B --out DIR [options]',
    summary: 'export a whole batch',
    description:
      'Exports every mask of the finished jobs of batch B of project P into DIR: one label file per mask\n' +
      "(class ids of classes.json), each job's result object and key legend (jobs/<job>/result.json,\n" +
      'legend.json), classes.json, index.jsonl (one line per mask) and summary.json.\n' +
      'Rerun the same command to resume after an interruption, or to export the jobs finished since:\n' +
      'complete jobs are skipped without a request (with --refresh their result object is fetched again\n' +
      'and compared). Changing --format, --labels or --instances exports the jobs again.\n\n' +
      `The API key is read from the ${API_KEY_VARIABLE} environment variable (never an argument).`,
    options: {
      project: { kind: 'text', value: 'P', short: 'p', help: 'project id', library: 'projectId' },
      batch: { kind: 'text', value: 'B', short: 'b', help: 'batch id', library: 'batchId' },
      out: { kind: 'path', value: 'DIR', short: 'o', help: 'output folder (created if missing)', library: 'outDir' },
      'base-url': {
        kind: 'url',
        value: 'URL',
        default: CLIENT_DEFAULTS.baseUrl,
        help:
          'the API: its origin with the scheme, or a URL ending in /v1 (the API root: https://host/v1); any other ' +
          'path is a prefix the requests go under (a proxy)',
        library: 'baseUrl',
      },
      format: { ...FORMAT, short: 'f' },
      'with-points': WITH_POINTS,
      labels: {
        kind: 'choice',
        value: 'L',
        choices: LABEL_MODES,
        default: EXPORT_DEFAULTS.labels,
        help: "what label files hold: class ids of classes.json, or the job's raw label keys",
        library: 'labels',
      },
      instances: {
        kind: 'flag',
        help:
          'also write instance ids (one per track, 1.. per job, 0 no object): kitti in the high 16 bits of each ' +
          'label, npy and bin in .instances.npy / .instances.bin',
        library: 'instances',
      },
      classes: {
        kind: 'path',
        value: 'FILE',
        help: "the class table to use (classes.json's shape) instead of ids assigned from the classes found",
        library: 'classes',
      },
      'unknown-classes': {
        kind: 'choice',
        value: 'W',
        choices: ['fail', 'ignore'],
        default: 'fail',
        help: 'a class missing from --classes FILE fails its job (UNKNOWN_CLASS), or gets id 0 (ignore)',
        library: 'unknownClasses',
      },
      status: {
        kind: 'text',
        value: 'S,S',
        default: EXPORT_DEFAULTS.statuses.join(','),
        help: 'job statuses to export, or all; the others are skipped without a request and counted in summary.json',
        library: 'statuses',
      },
      'require-labels': {
        kind: 'flag',
        help: 'a job where no point has a class (every label_key unnamed) fails with NO_LABELS instead of a warning',
        library: 'requireLabels',
      },
      refresh: {
        kind: 'flag',
        help: 'fetch the result object of complete jobs again and export again those that changed',
        library: 'refresh',
      },
      concurrency: {
        kind: 'integer',
        value: 'N',
        min: 1,
        max: MAX_CONCURRENCY,
        default: EXPORT_DEFAULTS.concurrency,
        help: 'masks in flight at once',
        library: 'concurrency',
      },
      threads: { ...threadCount('decoding threads'), short: 'j', library: 'threads' },
      'max-rps': {
        kind: 'number',
        value: 'N',
        min: 0,
        aboveMin: true,
        max: UNBOUNDED,
        default: 'no cap',
        help:
          'at most N requests per second to the API; without it the export finds the rate the API accepts and ' +
          'paces its requests near it, probing past it now and then (requests refused with 429 are sent again, never failing a job)',
        library: 'maxRequestsPerSecond',
      },
      'max-in-flight-mib': mebibytes(
        'response bodies held in memory at once, raw and decoded (requests wait for room)',
        'maxBytesInFlight',
      ),
      'max-result-mib': mebibytes('largest result object; a larger one fails its job', 'maxResultBytes'),
      'max-mask-mib': mebibytes('largest mask file, once decoded', 'maxMaskBytes'),
      'max-point-cloud-mib': mebibytes('largest point cloud (--with-points)', 'maxPointCloudBytes'),
      'request-timeout-s': {
        kind: 'integer',
        value: 'N',
        min: 1,
        max: Math.floor(MAX_TIMER_MS / 1000),
        default: CLIENT_DEFAULTS.requestTimeoutMs / 1000,
        help:
          'longest one attempt at a request may take, from sending it to the last byte of the body, however slowly ' +
          'the bytes come; over it the attempt fails with TIMEOUT and is retried like any timeout',
        library: 'requestTimeoutMs',
      },
      'speed-limit': {
        kind: 'integer',
        value: 'BYTES',
        min: 0,
        max: UNBOUNDED,
        default: CLIENT_DEFAULTS.minBytesPerSecond,
        help:
          'slowest a response body may arrive, in bytes per second averaged over --speed-time; slower fails the ' +
          'attempt with TOO_SLOW, retried like a timeout (0: no floor)',
        library: 'minBytesPerSecond',
      },
      'speed-time': {
        kind: 'integer',
        value: 'S',
        min: 1,
        max: Math.floor(MAX_TIMER_MS / 1000),
        default: CLIENT_DEFAULTS.minSpeedWindowMs / 1000,
        help: 'seconds over which --speed-limit is averaged',
        library: 'minSpeedWindowMs',
      },
      'max-pages': {
        ...count(
          1,
          'most batch pages followed; a batch with more fails the export (TOO_MANY_PAGES)',
          CLIENT_DEFAULTS.maxPages,
        ),
        library: 'maxPages',
      },
      json: { ...JSON_OUTPUT, help: `${JSON_OUTPUT.help}: the summary, as in summary.json` },
      quiet: QUIET,
      verbose: { kind: 'flag', help: 'also print each request the client sends again, and why' },
      'no-progress': NO_PROGRESS,
    },
    positionals: [],
    required: ['project', 'batch', 'out'],
    examples: [
      `${API_KEY_VARIABLE}=... playment-masks export -p PROJECT -b BATCH -o ./export`,
      'playment-masks export -p PROJECT -b BATCH -o ./kitti -f kitti --with-points --instances',
      'playment-masks export -p PROJECT -b BATCH -o ./export --json > summary.json',
    ],
    failure: 'some jobs failed (listed, and in summary.json), or the export stopped on an error',
  },
  decode: {
    usage: 'decode FILE... [--out DIR] [--format F] [--threads N] [--json]',
    summary: 'decode mask files: label counts, or label files for many masks on every core',
    description:
      'With one mask file (a JSON array of label keys, or a legacy PCD mask; - reads standard\n' +
      'input), prints its point count and the points of each label; --out FILE.npy also writes them.\n' +
      'With several files, a folder (its .json and .pcd files), or --out naming a folder: decodes all\n' +
      'of them on every core into --out DIR, one label file per input named after it (a.json -> a.npy),\n' +
      'each written whole or not at all. A file that fails does not stop the rest: failures are\n' +
      'listed at the end (exit 1). Progress goes to stderr.',
    options: {
      out: {
        kind: 'path',
        value: 'DIR',
        short: 'o',
        help: 'output folder (created if missing); with one file, FILE.npy',
      },
      format: FORMAT,
      threads: { ...threadCount('decoding threads (many files)'), short: 'j', library: 'threads' },
      json: {
        kind: 'flag',
        help:
          'print JSON: { "points": N, "labels": { "<key>": count } } for one file; for many, ' +
          '{ "files", "decoded", "points", "failures": [...] }',
      },
    },
    positionals: ['FILE...'],
    required: [],
    examples: [
      'playment-masks decode mask.txt',
      'playment-masks decode mask.txt -o labels.npy --json',
      'cat mask.txt | playment-masks decode -',
      'playment-masks decode scans/ -o labels/ --format kitti',
    ],
    failure: 'the file cannot be read, written or parsed (its error code and byte offset)',
  },
  simulate: {
    usage: 'simulate [--port N] [--jobs N] [--frames N] [--points N] [options]',
    summary: 'run a local simulator of the API',
    description:
      'Runs a local simulator of the Playment API on 127.0.0.1 until Ctrl-C: batch pages, job\n' +
      'results, and attachments redirected to a second storage origin with expiring signatures,\n' +
      'optionally with latency and injected faults. Prints the base URL, the API key and a\n' +
      'command that exports the batch.',
    options: {
      port: {
        kind: 'integer',
        value: 'N',
        min: 0,
        max: 65_535,
        default: SIMULATE_DEFAULTS.port,
        help: 'API port (0 picks a free one)',
      },
      ...simulatorOptions({ ...SIMULATE_DEFAULTS, pageSize: DATASET_DEFAULTS.pageSize }),
    },
    positionals: [],
    required: [],
    examples: [
      'playment-masks simulate --port 0',
      'playment-masks simulate --jobs 200 --fault-rate 0.1 --rate-limit 10',
    ],
    failure: 'the simulator could not start (a port in use)',
  },
  demo: {
    usage: 'demo [--out DIR | --keep] [--format F] [--with-points] [options]',
    summary: 'export a simulated batch, offline',
    description:
      'Starts the simulator on loopback and exports a realistic batch (several pages, several frames\n' +
      'per job, 100k-point masks), then prints the summary. Needs no network. Without --out the\n' +
      'export goes to a new temporary folder, removed at the end unless --keep is given or jobs failed.\n' +
      'The simulated API enforces a rate limit of its own (5 requests/s per key; the vendor publishes\n' +
      'none): that limit, not the download or the decoding, bounds how long the demo takes.',
    options: {
      out: { kind: 'path', value: 'DIR', short: 'o', help: 'output folder, kept (default: a temporary folder)' },
      keep: { kind: 'flag', help: 'keep the temporary folder and print where it is' },
      format: { ...FORMAT, short: 'f' },
      'with-points': WITH_POINTS,
      ...simulatorOptions(DEMO_DEFAULTS),
      'no-progress': NO_PROGRESS,
    },
    positionals: [],
    required: [],
    examples: [
      'playment-masks demo',
      'playment-masks demo -o ./demo -f kitti --with-points',
      'playment-masks demo --rate-limit 0',
    ],
    failure: 'some jobs of the simulated batch failed (--fault-rate), or the demo stopped on an error',
  },
  dataset: {
    usage: 'dataset LAYOUT --from EXPORT_DIR --out DIR',
    summary: 'a training set (semantickitti, nuscenes, parquet) from an export',
    description:
      'Builds a training set from a finished export, without network. LAYOUT is one of:\n' +
      '  semantickitti  DIR/sequences/NN/{velodyne,labels}, poses.txt, calib.txt, semantic-kitti.yaml,\n' +
      '                 sequences.json (NN -> job, sensor, frames), from --format kitti --with-points\n' +
      "                 (--instances adds instance ids); hard links to the export's files.\n" +
      '  nuscenes       nuScenes-lidarseg (panoptic with --instances) from any format with --with-points:\n' +
      '                 DIR/VERSION/*.json with colormap.json for the devkit, samples/LIDAR_TOP,\n' +
      '                 lidarseg/VERSION, panoptic/VERSION, scenes.json. At most 255 classes.\n' +
      '  parquet        DIR/data/train-NNNNN-of-NNNNN.parquet, one row per frame and lidar (labels,\n' +
      '                 instances, points with --with-points), class names in the Hugging Face\n' +
      '                 metadata; DIR/README.md, the dataset card.\n' +
      "One sequence (scene) per job and lidar, frames in the order of the result's frames[]. DIR must be\n" +
      'empty, missing, or a tree this command built.',
    options: {
      from: FROM_EXPORT,
      out: { kind: 'path', value: 'DIR', short: 'o', help: "the tree's folder" },
      json: { ...JSON_OUTPUT, help: `${JSON_OUTPUT.help}: { "out" } and the counts the summary line gives` },
      quiet: QUIET,
      version: { kind: 'text', value: 'NAME', default: 'v1.0-playment', help: 'nuscenes: the version folder' },
      'rows-per-file': {
        kind: 'integer',
        value: 'N',
        min: 1,
        max: UNBOUNDED,
        default: 16,
        help: 'parquet: frames per file (each file is one row group)',
      },
    },
    positionals: ['LAYOUT'],
    required: ['from', 'out'],
    examples: ['playment-masks dataset semantickitti --from ./kitti -o ./semantickitti'],
    failure: 'the export cannot be used (not kitti, no points) or the tree cannot be written',
  },
  report: {
    usage: 'report --from EXPORT_DIR --out DIR [--against OLD_EXPORT_DIR] [options]',
    summary: 'a static HTML report of an export',
    description:
      'Writes DIR/index.html, a report that opens from disk (no server, no network): the batch, points per\n' +
      "class, a table of jobs, flags that lead to the frames to look at, and per frame a bird's-eye view\n" +
      '(PNG, needs an export made with --with-points). With --against, the jobs added, removed and\n' +
      're-labelled since an older export of the batch, with the points whose class changed.\n' +
      'DIR must be empty, missing, or a report this command wrote (then replaced).',
    options: {
      from: FROM_EXPORT,
      out: { kind: 'path', value: 'DIR', help: "the report's folder" },
      against: { kind: 'path', value: 'OLD_EXPORT_DIR', help: 'an older export of the batch to compare with' },
      'unlabelled-share': {
        kind: 'number',
        value: 'R',
        min: 0,
        max: 1,
        default: FLAG_DEFAULTS.unlabelledShare,
        help: 'flag frames whose share of unlabelled points is at least R',
      },
      'rare-class-points': count(
        0,
        'flag frames holding a class with fewer than N points in the batch',
        FLAG_DEFAULTS.rareClassPoints,
      ),
      'far-m': {
        kind: 'number',
        value: 'M',
        min: 0,
        aboveMin: true,
        max: UNBOUNDED,
        default: FLAG_DEFAULTS.farMetres,
        help: 'flag frames with points farther than M metres from the sensor',
      },
      'metres-per-pixel': {
        kind: 'number',
        value: 'M',
        min: 0,
        aboveMin: true,
        max: 100,
        default: VIEW_DEFAULTS.metresPerPixel,
        help: "scale of the bird's-eye views",
      },
      'view-size': {
        kind: 'integer',
        value: 'PX',
        min: 64,
        max: 4096,
        default: VIEW_DEFAULTS.size,
        help: "width and height of the bird's-eye views, in pixels",
      },
      threads: threadCount('render threads'),
    },
    positionals: [],
    required: ['from', 'out'],
    examples: [
      'playment-masks report --from ./labels --out ./labels-report',
      'playment-masks report --from ./labels --out ./labels-report --against ./labels-last-week',
    ],
    failure: 'the export cannot be read or a frame cannot be drawn (its error code), or DIR holds something else',
  },
  view: {
    usage: 'view EXPORT_DIR [--port N] [--open]',
    summary: 'a local 3D viewer of an export',
    description:
      'Serves a 3D viewer of an export made with --with-points on 127.0.0.1 only, at a URL with a\n' +
      'random token, until Ctrl-C: pick a job and frame, colour points by class or instance, toggle\n' +
      'classes, change the point size, orbit and zoom with the mouse, step frames with the arrow keys.',
    options: {
      port: { kind: 'integer', value: 'N', min: 0, max: 65_535, default: 0, help: 'port on 127.0.0.1 (0: a free one)' },
      open: { kind: 'flag', help: 'open the page in the default browser' },
    },
    positionals: ['EXPORT_DIR'],
    required: [],
    examples: ['playment-masks view ./labels --open'],
    failure: 'the export cannot be read, or the port is in use',
  },
};

export const COMMANDS = Object.keys(SPECS) as CommandName[];
