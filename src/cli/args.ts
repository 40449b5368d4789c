// Command-line parsing: argv in, a Command or a UsageError out. Pure: no process, no environment, no I/O.
import { PlaymentMasksError } from '../errors.js';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats.js';

export type CommandName = 'export' | 'decode' | 'simulate' | 'demo';

export interface ExportCommand {
  command: 'export';
  project: string;
  batch: string;
  out: string;
  baseUrl: string | undefined;
  format: ExportFormat;
  /** Present (true) only with --with-points. */
  withPoints?: boolean;
  concurrency: number | undefined;
  threads: number | undefined;
  /** Cap on requests per second to the API (the vendor's older docs quote 5). */
  maxRps: number | undefined;
}

export interface DecodeCommand {
  command: 'decode';
  file: string;
  out: string | undefined;
  json: boolean;
}

export interface SimulateCommand {
  command: 'simulate';
  port: number;
  jobs: number;
  frames: number;
  points: number;
}

export interface DemoCommand {
  command: 'demo';
  out: string | undefined;
  jobs: number;
  frames: number;
  points: number;
  format: ExportFormat;
  /** Present (true) only with --with-points. */
  withPoints?: boolean;
}

export type Command =
  | ExportCommand
  | DecodeCommand
  | SimulateCommand
  | DemoCommand
  | { command: 'help'; topic: CommandName | undefined }
  | { command: 'version' };

/** The command line is not usable; the message says why (it never repeats a positional argument's value). */
export class UsageError extends PlaymentMasksError {
  readonly topic: CommandName | undefined;

  constructor(message: string, topic?: CommandName) {
    super('USAGE', message);
    this.topic = topic;
  }
}

export const SIMULATE_DEFAULTS = Object.freeze({ port: 8080, jobs: 50, frames: 4, points: 100_000 });
export const DEMO_DEFAULTS = Object.freeze({ jobs: 60, frames: 4, points: 100_000 });

type Kind = 'string' | 'count' | 'port' | 'format' | 'flag';

interface Spec {
  options: Record<string, Kind>;
  /** Names of the positional arguments, in order (all required). */
  positionals: readonly string[];
  required: readonly string[];
}

const SPECS: Record<CommandName, Spec> = {
  export: {
    options: {
      project: 'string',
      batch: 'string',
      out: 'string',
      'base-url': 'string',
      format: 'format',
      'with-points': 'flag',
      concurrency: 'count',
      threads: 'count',
      'max-rps': 'count',
    },
    positionals: [],
    required: ['project', 'batch', 'out'],
  },
  decode: { options: { out: 'string', json: 'flag' }, positionals: ['FILE'], required: [] },
  simulate: {
    options: { port: 'port', jobs: 'count', frames: 'count', points: 'count' },
    positionals: [],
    required: [],
  },
  demo: {
    options: {
      out: 'string',
      jobs: 'count',
      frames: 'count',
      points: 'count',
      format: 'format',
      'with-points': 'flag',
    },
    positionals: [],
    required: [],
  },
};

const COMMANDS = Object.keys(SPECS) as CommandName[];
const MAX_COUNT = 1_000_000_000;

