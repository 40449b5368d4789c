// Command-line parsing: argv in, a Command or a UsageError out. Pure: no process, no environment, no I/O.
import { apiKeyProblem, baseUrlProblem } from '../api/options.js';
import { PlaymentMasksError } from '../errors.js';
import type { ExportFormat } from '../formats/index.js';
import { FAULT_ROUTES, ROUTE_FAULTS, type FaultKind, type Route } from '../sim/faults.js';
import type { Compression } from '../sim/reply.js';
import type { SimulatorOptions } from '../sim/server.js';
import type { UnknownClasses } from '../export/classes.js';
import type { LabelMode } from '../export/legend.js';
import {
  API_KEY_VARIABLE,
  COMMANDS,
  DATASET_LAYOUTS,
  SIZE_FLAGS,
  SPECS,
  type CommandName,
  type OptionSpec,
} from './spec.js';
import { didYouMean } from './suggest.js';

export interface ExportCommand {
  command: 'export';
  project: string;
  batch: string;
  out: string;
  baseUrl: string | undefined;
  format: ExportFormat;
  /** Present (true) only with --with-points. */
  withPoints?: boolean;
  labels: LabelMode;
  /** Present (true) only with --instances. */
  instances?: boolean;
  /** --classes FILE. */
  classes: string | undefined;
  unknownClasses: UnknownClasses;
  /** --status: the statuses to export, or 'all'. */
  statuses: string[] | 'all';
  /** Present (true) only when --status was given: a value no listed job has is then a usage error. */
  statusGiven?: boolean;
  /** Present (true) only with --refresh. */
  refresh?: boolean;
  /** Present (true) only with --require-labels. */
  requireLabels?: boolean;
  concurrency: number | undefined;
  threads: number | undefined;
  /** Cap on requests per second to the API (the vendor's older docs quote 5). */
  maxRps: number | undefined;
  /** --request-timeout-s, in milliseconds. */
  requestTimeoutMs: number | undefined;
  /** --speed-limit, bytes per second. */
  minBytesPerSecond: number | undefined;
  /** --speed-time, in milliseconds. */
  minSpeedWindowMs: number | undefined;
  maxPages: number | undefined;
  /** The size limits given (--max-...-mib), in bytes; present only when one is. */
  sizes?: Partial<Record<(typeof SIZE_FLAGS)[keyof typeof SIZE_FLAGS], number>>;
  output: Output;
}

/** How much a command writes, and where: see OUTPUT_OPTIONS in spec.ts. */
export interface Output {
  /** One JSON document on stdout, nothing else there (messages and progress on stderr). */
  json: boolean;
  /** Errors only. */
  quiet: boolean;
  /** Also each request the client retries. */
  verbose: boolean;
  /** No progress bar or lines. */
  progress: boolean;
}

export interface DecodeCommand {
  command: 'decode';
  /** Mask files or folders of them; a lone '-' is standard input. */
  files: string[];
  out: string | undefined;
  output: Output;
  format: ExportFormat | undefined;
  threads: number | undefined;
}

export interface SimulateCommand {
  command: 'simulate';
  simulator: SimulatorOptions;
}

export interface DemoCommand {
  command: 'demo';
  /** Where to export; undefined for a temporary folder. */
  out: string | undefined;
  /** Keep the temporary folder (always kept with `out`). */
  keep: boolean;
  format: ExportFormat;
  /** Present (true) only with --with-points. */
  withPoints?: boolean;
  simulator: SimulatorOptions;
  output: Output;
}

export interface DatasetCommand {
  command: 'dataset';
  layout: (typeof DATASET_LAYOUTS)[number];
  from: string;
  out: string;
  output: Output;
  /** nuscenes: the version folder. */
  version?: string;
  /** parquet: frames per file. */
  rowsPerFile?: number;
}

