// Every declared option, both ways: the CLI parses it and shows it in its help, and a bad value is refused with the
// same code and words by the CLI (--flag bad) and by the library (exportBatch({...bad}), new PlaymentClient(),
// buildReport(), buildNuScenes(), buildParquet(), startViewer(), startSimulator()).
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_OPTIONS } from '../src/api/option-table.js';
import { PlaymentClient } from '../src/api/index.js';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { helpText } from '../src/cli/help.js';
import { inCliTerms } from '../src/cli/messages.js';
import { COMMANDS, SPECS, type CommandName } from '../src/cli/spec.js';
import { InvalidArgumentError } from '../src/errors.js';
import { DATASET_OPTIONS, NUSCENES_OPTIONS, PARQUET_OPTIONS } from '../src/dataset/option-table.js';
import { buildNuScenes } from '../src/dataset/nuscenes.js';
import { buildParquet } from '../src/dataset/parquet.js';
import { EXPORT_OPTIONS } from '../src/export/option-table.js';
import { resolveExportOptions } from '../src/export/options.js';
import { inFlagUnits, type OptionSpec } from '../src/options/option.js';
import { REPORT_OPTIONS, THRESHOLD_OPTIONS } from '../src/report/option-table.js';
import { DEMO_DEFAULTS, SIMULATE_DEFAULTS } from '../src/cli/simulator-options.js';
import { FAULT_OPTIONS, SIM_DATASET_OPTIONS, SIM_SERVER_OPTIONS } from '../src/sim/option-table.js';
import { startSimulator } from '../src/sim/server.js';
import { VIEW_OPTIONS } from '../src/report/view-options.js';
import { buildReport } from '../src/report/report.js';
import { VIEWER_OPTIONS } from '../src/viewer/option-table.js';
import { startViewer } from '../src/viewer/server.js';

const required: Record<string, string[]> = {
  export: ['--project', 'p', '--batch', 'b', '--out', 'dir'],
  dataset: ['parquet', '--from', 'e', '--out', 'k'],
  report: ['--from', 'e', '--out', 'r'],
  decode: ['m.json'],
  view: ['e'],
};

/** A value the flag takes, as typed. */
function goodText(option: OptionSpec): string {
  switch (option.kind) {
    case 'integer':
    case 'number':
      return String(inFlagUnits(option).min! + 1);
    case 'choice':
    case 'list':
      return option.choices!.at(-1)!;
    case 'url':
      return 'http://127.0.0.1:9';
    default:
      return 'x';
  }
}

const flags = COMMANDS.flatMap((command) =>
  Object.entries(SPECS[command].options).map(([flag, option]) => [command, flag, option] as const),
);

describe('every option of every command', () => {
  it.each(flags)('%s --%s: parsed, and in the help', (command, flag, option) => {
    const argv = [command, ...(required[command] ?? [])];
    if (!argv.includes(`--${flag}`)) argv.push(`--${flag}`, ...(option.kind === 'flag' ? [] : [goodText(option)]));
    if (command === 'dataset' && flag === 'version') argv[1] = 'nuscenes';
    const parsed = parseArgs(argv);
    expect(parsed.command).toBe(command);
    expect(helpText(command)).toContain(`--${flag}`);
  });
});

const client = new PlaymentClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
const base = { client, projectId: 'p', batchId: 'b', outDir: 'o' };
afterAll(() => client.close());

/** A value out of range or of the wrong kind: [as typed, as the library gets it]. */
function badValues(option: OptionSpec): [string, unknown][] {
  const units = inFlagUnits(option);
  switch (option.kind) {
    case 'integer': {
      const below: [string, unknown] = [String(units.min! - 1), (units.min! - 1) * (option.scale ?? 1)];
      if (units.max === undefined) return [below];
      return [below, [String(units.max + 1), (units.max + 1) * (option.scale ?? 1)]];
    }
    case 'number': {
      // Just below the range (at its bottom when that is excluded), and just above it.
      const below = option.aboveMin ? units.min! : units.min! - 1;
      const cases: number[] = units.max === undefined ? [below] : [below, units.max + 1];
      return cases.map((value) => [String(value), value * (option.scale ?? 1)]);
    }
    case 'choice':
      return [['nope', 'nope']];
    case 'url':
      return [['ftp://h', 'ftp://h']];
    case 'text':
      return option.check === undefined ? [] : [['../x', '../x']];
    default:
      return [];
  }
}

type Declared = OptionSpec & { library: string };

/** The library option set to `value` (`thresholds.farMetres` nested), the required ones given. */
function given(base: object, option: Declared, value: unknown): Record<string, unknown> {
  const [outer, inner] = option.library.split('.');
  return { ...base, [outer!]: inner === undefined ? value : { [inner]: value } };
}

// Each library call, with what it needs besides the value under test; the folders are never reached.
const readers = { from: 'missing-export', out: 'missing-out' };
const libraries: Record<string, (options: Record<string, unknown>) => unknown> = {
  exportBatch: (options) => resolveExportOptions({ ...base, ...options }),
  PlaymentClient: (options) => new PlaymentClient({ apiKey: 'k', ...options }),
  buildReport: (options) => buildReport({ ...readers, ...options }),
  buildNuScenes: (options) => buildNuScenes({ ...readers, ...options }),
  buildParquet: (options) => buildParquet({ ...readers, ...options }),
  startViewer: (options) => startViewer({ from: 'missing-export', ...options }),
  // Refused before a port is taken; a simulator that started anyway is closed (and the test fails: no error).
  startSimulator: async (options) => (await startSimulator(options)).close(),
};

