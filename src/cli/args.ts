// Command-line parsing: argv in, a Command or a UsageError out. Pure: no process, no environment, no I/O. Every
// option is read, checked and named from its declaration (spec.ts): the checks are the library's own (problemOf).
import { API_KEY_VARIABLE, apiKeyProblem, type CLIENT_OPTIONS } from '../api/option-table.js';
import { PlaymentMasksError } from '../errors.js';
import type { DATASET_OPTIONS, NUSCENES_OPTIONS, PARQUET_OPTIONS } from '../dataset/option-table.js';
import type { EXPORT_OPTIONS } from '../export/option-table.js';
import type { ExportFormat } from '../formats/index.js';
import { problemOf, urlProblem } from '../options/check.js';
import { inFlagUnits, type OptionSpec, type OptionValues } from '../options/option.js';
import type { ReportOptions } from '../report/report.js';
import type { FaultKind, Route } from '../sim/fault-kinds.js';
import { faultRoutesProblem } from '../sim/option-table.js';
import type { SimulatorOptions } from '../sim/server.js';
import { inCliTerms } from './messages.js';
import { COMMANDS, DATASET_LAYOUTS, LAYOUT_OPTIONS, SPECS, type CommandName, type FlagSpec } from './spec.js';
import { didYouMean } from './suggest.js';

type Flags<T> = Partial<OptionValues<T>>;

/** `export`: exportBatch()'s and the client's options as the flags set them; `classes` a file to read. */
export interface ExportCommand extends ParsedCommand<'export'> {
  options: Flags<typeof EXPORT_OPTIONS> &
    Flags<typeof CLIENT_OPTIONS> & {
      projectId: string;
      batchId: string;
      outDir: string;
      classes?: string;
      /** --status: the statuses to export, or 'all'. */
      statuses: string[] | 'all';
    };
  /** Present (true) only when --status was given: a value no listed job has is then a usage error. */
  statusGiven?: boolean;
}

/** How much a command writes, and where: the CLI_OPTIONS json, quiet, verbose and no-progress. */
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

/** A command line parsed: the options by their library names (`faults.rate` nested), defaults filled in. */
interface ParsedCommand<C extends CommandName> {
  command: C;
  positionals: string[];
  output: Output;
}

export interface DecodeCommand extends ParsedCommand<'decode'> {
  /** `positionals`: mask files or folders of them; a lone '-' is standard input. */
  options: { out?: string; format: ExportFormat; threads?: number };
}

export interface SimulateCommand extends ParsedCommand<'simulate'> {
  options: SimulatorOptions & { port: number };
}

export interface DemoCommand extends ParsedCommand<'demo'> {
  /** `out`: where to export, none for a temporary folder; `keep`: keep the temporary folder. */
  options: SimulatorOptions & { out?: string; keep?: boolean; format: ExportFormat; withPoints: boolean };
}

export interface DatasetCommand extends ParsedCommand<'dataset'> {
  layout: (typeof DATASET_LAYOUTS)[number];
  /** The layout's options (version for nuscenes, rowsPerFile for parquet), defaults filled in. */
  options: OptionValues<typeof DATASET_OPTIONS> & Flags<typeof NUSCENES_OPTIONS & typeof PARQUET_OPTIONS>;
}

export interface ReportCommand extends ParsedCommand<'report'> {
  options: ReportOptions;
}

export interface ViewCommand extends ParsedCommand<'view'> {
  options: { port: number; open?: boolean };
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
  const missing = Object.entries(spec.options)
    .filter(([flag, option]) => option.required && values[flag] === undefined)
    .map(([flag]) => `--${flag}`);
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

/** `subject` is `command: --name`, the start of every message. Numbers come out in the library's units. */
function convert(subject: string, option: FlagSpec, raw: string, command: CommandName): Value {
  const fail = (problem: string): never => {
    throw new UsageError(`${subject} ${problem}`, command);
  };
  const check = (value: Value, inFlag: OptionSpec = option): Value => {
    const problem = problemOf(inFlag, value);
    return problem === undefined ? value : fail(problem);
  };
  if (raw === '') fail('must not be empty');
  switch (option.kind) {
    case 'text':
      return check(raw);
    case 'path':
      // A value that looks like an option is a forgotten value far more often than a name (`--out -x`).
      if (raw.startsWith('-'))
        fail(`needs a value, not the option-like ${raw} (for a file of that name, write ./${raw})`);
      return raw;
    case 'url':
      return checkUrl(raw, fail);
    case 'integer':
    case 'number': {
      const digits = option.kind === 'integer' ? /^[0-9]+$/ : /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
      const value = check(digits.test(raw) ? Number(raw) : Number.NaN, inFlagUnits(option)) as number;
      return value * (option.scale ?? 1);
    }
    case 'choice':
      if (!option.choices!.includes(raw)) fail(`${problemOf(option, raw)}${didYouMean(raw, option.choices!)}`);
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

// Echoes the URL in a suggestion: an address, not a secret (and the key is scrubbed from every message anyway).
function checkUrl(raw: string, fail: (problem: string) => never): string {
  const problem = urlProblem(raw);
  if (problem === undefined) return raw;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const host = raw.replace(/[/:].*$/, '');
    const local = host === 'localhost' || /^[0-9.]+$/.test(host) || host.startsWith('[');
    const guess = `${local ? 'http' : 'https'}://${raw}`;
    if (urlProblem(guess) === undefined) fail(`needs a scheme: did you mean ${guess}?`);
  }
  return fail(problem);
}

/** The flags that say how much a command prints, rather than what it does. */
const OUTPUT_FLAGS = new Set(['json', 'quiet', 'verbose', 'no-progress']);

/**
 * The options by their library names, nested at dots (`faults.rate`), with the defaults of those not given: what
 * the library takes, so that a command passes them on without naming them again.
 */
function optionsOf(command: CommandName, values: Values): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(SPECS[command].options)) {
    const value = values[flag] ?? option.default;
    if (value === undefined || OUTPUT_FLAGS.has(flag)) continue;
    const path = option.library.split('.');
    let target = options;
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[path.at(-1)!] = value;
  }
  return options;
}