export interface ReportCommand {
  command: 'report';
  from: string;
  out: string;
  against: string | undefined;
  thresholds: { unlabelledShare?: number; rareClassPoints?: number; farMetres?: number };
  view: { metresPerPixel?: number; size?: number };
  threads: number | undefined;
}

export interface ViewCommand {
  command: 'view';
  from: string;
  port: number;
  open: boolean;
}

export type Command =
  | ViewCommand
  | DatasetCommand
  | ReportCommand
  | ExportCommand
  | DecodeCommand
  | SimulateCommand
  | DemoCommand
  | { command: 'help'; topic: CommandName | undefined }
  | { command: 'usage' }
  | { command: 'version' };

/** The command line is not usable; the message says why (it never repeats a positional argument's value). */
export class UsageError extends PlaymentMasksError {
  readonly topic: CommandName | undefined;

  constructor(message: string, topic?: CommandName) {
    super('USAGE', message);
    this.topic = topic;
  }
}

const TOP_LEVEL_OPTIONS = ['--help', '--version'];

/** Parses the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) return { command: 'usage' };
  if (first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) {
      throw new UsageError(`help: unknown command${shownWord(topic)}${didYouMean(topic, COMMANDS)}`);
    }
    return { command: 'help', topic };
  }
  if (first === '-v' || first === '-V' || first === '--version') return { command: 'version' };
  if (!isCommand(first)) {
    if (first.startsWith('-')) {
      const name = optionName(first);
      throw new UsageError(`unknown option ${name}${didYouMean(name, TOP_LEVEL_OPTIONS)}`);
    }
    throw new UsageError(`unknown command${shownWord(first)}${didYouMean(first, COMMANDS)}`);
  }
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help', topic: first };
  const { values, positionals } = scan(first, rest);
  const spec = SPECS[first];
  if (values.quiet === true && values.verbose === true) {
    throw new UsageError(`${first}: --quiet and --verbose contradict each other: give one`, first);
  }
  const missing = spec.required.filter((name) => values[name] === undefined).map((name) => `--${name}`);
  if (missing.length === 1) throw new UsageError(`${first}: ${missing[0]} is required`, first);
  if (missing.length > 1) throw new UsageError(`${first}: ${missing.join(', ')} are required`, first);
  // A last positional named `NAME...` takes one or more arguments.
  const variadic = spec.positionals.at(-1)?.endsWith('...') === true;
  if (variadic ? positionals.length < spec.positionals.length : positionals.length !== spec.positionals.length) {
    const expected = spec.positionals.length === 0 ? 'no arguments' : spec.positionals.join(' ');
    throw new UsageError(`${first}: expected ${expected}, got ${positionals.length} argument(s)`, first);
  }
  return build(first, values, positionals);
}

/**
 * The API key from the environment, checked here so that a mistake names the variable: a key read from a file often
 * ends with its line break. Throws UsageError; the message never contains the key.
 */
export function readApiKey(env: Readonly<Record<string, string | undefined>>): string {
  const key = env[API_KEY_VARIABLE] ?? '';
  if (key === '') throw new UsageError(`export: set ${API_KEY_VARIABLE} to your API key`, 'export');
  if (/[\r\n]$/.test(key)) {
    throw new UsageError(`export: ${API_KEY_VARIABLE} ends with a line break (read from a file?): remove it`, 'export');
  }
  if (/^\s|\s$/.test(key)) {
    throw new UsageError(`export: ${API_KEY_VARIABLE} starts or ends with a space: remove it`, 'export');
  }
  const problem = apiKeyProblem(key);
  if (problem !== undefined) throw new UsageError(`export: ${API_KEY_VARIABLE} ${problem}`, 'export');
  return key;
}