type Table = [command: CommandName, library: string, table: Record<string, Declared>];

const tables: Table[] = [
  ['export', 'exportBatch', EXPORT_OPTIONS],
  ['export', 'PlaymentClient', CLIENT_OPTIONS],
  ['report', 'buildReport', { ...REPORT_OPTIONS, ...THRESHOLD_OPTIONS, ...VIEW_OPTIONS }],
  ['dataset', 'buildNuScenes', { ...DATASET_OPTIONS, ...NUSCENES_OPTIONS }],
  ['dataset', 'buildParquet', { ...DATASET_OPTIONS, ...PARQUET_OPTIONS }],
  ['view', 'startViewer', VIEWER_OPTIONS],
  // The faults' own table apart: its seed is not the batch's.
  ...(['simulate', 'demo'] as const).flatMap((command): Table[] => [
    [command, 'startSimulator', { ...SIM_DATASET_OPTIONS, ...SIM_SERVER_OPTIONS }],
    [command, 'startSimulator', FAULT_OPTIONS],
  ]),
];

const libraryChecked = tables
  .flatMap(([command, library, table]) =>
    Object.values(table).map((option) => [command, library, option.flag ?? '', option] as const),
  )
  // The flag sets this option (a command may show a default of its own: `simulate --jobs`), and a bad value exists.
  .filter(
    ([command, , flag, option]) =>
      SPECS[command].options[flag]?.library === option.library && badValues(option).length > 0,
  );

describe('a bad value: the same code and words from the CLI and the library', () => {
  it('covers every command whose library checks its options', () => {
    expect(new Set(libraryChecked.map(([, library]) => library))).toEqual(new Set(Object.keys(libraries)));
  });

  it.each(libraryChecked)('%s %s --%s', async (command, library, flag, option) => {
    const cases = badValues(option);
    expect(cases.length).toBeGreaterThan(0);
    const argv = [command, ...(required[command] ?? [])];
    if (library === 'buildNuScenes') argv[1] = 'nuscenes';
    for (const [typed, value] of cases) {
      const cli = await catchError(() => parseArgs([...argv, `--${flag}`, typed]));
      const lib = await catchError(() => libraries[library]!(given({}, option, value)));
      expect(cli).toBeInstanceOf(UsageError);
      expect(lib).toBeInstanceOf(InvalidArgumentError);
      expect(lib.code).toBe('INVALID_ARGUMENT');
      // The same sentence, in the flag's units: the range is only the same where no unit is converted.
      const libraryWords = inCliTerms(lib.message, command);
      if (option.scale === undefined) expect(cli.message).toBe(libraryWords);
      else
        expect(cli.message.replace(/ [>=<]+ \d+$| from .*$/, '')).toBe(
          libraryWords.replace(/ [>=<]+ \d+$| from .*$/, ''),
        );
    }
  });
});

describe('defaults', () => {
  it.each([
    ['dataset', ['parquet', '--from', 'e', '--out', 'k'], 'rows-per-file', 'rowsPerFile'],
    ['dataset', ['nuscenes', '--from', 'e', '--out', 'k'], 'version', 'version'],
    ['report', required.report!, 'far-m', 'thresholds'],
    ['view', required.view!, 'port', 'port'],
    ['simulate', [], 'port', 'port'],
    ['simulate', [], 'jobs', 'jobs'],
    ['demo', [], 'page-size', 'pageSize'],
    ['demo', [], 'rate-limit', 'rateLimit'],
  ] as const)("%s --%s: the table's, parsed and in the help", (command, rest, flag, name) => {
    const option = SPECS[command].options[flag]!;
    expect(option.default).toBeDefined();
    const parsed = parseArgs([command, ...rest]) as { options: Record<string, unknown> };
    const value =
      name === 'thresholds' ? (parsed.options.thresholds as Record<string, unknown>).farMetres : parsed.options[name];
    expect(value).toBe(option.default);
    // The option's entry in the help: from its flag to the next option's, lines joined.
    const help = helpText(command);
    const start = help.indexOf(`\n  --${flag} `);
    const entry = help.slice(start, help.indexOf('\n  -', start + 1)).replace(/\s+/g, ' ');
    expect(start).toBeGreaterThan(0);
    expect(entry).toContain(`default ${option.default})`);
  });
});

describe("the simulator's commands", () => {
  it.each([
    ['simulate', SIMULATE_DEFAULTS],
    ['demo', DEMO_DEFAULTS],
  ] as const)("%s: defaults of its own for the library's options, the rest the library's", (command, defaults) => {
    const library: Record<string, Declared> = { ...SIM_DATASET_OPTIONS, ...SIM_SERVER_OPTIONS };
    const options = Object.values(SPECS[command].options);
    for (const [name, value] of Object.entries(defaults)) {
      expect(options.find((option) => option.library === name)?.default).toBe(value);
      expect(library[name]!.default).not.toBe(value);
    }
    const others = options.filter((option) => !(option.library in defaults) && option.library in library);
    expect(others.length).toBeGreaterThan(5);
    for (const option of others) expect(option).toBe(library[option.library]);
  });
});

describe('resolved options', () => {
  it('are frozen, with the defaults of the table', () => {
    const resolved = resolveExportOptions(base);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolved).toMatchObject({ format: 'npy', concurrency: 32, withPoints: false, maxMaskBytes: 64 * 2 ** 20 });
    expect(resolved.threads).toBeUndefined();
  });
});

async function catchError(run: () => unknown): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
}