function build(command: CommandName, values: Values, positionals: string[]): Command {
  const parsed = { positionals, output: outputOf(values) };
  const options = optionsOf(command, values);
  switch (command) {
    case 'export':
      return {
        command,
        ...parsed,
        options: { ...(options as ExportCommand['options']), statuses: statusesOf(options.statuses as string) },
        ...(values.status === undefined ? {} : { statusGiven: true }),
      };
    case 'dataset': {
      const layout = datasetLayout(values, positionals[0]!);
      // Only the layout's own options (with their defaults), not another layout's.
      const others = Object.values(LAYOUT_OPTIONS).flatMap((table) => Object.keys(table));
      for (const name of others) if (!layoutsTaking(name).includes(layout)) delete options[name];
      return { command, ...parsed, layout, options } as DatasetCommand;
    }
    case 'simulate':
    case 'demo': {
      // Checked here as the simulator checks it, so that a usage error says so before anything starts.
      const problem = faultRoutesProblem(options.faults as { kinds?: FaultKind[]; routes: Route[] });
      if (problem !== undefined) throw new UsageError(inCliTerms(problem, command), command);
      return { command, ...parsed, options } as unknown as SimulateCommand | DemoCommand;
    }
    case 'decode':
    case 'report':
    case 'view':
      return { command, ...parsed, options } as DecodeCommand | ReportCommand | ViewCommand;
  }
}

/** The layouts whose options include `name`. */
function layoutsTaking(name: string): string[] {
  return Object.entries(LAYOUT_OPTIONS).flatMap(([layout, table]) => (name in table ? [layout] : []));
}

/** LAYOUT, checked, and the flags that only some layouts take. */
function datasetLayout(values: Values, layout: string): DatasetCommand['layout'] {
  if (!(DATASET_LAYOUTS as readonly string[]).includes(layout)) {
    throw new UsageError(
      `dataset: the layout must be one of ${DATASET_LAYOUTS.join(', ')}${didYouMean(layout, DATASET_LAYOUTS)}`,
      'dataset',
    );
  }
  for (const name of new Set(Object.values(LAYOUT_OPTIONS).flatMap((table) => Object.keys(table)))) {
    const layouts = layoutsTaking(name);
    const flag = Object.values(LAYOUT_OPTIONS).find((table) => name in table)![name]!.flag;
    if (flag !== undefined && values[flag] !== undefined && !layouts.includes(layout)) {
      const which = layouts.length === 1 ? `the ${layouts[0]} layout` : `the ${layouts.join(' and ')} layouts`;
      throw new UsageError(`dataset: --${flag} is for ${which} only`, 'dataset');
    }
  }
  return layout as DatasetCommand['layout'];
}

/** --status: a comma list of statuses (any the vendor uses), `all` among them meaning every status. */
function statusesOf(raw: string): string[] | 'all' {
  const statuses = [...new Set(raw.split(',').map((status) => status.trim()))];
  if (statuses.includes('')) {
    throw new UsageError('export: --status must be a comma-separated list of statuses, or all', 'export');
  }
  return statuses.includes('all') ? 'all' : statuses;
}

function outputOf(values: Values): Output {
  const json = values.json === true;
  const quiet = values.quiet === true;
  return { json, quiet, verbose: values.verbose === true, progress: values['no-progress'] !== true && !quiet };
}

function isCommand(word: string | undefined): word is CommandName {
  return (COMMANDS as (string | undefined)[]).includes(word);
}

// Only the option's name: whatever follows '=' could be a secret pasted in the wrong place.
function optionName(arg: string): string {
  const equals = arg.indexOf('=');
  return equals === -1 ? arg : arg.slice(0, equals);
}