type Value = string | number | boolean | readonly string[];
type Values = Record<string, Value | undefined>;

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
    const short = /^-[A-Za-z]$/.test(arg) ? shortNames(spec).get(arg[1]!) : undefined;
    if ((!arg.startsWith('--') || arg === '-') && short === undefined) {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(`${command}: unknown option ${optionName(arg)}`, command);
      }
      positionals.push(arg);
      continue;
    }
    const equals = short === undefined ? arg.indexOf('=') : -1;
    const name = short ?? arg.slice(2, equals === -1 ? undefined : equals);
    if (name === 'api-key' || name === 'key') {
      throw new UsageError(`${command}: the API key is never an argument: set ${API_KEY_VARIABLE}`, command);
    }
    const option = spec.options[name];
    if (option === undefined) {
      const known = Object.keys(spec.options).map((known) => `--${known}`);
      throw new UsageError(`${command}: unknown option --${name}${didYouMean(`--${name}`, known)}`, command);
    }
    if (values[name] !== undefined) throw new UsageError(`${command}: --${name} given twice`, command);
    if (option.kind === 'flag') {
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
    values[name] = convert(`${command}: --${name}`, option, raw, command);
  }
  return { values, positionals };
}

/** The options of a command by their one-letter name (`-p` for --project). */
function shortNames(spec: (typeof SPECS)[CommandName]): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) if (option.short) names.set(option.short, name);
  return names;
}

/** ` "frob"` for a word that looks like a mistyped command; nothing for anything else (it could be a pasted secret). */
function shownWord(word: string): string {
  return /^[a-z][a-z-]{0,19}$/i.test(word) ? ` "${word}"` : '';
}

/** `subject` is `command: --name`, the start of every message. */
function convert(subject: string, option: OptionSpec, raw: string, command: CommandName): Value {
  const fail = (problem: string): never => {
    throw new UsageError(`${subject} ${problem}`, command);
  };
  if (raw === '') fail('must not be empty');
  switch (option.kind) {
    case 'text':
      return raw;
    case 'path':
      // A value that looks like an option is a forgotten value far more often than a name (`--out -x`).
      if (raw.startsWith('-'))
        fail(`needs a value, not the option-like ${raw} (for a file of that name, write ./${raw})`);
      return raw;
    case 'url':
      return checkUrl(raw, fail);
    case 'integer':
      return bounded(/^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN, option, 'an integer', fail);
    case 'number':
      return bounded(/^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(raw) ? Number(raw) : Number.NaN, option, 'a number', fail);
    case 'choice':
      if (!option.choices!.includes(raw))
        fail(`must be one of ${option.choices!.join(', ')}${didYouMean(raw, option.choices!)}`);
      return raw;
    case 'list': {
      const items = raw.split(',').map((item) => item.trim());
      for (const item of items) {
        if (!option.choices!.includes(item)) {
          fail(`takes a comma-separated list of ${option.choices!.join(', ')}${didYouMean(item, option.choices!)}`);
        }
      }
      return [...new Set(items)];
    }
    case 'flag':
      return fail('takes no value');
  }
}

function bounded(value: number, option: OptionSpec, what: string, fail: (problem: string) => never): number {
  const min = option.min!;
  const max = option.max!;
  const low = option.aboveMin ? value > min : value >= min;
  if (!(low && value <= max)) {
    if (max === Number.MAX_SAFE_INTEGER) fail(`must be ${what} ${option.aboveMin ? '>' : '>='} ${min}`);
    fail(`must be ${what} from ${min} to ${max}`);
  }
  return value;
}

