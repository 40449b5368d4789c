import { describe, expect, it } from 'vitest';
import { parseArgs, readApiKey, UsageError } from '../src/cli/args.js';
import { helpText, shownDefault } from '../src/cli/help.js';
import { COMMANDS, SPECS } from '../src/cli/spec.js';
import { DEMO_DEFAULTS, SIMULATE_DEFAULTS } from '../src/cli/simulator-options.js';
import { DATASET_DEFAULTS } from '../src/sim/option-table.js';
import { MAX_CONCURRENCY } from '../src/export/options.js';
import { MAX_THREADS } from '../src/pool/max-threads.js';
import {
  formatApi,
  formatBar,
  formatBytes,
  formatDuration,
  formatEta,
  formatLine,
  ProgressView,
} from '../src/cli/progress.js';
import type { ExportProgress } from '../src/export/progress.js';

const exportBase = ['export', '--project', 'p', '--batch', 'b', '--out', 'dir'];
const MiB = 2 ** 20;
const output = { json: false, quiet: false, verbose: false, progress: true };
const simulatorDefaults = {
  jobs: SIMULATE_DEFAULTS.jobs,
  frames: SIMULATE_DEFAULTS.frames,
  points: SIMULATE_DEFAULTS.points,
  sensors: DATASET_DEFAULTS.sensors,
  pageSize: DATASET_DEFAULTS.pageSize,
  seed: DATASET_DEFAULTS.seed,
  legacyMasks: false,
  pclPadding: false,
  nanReturns: false,
  shape: 'frames',
  latencyMs: 0,
  rateLimit: SIMULATE_DEFAULTS.rateLimit,
  faults: {
    rate: 0,
    routes: ['batch', 'job', 'attachment', 'storage'],
    seed: 1,
    retryAfterSeconds: 1,
    stallMs: 60_000,
  },
};
const demoDefaults = { ...simulatorDefaults, ...DEMO_DEFAULTS, format: 'npy', withPoints: false };
/** `simulate` with these simulator options over its defaults. */
const simulate = (options: object) => ({
  command: 'simulate',
  positionals: [],
  output,
  options: { ...simulatorDefaults, port: 8080, ...options },
});
const demo = (options: object) => ({
  command: 'demo',
  positionals: [],
  output,
  options: { ...demoDefaults, ...options },
});
const exportOptions = {
  projectId: 'p',
  batchId: 'b',
  outDir: 'dir',
  baseUrl: 'https://api.playment.io',
  format: 'npy',
  withPoints: false,
  labels: 'class',
  instances: false,
  unknownClasses: 'fail',
  statuses: ['completed'],
  requireLabels: false,
  refresh: false,
  concurrency: 32,
  maxBytesInFlight: 128 * MiB,
  maxResultBytes: 64 * MiB,
  maxMaskBytes: 64 * MiB,
  maxPointCloudBytes: 128 * MiB,
  requestTimeoutMs: 300_000,
  minBytesPerSecond: 1024,
  minSpeedWindowMs: 15_000,
  maxPages: 10_000,
};
/** `export` with these options (library names, library units) over the defaults, and `more` of the command. */
const exported = (options: object, more: object = {}) => ({
  command: 'export',
  positionals: [],
  output,
  options: { ...exportOptions, ...options },
  ...more,
});
const exportDefaults = exported({});
const decode = (files: string[], options: object = {}, more: object = {}) => ({
  command: 'decode',
  positionals: files,
  output,
  options: { format: 'npy', ...options },
  ...more,
});
const dataset = (layout: string, options: object = {}) => ({
  command: 'dataset',
  layout,
  positionals: [layout],
  output,
  options: { from: 'e', out: 'k', ...options },
});