/** Parses the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw new UsageError('help: unknown command');
    return { command: 'help', topic };
  }
  if (first === '-v' || first === '--version') return { command: 'version' };
  if (!isCommand(first)) {
    throw new UsageError(first.startsWith('-') ? `unknown option ${optionName(first)}` : 'unknown command');
  }
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help', topic: first };
  const { values, positionals } = scan(first, rest);
  const spec = SPECS[first];
  for (const name of spec.required) {
    if (values[name] === undefined) throw new UsageError(`${first}: --${name} is required`, first);
  }
  if (positionals.length !== spec.positionals.length) {
    const expected = spec.positionals.length === 0 ? 'no arguments' : spec.positionals.join(' ');
    throw new UsageError(`${first}: expected ${expected}, got ${positionals.length} argument(s)`, first);
  }
  return build(first, values, positionals);
}

type Values = Record<string, string | number | boolean | undefined>;

function scan(command: CommandName, args: readonly string[]): { values: Values; positionals: string[] } {
  const spec = SPECS[command];
  const values: Values = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-')
        throw new UsageError(`${command}: unknown option ${optionName(arg)}`, command);
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    if (name === 'api-key' || name === 'key') {
      throw new UsageError(`${command}: the API key is never an argument: set PLAYMENT_API_KEY`, command);
    }
    const kind = spec.options[name];
    if (kind === undefined) throw new UsageError(`${command}: unknown option --${name}`, command);
    if (values[name] !== undefined) throw new UsageError(`${command}: --${name} given twice`, command);
    if (kind === 'flag') {
      if (equals !== -1) throw new UsageError(`${command}: --${name} takes no value`, command);
      values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (equals !== -1) raw = arg.slice(equals + 1);
    else {
      raw = args[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
        throw new UsageError(`${command}: --${name} needs a value`, command);
      }
      i++;
    }
    values[name] = convert(command, name, kind, raw);
  }
  return { values, positionals };
}

function convert(command: CommandName, name: string, kind: Exclude<Kind, 'flag'>, raw: string): string | number {
  switch (kind) {
    case 'string':
      if (raw === '') throw new UsageError(`${command}: --${name} must not be empty`, command);
      return raw;
    case 'format':
      if (!(EXPORT_FORMATS as readonly string[]).includes(raw)) {
        throw new UsageError(`${command}: --${name} must be one of ${EXPORT_FORMATS.join(', ')}`, command);
      }
      return raw;
    case 'count':
      return integer(command, name, raw, 1, MAX_COUNT);
    case 'port':
      return integer(command, name, raw, 0, 65535);
  }
}

function integer(command: CommandName, name: string, raw: string, min: number, max: number): number {
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`${command}: --${name} must be an integer from ${min} to ${max}`, command);
  }
  return value;
}

function build(command: CommandName, values: Values, positionals: string[]): Command {
  const string = (name: string) => values[name] as string | undefined;
  const number = (name: string) => values[name] as number | undefined;
  switch (command) {
    case 'export':
      return {
        command,
        project: string('project')!,
        batch: string('batch')!,
        out: string('out')!,
        baseUrl: string('base-url'),
        format: (string('format') ?? 'npy') as ExportFormat,
        ...withPoints(values),
        concurrency: number('concurrency'),
        threads: number('threads'),
        maxRps: number('max-rps'),
      };
    case 'decode':
      return { command, file: positionals[0]!, out: string('out'), json: values.json === true };
    case 'simulate':
      return {
        command,
        port: number('port') ?? SIMULATE_DEFAULTS.port,
        jobs: number('jobs') ?? SIMULATE_DEFAULTS.jobs,
        frames: number('frames') ?? SIMULATE_DEFAULTS.frames,
        points: number('points') ?? SIMULATE_DEFAULTS.points,
      };
    case 'demo':
      return {
        command,
        out: string('out'),
        jobs: number('jobs') ?? DEMO_DEFAULTS.jobs,
        frames: number('frames') ?? DEMO_DEFAULTS.frames,
        points: number('points') ?? DEMO_DEFAULTS.points,
        format: (string('format') ?? 'npy') as ExportFormat,
        ...withPoints(values),
      };
  }
}

function withPoints(values: Values): { withPoints?: boolean } {
  return values['with-points'] === true ? { withPoints: true } : {};
}

function isCommand(word: string | undefined): word is CommandName {
  return (COMMANDS as (string | undefined)[]).includes(word);
}

// Only the option's name: whatever follows '=' could be a secret pasted in the wrong place.
function optionName(arg: string): string {
  const equals = arg.indexOf('=');
  return equals === -1 ? arg : arg.slice(0, equals);
}

export const HELP: Record<CommandName | 'main', string> = {
  main: `playment-masks: Playment point-cloud segmentation masks to per-point label files

Usage:
  playment-masks export --project P --batch B --out DIR [options]   export a whole batch
  playment-masks decode FILE [--out FILE.npy] [--json]              count the labels of one mask file
  playment-masks simulate [--port N] [--jobs N] [--frames N] [--points N]
                                                                    run a local simulator of the API
  playment-masks demo [--out DIR]                                   export a simulated batch, offline

Run "playment-masks COMMAND --help" for a command's options.
Exit codes: 0 done, 1 some jobs failed (or an error), 2 usage error.`,
  export: `Usage: playment-masks export --project P --batch B --out DIR [options]

Exports every mask of batch B of project P into DIR: one label file per mask, each job's result
object (jobs/<job>/result.json), index.jsonl (one line per mask) and summary.json.
Rerun the same command to resume after an interruption: complete jobs are skipped.

The API key is read from the PLAYMENT_API_KEY environment variable (never an argument).

Options:
  --project P         project id
  --batch B           batch id
  --out DIR           output folder (created if missing)
  --base-url URL      API origin (default https://api.playment.io)
  --format F          npy (default; NumPy uint16), bin (raw uint16 LE), kitti (SemanticKITTI .label)
  --with-points       also fetch each frame's lidar PCD, check its point count against the mask, and
                      write the points next to the labels: npy float32 (N, 3) .points.npy, bin raw
                      float32 x y z .points.bin, kitti velodyne .bin (float32 x y z intensity)
  --concurrency N     masks in flight at once (default 32)
  --threads N         decoding threads (default: the number of CPUs)
  --max-rps N         at most N requests per second to the API (default: no cap; the API's
                      429 answers are waited out either way)
  -h, --help          this help

Exit codes: 0 all done, 1 some jobs failed (listed, and in summary.json) or the batch could
not be listed, 2 usage error.`,
  decode: `Usage: playment-masks decode FILE [--out FILE.npy] [--json]

Decodes one mask file (a JSON array of label keys) and prints its point count and the
number of points of each label.

Options:
  --out FILE.npy      also write the labels as a NumPy .npy file (uint16)
  --json              print JSON: { "points": N, "labels": { "<key>": count } }
  -h, --help          this help`,
  simulate: `Usage: playment-masks simulate [--port N] [--jobs N] [--frames N] [--points N]

Runs a local simulator of the Playment API on 127.0.0.1 until Ctrl-C: batch pages, job
results, and attachments redirected to a second storage origin with expiring signatures.
Prints the base URL and the API key to use.

Options:
  --port N            API port (default ${SIMULATE_DEFAULTS.port}; 0 picks a free one)
  --jobs N            jobs in the batch (default ${SIMULATE_DEFAULTS.jobs})
  --frames N          frames (masks) per job (default ${SIMULATE_DEFAULTS.frames})
  --points N          points per mask (default ${SIMULATE_DEFAULTS.points})
  -h, --help          this help`,
  demo: `Usage: playment-masks demo [--out DIR] [--jobs N] [--frames N] [--points N] [--format F] [--with-points]

Starts the simulator on loopback and exports a realistic batch (several pages, several frames
per job, 100k-point masks) into DIR (default: a new temporary folder), then prints the summary.
Needs no network.

Options:
  --out DIR           output folder (default: a new folder under the system temp folder)
  --jobs N            jobs (default ${DEMO_DEFAULTS.jobs})
  --frames N          frames per job (default ${DEMO_DEFAULTS.frames})
  --points N          points per mask (default ${DEMO_DEFAULTS.points})
  --format F          npy (default), bin or kitti
  --with-points       also export each frame's point cloud (see export --help)
  -h, --help          this help`,
};