// Echoes the URL in a suggestion: an address, not a secret (and the key is scrubbed from every message anyway).
function checkUrl(raw: string, fail: (problem: string) => never): string {
  const problem = baseUrlProblem(raw);
  if (problem === undefined) return raw;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const host = raw.replace(/[/:].*$/, '');
    const local = host === 'localhost' || /^[0-9.]+$/.test(host) || host.startsWith('[');
    const guess = `${local ? 'http' : 'https'}://${raw}`;
    if (baseUrlProblem(guess) === undefined) fail(`needs a scheme: did you mean ${guess}?`);
  }
  return fail(problem);
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
        format: (string('format') ?? SPECS.export.options.format!.default) as ExportFormat,
        ...withPoints(values),
        labels: (string('labels') ?? SPECS.export.options.labels!.default) as LabelMode,
        ...(values.instances === true ? { instances: true } : {}),
        classes: string('classes'),
        unknownClasses: (string('unknown-classes') ?? 'fail') as UnknownClasses,
        statuses: statusesOf(string('status')),
        ...(values.status === undefined ? {} : { statusGiven: true }),
        ...(values.refresh === true ? { refresh: true } : {}),
        ...(values['require-labels'] === true ? { requireLabels: true } : {}),
        concurrency: number('concurrency'),
        threads: number('threads'),
        maxRps: number('max-rps'),
        requestTimeoutMs: secondsToMs(number('request-timeout-s')),
        minBytesPerSecond: number('speed-limit'),
        minSpeedWindowMs: secondsToMs(number('speed-time')),
        maxPages: number('max-pages'),
        ...sizesOf(values),
        output: outputOf(values),
      };
    case 'decode':
      return {
        command,
        files: positionals,
        out: string('out'),
        output: outputOf(values),
        format: string('format') as ExportFormat | undefined,
        threads: number('threads'),
      };
    case 'dataset': {
      const layout = positionals[0]!;
      if (!(DATASET_LAYOUTS as readonly string[]).includes(layout)) {
        throw new UsageError(
          `dataset: the layout must be one of ${DATASET_LAYOUTS.join(', ')}${didYouMean(layout, DATASET_LAYOUTS)}`,
          command,
        );
      }
      for (const [flag, only] of [
        ['version', 'nuscenes'],
        ['rows-per-file', 'parquet'],
      ] as const) {
        if (values[flag] !== undefined && layout !== only) {
          throw new UsageError(`dataset: --${flag} is for the ${only} layout only`, command);
        }
      }
      return {
        command,
        layout: layout as DatasetCommand['layout'],
        from: string('from')!,
        out: string('out')!,
        output: outputOf(values),
        ...(values.version !== undefined && { version: string('version')! }),
        ...(values['rows-per-file'] !== undefined && { rowsPerFile: number('rows-per-file')! }),
      };
    }
    case 'report':
      return {
        command,
        from: string('from')!,
        out: string('out')!,
        against: string('against'),
        thresholds: defined({
          unlabelledShare: number('unlabelled-share'),
          rareClassPoints: number('rare-class-points'),
          farMetres: number('far-m'),
        }),
        view: defined({ metresPerPixel: number('metres-per-pixel'), size: number('view-size') }),
        threads: number('threads'),
      };
    case 'view':
      return {
        command,
        from: positionals[0]!,
        port: givenOrDefault(command, values, 'port'),
        open: values.open === true,
      };
    case 'simulate':
      return {
        command,
        simulator: { ...simulatorOptions(command, values), port: givenOrDefault(command, values, 'port') },
      };
    case 'demo':
      return {
        command,
        out: string('out'),
        keep: values.keep === true,
        format: (string('format') ?? SPECS.demo.options.format!.default) as ExportFormat,
        ...withPoints(values),
        simulator: simulatorOptions(command, values),
        output: outputOf(values),
      };
  }
}

/** The value given, or the spec's default (numbers only: the defaults of the others are for the help). */
function givenOrDefault(command: CommandName, values: Values, name: string): number {
  return (values[name] as number | undefined) ?? (SPECS[command].options[name]!.default as number);
}