describe('parseArgs: accepted command lines', () => {
  it.each<[string, string[], object]>([
    ['no arguments: a short usage', [], { command: 'usage' }],
    ['--help', ['--help'], { command: 'help', topic: undefined }],
    ['help export', ['help', 'export'], { command: 'help', topic: 'export' }],
    ['export --help', ['export', '--help'], { command: 'help', topic: 'export' }],
    ['decode -h', ['decode', 'x', '-h'], { command: 'help', topic: 'decode' }],
    ['--version', ['--version'], { command: 'version' }],
    ['-V', ['-V'], { command: 'version' }],
    ['export, defaults', exportBase, exportDefaults],
    [
      'export, short flags',
      ['export', '-p', 'p', '-b', 'b', '-o', 'dir', '-f', 'kitti', '-j', '2', '-q'],
      exported({ format: 'kitti', threads: 2 }, { output: { ...output, quiet: true, progress: false } }),
    ],
    [
      'export --json --verbose --no-progress',
      [...exportBase, '--json', '--verbose', '--no-progress'],
      exported({}, { output: { json: true, quiet: false, verbose: true, progress: false } }),
    ],
    [
      'export, every option',
      [
        ...exportBase,
        '--base-url',
        'http://127.0.0.1:1',
        '--format',
        'kitti',
        '--concurrency',
        '8',
        '--threads',
        '2',
        '--max-rps',
        '5',
      ],
      exported({ baseUrl: 'http://127.0.0.1:1', format: 'kitti', concurrency: 8, threads: 2, maxRequestsPerSecond: 5 }),
    ],
    [
      'export, --name=value',
      ['export', '--project=p', '--batch=b', '--out=dir', '--format=bin'],
      exported({ format: 'bin' }),
    ],
    ['export, options in any order', ['export', '--out', 'dir', '--batch', 'b', '--project', 'p'], exportDefaults],
    [
      'export, ids that look like numbers or dashes',
      ['export', '--project', '-1', '--batch', '--', '--out', 'd'],
      exported({ projectId: '-1', batchId: '--', outDir: 'd' }),
    ],
    [
      'export, training-set options',
      [
        ...exportBase,
        '--labels',
        'raw',
        '--instances',
        '--classes',
        'c.json',
        '--unknown-classes',
        'ignore',
        '--status',
        'completed, in_progress,completed',
        '--refresh',
      ],
      exported(
        {
          labels: 'raw',
          instances: true,
          classes: 'c.json',
          unknownClasses: 'ignore',
          statuses: ['completed', 'in_progress'],
          refresh: true,
        },
        { statusGiven: true },
      ),
    ],
    [
      'export --status all',
      [...exportBase, '--status', 'completed,all'],
      exported({ statuses: 'all' }, { statusGiven: true }),
    ],
    ['dataset semantickitti', ['dataset', 'semantickitti', '--from', 'e', '--out', 'k'], dataset('semantickitti')],
    [
      'dataset nuscenes --version',
      ['dataset', 'nuscenes', '--from', 'e', '--out', 'k', '--version', 'v1.0-mine'],
      dataset('nuscenes', { version: 'v1.0-mine' }),
    ],
    [
      'dataset parquet --rows-per-file',
      ['dataset', 'parquet', '--from', 'e', '--out', 'k', '--rows-per-file', '8'],
      dataset('parquet', { rowsPerFile: 8 }),
    ],
    [
      'dataset nuscenes --threads',
      ['dataset', 'nuscenes', '--from', 'e', '--out', 'k', '--threads', '3'],
      dataset('nuscenes', { version: 'v1.0-playment', threads: 3 }),
    ],
    [
      'dataset parquet --threads',
      ['dataset', 'parquet', '--from', 'e', '--out', 'k', '--threads', '2'],
      dataset('parquet', { rowsPerFile: 16, threads: 2 }),
    ],
    ['decode', ['decode', 'mask.txt'], decode(['mask.txt'])],
    [
      'decode --out --json',
      ['decode', '--json', 'm.txt', '--out', 'm.npy'],
      decode(['m.txt'], { out: 'm.npy' }, { output: { ...output, json: true } }),
    ],
    ['decode -- -file', ['decode', '--', '-file'], decode(['-file'])],
    [
      'decode FILE... --out DIR --format --threads',
      ['decode', 'a.json', 'masks', '--out', 'labels', '--format', 'kitti', '--threads', '2'],
      decode(['a.json', 'masks'], { out: 'labels', format: 'kitti', threads: 2 }),
    ],
    ['simulate defaults', ['simulate'], simulate({})],
    [
      'simulate options',
      ['simulate', '--port', '0', '--jobs', '3', '--frames', '2', '--points', '10'],
      simulate({ port: 0, jobs: 3, frames: 2, points: 10 }),
    ],
    [
      'simulate: faults, latency, page size and the rest the simulator supports',
      [
        'simulate',
        '--page-size=7',
        '--latency-ms',
        '20',
        '--fault-rate',
        '0.1',
        '--fault-kinds',
        'http500,reset,http500',
        '--fault-routes',
        'storage',
        '--fault-seed',
        '9',
        '--retry-after',
        '0',
        '--stall-ms',
        '500',
        '--seed',
        '4',
        '--sensors',
        '2',
        '--compression',
        'br',
        '--legacy-masks',
        '--pcl-padding',
        '--nan-returns',
      ],
      simulate({
        pageSize: 7,
        latencyMs: 20,
        seed: 4,
        sensors: 2,
        compression: 'br',
        legacyMasks: true,
        pclPadding: true,
        nanReturns: true,
        faults: {
          rate: 0.1,
          seed: 9,
          retryAfterSeconds: 0,
          stallMs: 500,
          kinds: ['http500', 'reset'],
          routes: ['storage'],
        },
      }),
    ],
    [
      'simulate: a fault rate written .5',
      ['simulate', '--fault-rate', '.5'],
      simulate({ faults: { ...simulatorDefaults.faults, rate: 0.5 } }),
    ],
    ['demo defaults', ['demo'], demo({})],
    [
      'demo options',
      ['demo', '--out', 'o', '--jobs', '2', '--frames', '1', '--points', '5', '--format', 'bin'],
      demo({ out: 'o', format: 'bin', jobs: 2, frames: 1, points: 5 }),
    ],
    [
      'demo --keep, with faults',
      ['demo', '--keep', '--fault-rate', '1', '--page-size', '3'],
      demo({ keep: true, pageSize: 3, faults: { ...demoDefaults.faults, rate: 1 } }),
    ],
    [
      'simulate --fault-routes storage: the default kinds that apply there',
      ['simulate', '--fault-routes', 'storage'],
      simulate({ faults: { ...simulatorDefaults.faults, routes: ['storage'] } }),
    ],
    ['decode - (standard input)', ['decode', '-'], decode(['-'])],
    ['export --max-rps 0.5', [...exportBase, '--max-rps', '0.5'], exported({ maxRequestsPerSecond: 0.5 })],
    [
      'export: size limits in MiB, passed on in bytes',
      [...exportBase, '--max-in-flight-mib', '512', '--max-mask-mib', '8', '--max-point-cloud-mib=1'],
      exported({ maxBytesInFlight: 512 * MiB, maxMaskBytes: 8 * MiB, maxPointCloudBytes: MiB }),
    ],
    ['export --max-result-mib 1', [...exportBase, '--max-result-mib', '1'], exported({ maxResultBytes: MiB })],
    [
      'export: --request-timeout-s in seconds, passed on in milliseconds, and --max-pages',
      [...exportBase, '--request-timeout-s', '30', '--max-pages=250'],
      exported({ requestTimeoutMs: 30_000, maxPages: 250 }),
    ],
    [
      'export: the smallest --request-timeout-s and --max-pages',
      [...exportBase, '--request-timeout-s', '1', '--max-pages', '1'],
      exported({ requestTimeoutMs: 1000, maxPages: 1 }),
    ],
    [
      'export: the longest --request-timeout-s a timer can wait',
      [...exportBase, '--request-timeout-s', '2147483'],
      exported({ requestTimeoutMs: 2_147_483_000 }),
    ],
    [
      'export: the largest --concurrency and --threads the library takes',
      [...exportBase, '--concurrency', '1024', '--threads', '64'],
      exported({ concurrency: 1024, threads: 64 }),
    ],
    [
      'export: --base-url with a path',
      [...exportBase, '--base-url', 'https://h/v1'],
      exported({ baseUrl: 'https://h/v1' }),
    ],
  ])('%s', (_, argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });
});

