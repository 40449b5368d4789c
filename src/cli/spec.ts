// What the command line accepts: each command's usage, words and options. The options are the library's own
// declarations (the option-table.ts of export, api, dataset, report, viewer and sim), keyed here by their flags; the
// parser (args.ts), the help (help.ts) and the messages for library errors (messages.ts) all read these tables.
import { API_KEY_VARIABLE, CLIENT_OPTIONS } from '../api/option-table.js';
import { EXPORT_OPTIONS } from '../export/option-table.js';
import { DATASET_OPTIONS, NUSCENES_OPTIONS, PARQUET_OPTIONS } from '../dataset/option-table.js';
import { declareOptions, type OptionSpec } from '../options/option.js';
import { REPORT_OPTIONS, THRESHOLD_OPTIONS } from '../report/option-table.js';
import { VIEW_OPTIONS } from '../report/view-options.js';
import { VIEWER_OPTIONS } from '../viewer/option-table.js';
import { DEMO_DEFAULTS, SIMULATE_DEFAULTS, simulatorOptions } from './simulator-options.js';

export { API_KEY_VARIABLE };

export type CommandName = 'export' | 'decode' | 'simulate' | 'demo' | 'dataset' | 'report' | 'view';

/** The training-set layouts `dataset` builds from an export. */
export const DATASET_LAYOUTS = Object.freeze(['semantickitti', 'nuscenes', 'parquet'] as const);

/** The options only one layout takes, by layout. */
export const LAYOUT_OPTIONS: Readonly<Partial<Record<(typeof DATASET_LAYOUTS)[number], Record<string, OptionSpec>>>> =
  Object.freeze({ nuscenes: NUSCENES_OPTIONS, parquet: PARQUET_OPTIONS });

/** An option the command line takes: one with a flag. */
export type FlagSpec = Readonly<OptionSpec & { flag: string; library: string }>;

export interface CommandSpec {
  /** The line after `Usage: playment-masks `. */
  usage: string;
  summary: string;
  /** Paragraphs between the usage line and the options. */
  description: string;
  /** By flag (`max-in-flight-mib`), in the help's order. */
  options: Readonly<Record<string, FlagSpec>>;
  /** Names of the positional arguments, in order (all required). */
  positionals: readonly string[];
  /** Command lines shown under "Examples" in the help. */
  examples: readonly string[];
  /** What exit code 1 means for this command. */
  failure: string;
}

/** The options among `options` that have a flag, by flag. */
function byFlag(...options: readonly OptionSpec[]): Readonly<Record<string, FlagSpec>> {
  const flagged = options.flatMap((option) => (option.flag === undefined ? [] : [[option.flag, option]]));
  return Object.freeze(Object.fromEntries(flagged) as Record<string, FlagSpec>);
}

/** Options of the command line itself: how much it prints, files it reads, what it keeps. */
export const CLI_OPTIONS = declareOptions({
  json: {
    kind: 'flag',
    flag: 'json',
    help: 'print one JSON document on stdout and nothing else there (messages and progress go to stderr)',
  },
  quiet: { kind: 'flag', flag: 'quiet', short: 'q', help: 'print errors only' },
  verbose: { kind: 'flag', flag: 'verbose', help: 'also print each request the client sends again, and why' },
  noProgress: {
    kind: 'flag',
    flag: 'no-progress',
    help: 'no progress bar or lines (with NO_COLOR set: plain lines instead of a redrawn bar)',
  },
  classes: {
    kind: 'path',
    flag: 'classes',
    value: 'FILE',
    help: "the class table to use (classes.json's shape) instead of ids assigned from the classes found",
  },
  statuses: {
    kind: 'text',
    default: 'completed',
    flag: 'status',
    value: 'S,S',
    help: 'job statuses to export, or all; the others are skipped without a request and counted in summary.json',
  },
});

const { json, quiet, verbose, noProgress } = CLI_OPTIONS;
const exported = EXPORT_OPTIONS;
const client = CLIENT_OPTIONS;

const DECODE_OPTIONS = declareOptions({
  out: {
    kind: 'path',
    flag: 'out',
    short: 'o',
    value: 'DIR',
    help: 'output folder (created if missing); with one file, FILE.npy',
  },
  json: {
    ...json,
    help:
      'print JSON: { "points": N, "labels": { "<key>": count } } for one file; for many, ' +
      '{ "files", "decoded", "points", "failures": [...] }',
  },
});

const DEMO_OPTIONS = declareOptions({
  out: {
    kind: 'path',
    flag: 'out',
    short: 'o',
    value: 'DIR',
    help: 'output folder, kept (default: a temporary folder)',
  },
  keep: { kind: 'flag', flag: 'keep', help: 'keep the temporary folder and print where it is' },
});

const VIEW_CLI_OPTIONS = declareOptions({
  open: { kind: 'flag', flag: 'open', help: 'open the page in the browser ($BROWSER, else the system opener)' },
});

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
    options: byFlag(
      exported.projectId,
      exported.batchId,
      exported.outDir,
      client.baseUrl,
      exported.format,
      exported.withPoints,
      exported.labels,
      exported.instances,
      CLI_OPTIONS.classes,
      exported.unknownClasses,
      CLI_OPTIONS.statuses,
      exported.requireLabels,
      exported.refresh,
      exported.concurrency,
      exported.threads,
      client.maxRequestsPerSecond,
      exported.maxBytesInFlight,
      exported.maxResultBytes,
      exported.maxMaskBytes,
      exported.maxPointCloudBytes,
      client.requestTimeoutMs,
      client.minBytesPerSecond,
      client.minSpeedWindowMs,
      client.maxPages,
      { ...json, help: `${json.help}: the summary, as in summary.json` },
      quiet,
      verbose,
      noProgress,
    ),
    positionals: [],
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
    options: byFlag(
      DECODE_OPTIONS.out,
      { ...exported.format, short: undefined },
      { ...exported.threads, help: 'decoding threads (many files)' },
      DECODE_OPTIONS.json,
    ),
    positionals: ['FILE...'],
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
    options: byFlag(...simulatorOptions(SIMULATE_DEFAULTS)),
    positionals: [],
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
    options: byFlag(
      DEMO_OPTIONS.out,
      DEMO_OPTIONS.keep,
      exported.format,
      exported.withPoints,
      ...simulatorOptions(DEMO_DEFAULTS),
      noProgress,
    ),
    positionals: [],
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
    options: byFlag(
      DATASET_OPTIONS.from,
      DATASET_OPTIONS.out,
      { ...json, help: `${json.help}: { "out" } and the counts the summary line gives` },
      quiet,
      NUSCENES_OPTIONS.version,
      PARQUET_OPTIONS.rowsPerFile,
      PARQUET_OPTIONS.threads,
    ),
    positionals: ['LAYOUT'],
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
    options: byFlag(
      REPORT_OPTIONS.from,
      REPORT_OPTIONS.out,
      REPORT_OPTIONS.against,
      ...Object.values(THRESHOLD_OPTIONS),
      ...Object.values(VIEW_OPTIONS),
      REPORT_OPTIONS.threads,
    ),
    positionals: [],
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
    options: byFlag(VIEWER_OPTIONS.port, VIEW_CLI_OPTIONS.open),
    positionals: ['EXPORT_DIR'],
    examples: ['playment-masks view ./labels --open'],
    failure: 'the export cannot be read, or the port is in use',
  },
};

export const COMMANDS = Object.keys(SPECS) as CommandName[];