function simulatorOptions(command: 'simulate' | 'demo', values: Values): SimulatorOptions {
  const given = <T>(name: string) => values[name] as T | undefined;
  const number = (name: string) => givenOrDefault(command, values, name);
  const kinds = given<FaultKind[]>('fault-kinds');
  const routes = given<Route[]>('fault-routes');
  const compression = given<Compression>('compression');
  // The default kinds are drawn only where they apply: only kinds asked for must apply somewhere.
  if (kinds !== undefined) checkFaultsApply(command, kinds, routes ?? FAULT_ROUTES);
  return {
    jobs: number('jobs'),
    frames: number('frames'),
    sensors: number('sensors'),
    points: number('points'),
    pageSize: number('page-size'),
    seed: number('seed'),
    ...(values['legacy-masks'] === true ? { legacyMasks: true } : {}),
    ...(values['pcl-padding'] === true ? { pclPadding: true } : {}),
    ...(values['nan-returns'] === true ? { nanReturns: true } : {}),
    ...(given<string>('shape') === undefined ? {} : { shape: given<SimulatorOptions['shape']>('shape') }),
    ...(compression === undefined ? {} : { compression }),
    latencyMs: number('latency-ms'),
    rateLimit: number('rate-limit'),
    ...(values['rate-burst'] === undefined ? {} : { rateBurst: values['rate-burst'] as number }),
    faults: {
      rate: number('fault-rate'),
      seed: number('fault-seed'),
      retryAfterSeconds: number('retry-after'),
      stallMs: number('stall-ms'),
      ...(kinds === undefined ? {} : { kinds }),
      ...(routes === undefined ? {} : { routes }),
    },
  };
}

/** Each fault kind asked for must be one the routes asked for can give (badJson is no storage fault). */
function checkFaultsApply(command: 'simulate' | 'demo', kinds: readonly FaultKind[], routes: readonly Route[]): void {
  for (const kind of kinds) {
    if (!routes.some((route) => ROUTE_FAULTS[route].has(kind))) {
      const where = Object.entries(ROUTE_FAULTS).flatMap(([route, faults]) => (faults.has(kind) ? [route] : []));
      throw new UsageError(
        `${command}: --fault-kinds ${kind} applies to none of --fault-routes ${routes.join(',')} (only to ${where.join(', ')})`,
        command,
      );
    }
  }
}

/** --status: a comma list of statuses (any the vendor uses), `all` among them meaning every status. */
function statusesOf(raw: string | undefined): string[] | 'all' {
  if (raw === undefined) return [...EXPORT_STATUSES_DEFAULT];
  const statuses = [...new Set(raw.split(',').map((status) => status.trim()))];
  if (statuses.includes('')) {
    throw new UsageError('export: --status must be a comma-separated list of statuses, or all', 'export');
  }
  return statuses.includes('all') ? 'all' : statuses;
}

const EXPORT_STATUSES_DEFAULT = String(SPECS.export.options.status!.default).split(',');

function outputOf(values: Values): Output {
  const json = values.json === true;
  const quiet = values.quiet === true;
  return { json, quiet, verbose: values.verbose === true, progress: values['no-progress'] !== true && !quiet };
}

function withPoints(values: Values): { withPoints?: boolean } {
  return values['with-points'] === true ? { withPoints: true } : {};
}

/** The entries whose value was given. */
function defined<T extends Record<string, number | undefined>>(values: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: number;
  };
}

function isCommand(word: string | undefined): word is CommandName {
  return (COMMANDS as (string | undefined)[]).includes(word);
}

// Only the option's name: whatever follows '=' could be a secret pasted in the wrong place.
function optionName(arg: string): string {
  const equals = arg.indexOf('=');
  return equals === -1 ? arg : arg.slice(0, equals);
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

/** The --max-...-mib flags given, in bytes. */
function sizesOf(values: Record<string, unknown>): Pick<ExportCommand, 'sizes'> {
  const sizes: NonNullable<ExportCommand['sizes']> = {};
  for (const [flag, option] of Object.entries(SIZE_FLAGS)) {
    const mebibytes = values[flag];
    if (typeof mebibytes === 'number') sizes[option] = mebibytes * 2 ** 20;
  }
  return Object.keys(sizes).length > 0 ? { sizes } : {};
}