describe('parseArgs: usage errors', () => {
  const TIMEOUT_RANGE = /^export: --request-timeout-s must be an integer from 1 to 2147483$/;
  it.each<[string, string[], RegExp]>([
    ['unknown top-level option', ['--frob'], /unknown option --frob/],
    ['help for an unknown command', ['help', 'frob'], /unknown command/],
    ['missing --project', ['export', '--batch', 'b', '--out', 'd'], /--project is required/],
    ['missing --out', ['export', '--project', 'p', '--batch', 'b'], /--out is required/],
    ['option without value', ['export', '--project', 'p', '--batch', 'b', '--out'], /--out needs a value/],
    ['value is another option', ['export', '--project', '--batch', 'b', '--out', 'd'], /--project needs a value/],
    ['unknown option', [...exportBase, '--fast'], /unknown option --fast/],
    ['unknown short option', [...exportBase, '-x'], /unknown option -x/],
    ['repeated option', [...exportBase, '--out', 'again'], /--out given twice/],
    ['bad format', [...exportBase, '--format', 'csv'], /--format must be one of npy, bin, kitti/],
    ['bad labels', [...exportBase, '--labels', 'names'], /--labels must be one of class, raw/],
    [
      'bad unknown-classes',
      [...exportBase, '--unknown-classes', 'drop'],
      /--unknown-classes must be one of fail, ignore/,
    ],
    [
      'empty status in the list',
      [...exportBase, '--status', 'completed,,x'],
      /--status must be a comma-separated list/,
    ],
    [
      'dataset: unknown layout',
      ['dataset', 'kitti360', '--from', 'e', '--out', 'k'],
      /layout must be one of semantickitti, nuscenes, parquet/,
    ],
    [
      'dataset: --version is for nuscenes',
      ['dataset', 'parquet', '--from', 'e', '--out', 'k', '--version', 'v'],
      /^dataset: --version is for the nuscenes layout only$/,
    ],
    [
      'dataset: --rows-per-file is for parquet',
      ['dataset', 'semantickitti', '--from', 'e', '--out', 'k', '--rows-per-file', '3'],
      /^dataset: --rows-per-file is for the parquet layout only$/,
    ],
    [
      'dataset: --threads is for nuscenes and parquet',
      ['dataset', 'semantickitti', '--from', 'e', '--out', 'k', '--threads', '2'],
      /^dataset: --threads is for the nuscenes and parquet layouts only$/,
    ],
    [
      'dataset: zero rows per file',
      ['dataset', 'parquet', '--from', 'e', '--out', 'k', '--rows-per-file', '0'],
      /--rows-per-file must be an integer >= 1/,
    ],
    ['dataset: missing --from', ['dataset', 'semantickitti', '--out', 'k'], /--from is required/],
    ['dataset: no layout', ['dataset', '--from', 'e', '--out', 'k'], /expected LAYOUT, got 0/],
    ['zero concurrency', [...exportBase, '--concurrency', '0'], /--concurrency must be an integer from 1/],
    ['fractional threads', [...exportBase, '--threads', '1.5'], /--threads must be an integer/],
    ['zero requests per second', [...exportBase, '--max-rps', '0'], /^export: --max-rps must be a number > 0$/],
    ['a size of 0 MiB', [...exportBase, '--max-mask-mib', '0'], /^export: --max-mask-mib must be an integer >= 1/],
    ['a size of 1.5 MiB', [...exportBase, '--max-in-flight-mib', '1.5'], /^export: --max-in-flight-mib must be an /],
    ['a request timeout of 0 s', [...exportBase, '--request-timeout-s', '0'], TIMEOUT_RANGE],
    // Beyond it, Node's timers would fire at once.
    ['a request timeout past the longest timer', [...exportBase, '--request-timeout-s', '2147484'], TIMEOUT_RANGE],
    ['a fractional request timeout', [...exportBase, '--request-timeout-s', '0.5'], TIMEOUT_RANGE],
    ['a request timeout with its unit', [...exportBase, '--request-timeout-s', '30s'], TIMEOUT_RANGE],
    ['zero pages', [...exportBase, '--max-pages', '0'], /^export: --max-pages must be an integer >= 1$/],
    ['a negative page count', [...exportBase, '--max-pages=-1'], /^export: --max-pages must be an integer >= 1$/],
    ['--max-pages without a value', [...exportBase, '--max-pages'], /^export: --max-pages needs a value$/],
    [
      'requests per second not a number',
      [...exportBase, '--max-rps', '5/s'],
      /^export: --max-rps must be a number > 0$/,
    ],
    // The library's limits, word for word with the flag in place of the option.
    [
      '--concurrency over the library limit',
      [...exportBase, '--concurrency', '2000'],
      new RegExp(`^export: --concurrency must be an integer from 1 to ${MAX_CONCURRENCY}$`),
    ],
    [
      '--threads over the pool limit',
      [...exportBase, '--threads', '1000'],
      new RegExp(`^export: --threads must be an integer from 1 to ${MAX_THREADS}$`),
    ],
    ['a mistyped command', ['expotr'], /^unknown command "expotr"; did you mean export\?$/],
    ['a mistyped command, two letters off', ['simualte'], /^unknown command "simualte"; did you mean simulate\?$/],
    ['a command prefix', ['dec'], /^unknown command "dec"; did you mean decode\?$/],
    ['nothing like a command', ['frobnicate'], /^unknown command "frobnicate"$/],
    ['not a word: not echoed (it could be a secret)', ['sk-live-123'], /^unknown command$/],
    ['help for a mistyped command', ['help', 'expotr'], /^help: unknown command "expotr"; did you mean export\?$/],
    ['every missing option at once', ['export', '--batch', 'b'], /^export: --project, --out are required$/],
    ['--quiet with --verbose', [...exportBase, '-q', '--verbose'], /^export: --quiet and --verbose contradict/],
    ['a mistyped top-level option', ['--verison'], /^unknown option --verison; did you mean --version\?$/],
    [
      'a mistyped option',
      [...exportBase, '--concurency', '3'],
      /^export: unknown option --concurency; did you mean --concurrency\?$/,
    ],
    ['an option of another command', ['decode', 'f', '--project', 'p'], /^decode: unknown option --project$/],
    [
      '--out followed by an option-like word',
      ['export', '--project', 'p', '--batch', 'b', '--out', '-x'],
      /^export: --out needs a value, not the option-like -x \(for a file of that name, write \.\/-x\)$/,
    ],
    [
      '--out=-x',
      ['export', '--project', 'p', '--batch', 'b', '--out=-x'],
      /--out needs a value, not the option-like -x/,
    ],
    [
      '--out -',
      ['export', '--project', 'p', '--batch', 'b', '--out', '-'],
      /--out needs a value, not the option-like -/,
    ],
    ['decode --out -o', ['decode', 'f', '--out', '-o'], /^decode: --out needs a value, not the option-like -o/],
    ['demo --out -x', ['demo', '--out', '-x'], /^demo: --out needs a value, not the option-like -x/],
    [
      '--base-url without a scheme (an address)',
      [...exportBase, '--base-url', '127.0.0.1:8080'],
      /^export: --base-url needs a scheme: did you mean http:\/\/127\.0\.0\.1:8080\?$/,
    ],
    [
      '--base-url without a scheme (localhost)',
      [...exportBase, '--base-url', 'localhost:8080/v1'],
      /^export: --base-url needs a scheme: did you mean http:\/\/localhost:8080\/v1\?$/,
    ],
    [
      '--base-url without a scheme (a host name)',
      [...exportBase, '--base-url', 'api.playment.io'],
      /^export: --base-url needs a scheme: did you mean https:\/\/api\.playment\.io\?$/,
    ],
    [
      '--base-url with another scheme',
      [...exportBase, '--base-url', 'ftp://x'],
      /^export: --base-url must be an absolute http\(s\) URL$/,
    ],
    [
      '--base-url with credentials',
      [...exportBase, '--base-url', 'https://u:p@h'],
      /^export: --base-url must not have credentials, a query or a fragment$/,
    ],
    [
      '--format mistyped',
      [...exportBase, '--format', 'kiti'],
      /^export: --format must be one of npy, bin, kitti; did you mean kitti\?$/,
    ],
    [
      '--fault-rate above 1',
      ['simulate', '--fault-rate', '1.5'],
      /^simulate: --fault-rate must be a number from 0 to 1$/,
    ],
    [
      '--fault-rate negative',
      ['simulate', '--fault-rate=-0.1'],
      /^simulate: --fault-rate must be a number from 0 to 1$/,
    ],
    [
      '--fault-kinds mistyped',
      ['simulate', '--fault-kinds', 'http500,resett'],
      /^simulate: --fault-kinds takes a comma-separated list of .*; did you mean reset\?$/,
    ],
    [
      '--fault-routes unknown',
      ['demo', '--fault-routes', 'pages'],
      /^demo: --fault-routes takes a comma-separated list of batch, job, attachment, storage$/,
    ],
    [
      'a fault kind no route asked for gives',
      ['simulate', '--fault-kinds', 'http500,badJson', '--fault-routes', 'storage,attachment'],
      /^simulate: --fault-kinds badJson applies to none of --fault-routes storage,attachment \(only to batch, job\)$/,
    ],
    [
      'a stall on the attachment route (a redirect has no body to stall)',
      ['demo', '--fault-kinds', 'stall', '--fault-routes', 'attachment'],
      /^demo: --fault-kinds stall applies to none of --fault-routes attachment \(only to batch, job, storage\)$/,
    ],
    [
      '--latency-ms negative',
      ['simulate', '--latency-ms', '-1'],
      /^simulate: --latency-ms must be an integer from 0 to 2147483647$/,
    ],
    ['--page-size 0', ['simulate', '--page-size', '0'], /^simulate: --page-size must be an integer >= 1$/],
    [
      '--jobs beyond safe integers',
      ['demo', '--jobs', '99999999999999999999'],
      /^demo: --jobs must be an integer >= 0$/,
    ],
    [
      '--compression unknown',
      ['simulate', '--compression', 'zstd'],
      /^simulate: --compression must be one of gzip, br, deflate$/,
    ],
    ['--keep with a value', ['demo', '--keep=yes'], /^demo: --keep takes no value$/],
    ['simulate has no --out', ['simulate', '--out', 'x'], /^simulate: unknown option --out$/],
    [
      'a mistyped dataset layout',
      ['dataset', 'semantickiti', '--from', 'e', '--out', 'd'],
      /^dataset: the layout must be one of semantickitti, nuscenes, parquet; did you mean semantickitti\?$/,
    ],
    ['negative threads', [...exportBase, '--threads=-2'], /--threads must be an integer/],
    ['empty value', ['export', '--project=', '--batch', 'b', '--out', 'd'], /--project must not be empty/],
    ['stray positional', [...exportBase, 'extra'], /expected no arguments, got 1/],
    ['decode without file', ['decode'], /expected FILE\.\.\., got 0/],
    ['flag with a value', ['decode', 'a', '--json=yes'], /--json takes no value/],
    ['port out of range', ['simulate', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    ['the key as an option', [...exportBase, '--api-key', 'sk-secret'], /never an argument: set PLAYMENT_API_KEY/],
    ['the key as --key=', [...exportBase, '--key=sk-secret'], /never an argument/],
  ])('%s', (_, argv, message) => {
    let error: unknown;
    try {
      parseArgs(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('USAGE');
    expect((error as UsageError).message).toMatch(message);
    // Nothing the user typed as a value is repeated back: it could be a pasted secret.
    expect((error as UsageError).message).not.toContain('sk-secret');
  });

  it('never echoes positional arguments', () => {
    expect(() => parseArgs(['sk-live-123'])).toThrow(/^unknown command$/);
    expect(() => parseArgs([...exportBase, 'sk-live-123'])).toThrow(
      /^export: expected no arguments, got 1 argument\(s\)$/,
    );
  });
});

describe('readApiKey: the key from PLAYMENT_API_KEY, its mistakes named by the variable', () => {
  it.each<[string, string | undefined, RegExp]>([
    ['unset', undefined, /^export: set PLAYMENT_API_KEY to your API key$/],
    ['empty', '', /^export: set PLAYMENT_API_KEY to your API key$/],
    [
      'a trailing newline (read from a file)',
      'sk-secret\n',
      /^export: PLAYMENT_API_KEY ends with a line break \(read from a file\?\): remove it$/,
    ],
    ['a trailing CRLF', 'sk-secret\r\n', /PLAYMENT_API_KEY ends with a line break/],
    ['a leading space', ' sk-secret', /^export: PLAYMENT_API_KEY starts or ends with a space: remove it$/],
    ['a space inside', 'sk secret', /^export: PLAYMENT_API_KEY must be printable ASCII without spaces$/],
    ['a non-ASCII letter', 'sk-sécret', /^export: PLAYMENT_API_KEY must be printable ASCII without spaces$/],
  ])('%s', (_, key, message) => {
    let error: unknown;
    try {
      readApiKey({ PLAYMENT_API_KEY: key });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).topic).toBe('export');
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).message).not.toMatch(/secret|sécret/);
  });

  it('returns a usable key as is', () => {
    expect(readApiKey({ PLAYMENT_API_KEY: 'sk-live_0123~!' })).toBe('sk-live_0123~!');
  });
});

describe('help', () => {
  it('lists every command and --version', () => {
    const main = helpText(undefined);
    for (const command of COMMANDS) expect(main).toContain(`playment-masks ${SPECS[command].usage}`);
    expect(main).toContain('playment-masks --version');
  });

  it.each(COMMANDS)('%s --help shows every option it parses, with its limits and default', (command) => {
    const text = helpText(command);
    // As read, whatever the wrapping.
    const words = text.replace(/\s+/g, ' ');
    expect(text).toContain(`Usage: playment-masks ${SPECS[command].usage}`);
    for (const [name, option] of Object.entries(SPECS[command].options)) {
      expect(text).toContain(`--${name}${option.value ? ` ${option.value}` : ''}`);
      if (shownDefault(option) !== '') expect(words).toContain(`default ${shownDefault(option)}`);
    }
    for (const line of text.split('\n')) {
      expect(line.length).toBeLessThanOrEqual(100);
      // An option never runs into its text.
      if (/^ {2}-/.test(line)) expect(line).toMatch(/^ {2}(-[A-Za-z], )?-\S*( \S+)?( {2,}\S|$)/);
    }
  });

  it('shows the limits the parser and the library apply', () => {
    expect(helpText('export')).toContain(
      `--concurrency N     masks in flight at once (1-${MAX_CONCURRENCY}, default 32)`,
    );
    expect(helpText('export')).toContain(
      `-j, --threads N     decoding threads (1-${MAX_THREADS}, default one per CPU)`,
    );
    expect(helpText('export')).toContain('PLAYMENT_API_KEY');
    expect(helpText('simulate')).toMatch(/--fault-rate R +share of requests given a random fault \(0-1, default 0\)/);
    // Every choice spelled out, as typed.
    expect(helpText('export').replace(/\s+/g, ' ')).toContain('(npy|bin|kitti, default npy)');
  });
});

const progress = (fields: Partial<ExportProgress>): ExportProgress => ({
  jobsListed: 0,
  listingDone: false,
  jobsDone: 0,
  jobsResumed: 0,
  jobsFailed: 0,
  jobsSkipped: 0,
  masksDone: 0,
  pointsDone: 0,
  bytesDownloaded: 0,
  bytesInFlight: 0,
  peakBytesInFlight: 0,
  apiRequests: 0,
  apiThrottled: 0,
  apiRatePerSecond: null,
  elapsedMs: 0,
  ...fields,
});

describe('progress formatting', () => {
  it('draws a bar with jobs, masks, MiB, rate and ETA', () => {
    const line = formatBar(
      progress({
        jobsListed: 300,
        listingDone: true,
        jobsDone: 150,
        masksDone: 600,
        bytesDownloaded: 20 * 2 ** 20,
        apiRequests: 320,
        apiThrottled: 7,
        apiRatePerSecond: 9.84,
        elapsedMs: 10_000,
      }),
    );
    expect(line).toBe(
      `[${'#'.repeat(10)}${'.'.repeat(10)}] 150/300 jobs  600 masks  20.0 MiB  2.0 MiB/s  API 9.8/s, 7 throttled  ETA 0:10`,
    );
  });

  it('shows the settled API rate, or that none holds the client', () => {
    expect(formatApi(progress({ apiRatePerSecond: null, apiThrottled: 0 }))).toBe('');
    expect(formatApi(progress({ apiRatePerSecond: null, apiThrottled: 2 }))).toBe('API unlimited, 2 throttled');
    expect(formatApi(progress({ apiRatePerSecond: 4.96, apiThrottled: 12 }))).toBe('API 5.0/s, 12 throttled');
    expect(formatApi(progress({ apiRatePerSecond: 123.4, apiThrottled: 1 }))).toBe('API 123/s, 1 throttled');
  });

  it('does not guess an ETA before the batch is fully listed', () => {
    expect(formatEta(progress({ jobsListed: 40, jobsDone: 20, elapsedMs: 1000 }))).toBe('?');
    expect(formatLine(progress({ jobsListed: 40, jobsDone: 20, jobsFailed: 2, elapsedMs: 1000 }))).toBe(
      'export: 22/40+ jobs (2 failed), 0 masks, 0.0 KiB, 0.0 KiB/s, ETA ?',
    );
  });

  it('counts resumed jobs as finished but not in the rate', () => {
    expect(
      formatEta(progress({ jobsListed: 100, listingDone: true, jobsResumed: 50, jobsDone: 10, elapsedMs: 1000 })),
    ).toBe('0:04');
    expect(formatEta(progress({ jobsListed: 5, listingDone: true, jobsResumed: 5 }))).toBe('0:00');
  });

  it.each<[number, string]>([
    [0, '0.0 KiB'],
    [512, '0.5 KiB'],
    [1024, '1.0 KiB'],
    [2 ** 20 - 40, '1.0 MiB'],
    [2 ** 20, '1.0 MiB'],
    [3.5 * 2 ** 20, '3.5 MiB'],
    [48 * 2 ** 20, '48.0 MiB'],
    [2 ** 30, '1.00 GiB'],
    [2 ** 31, '2.00 GiB'],
  ])('formats %d bytes in binary units as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each<[number, string]>([
    [0, '0:00'],
    [59_400, '0:59'],
    [3_726_000, '1:02:06'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('ProgressView', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, columns: 60, write: (text: string) => writes.push(text) } };
  };

  it('redraws one line on a terminal, at most every 100 ms, cut to the width, and clears it at the end', () => {
    const { writes, stream } = sink(true);
    const view = new ProgressView(stream);
    for (const elapsedMs of [0, 50, 99, 100, 150, 250]) view.update(progress({ elapsedMs, jobsListed: 3 }));
    expect(writes).toHaveLength(3);
    for (const write of writes) {
      expect(write.startsWith('\r\x1b[2K')).toBe(true);
      expect(write.length).toBeLessThanOrEqual('\r\x1b[2K'.length + 59);
    }
    view.end();
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('draws the whole line where the terminal reports no width', () => {
    const writes: string[] = [];
    const view = new ProgressView({ isTTY: true, columns: 0, write: (text: string) => writes.push(text) });
    view.update(progress({ jobsListed: 3 }));
    expect(writes).toEqual([`\r\x1b[2K${formatBar(progress({ jobsListed: 3 }))}`]);
  });

  it('writes a plain line every few seconds elsewhere, nothing for a short export', () => {
    const { writes, stream } = sink(false);
    const view = new ProgressView(stream, { plainEveryMs: 5000 });
    for (const elapsedMs of [0, 1000, 4999, 5000, 7000, 10_001]) view.update(progress({ elapsedMs }));
    expect(writes).toEqual([
      `${formatLine(progress({ elapsedMs: 5000 }))}\n`,
      `${formatLine(progress({ elapsedMs: 10_001 }))}\n`,
    ]);
    view.end();
    expect(writes).toHaveLength(2);
  });
});
