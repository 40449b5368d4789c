// Every declared option, both ways: the CLI parses it and shows it in its help, and a bad value is refused with the
// same code and words by the CLI (--flag bad) and by the library (exportBatch({...bad}), new PlaymentClient()).
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_OPTIONS } from '../src/api/option-table.js';
import { PlaymentClient } from '../src/api/index.js';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { helpText } from '../src/cli/help.js';
import { inCliTerms } from '../src/cli/messages.js';
import { COMMANDS, SPECS } from '../src/cli/spec.js';
import { InvalidArgumentError } from '../src/errors.js';
import { EXPORT_OPTIONS } from '../src/export/option-table.js';
import { resolveExportOptions } from '../src/export/options.js';
import { inFlagUnits, type OptionSpec } from '../src/options/option.js';

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
    case 'number':
      return [[String(units.min), units.min! * (option.scale ?? 1)]].filter(() => option.aboveMin) as [
        string,
        unknown,
      ][];
    case 'choice':
      return [['nope', 'nope']];
    case 'url':
      return [['ftp://h', 'ftp://h']];
    default:
      return [];
  }
}

type Declared = OptionSpec & { library: string };

const libraryChecked = [
  ...Object.values(EXPORT_OPTIONS).map((option): [string, Declared] => ['exportBatch', option]),
  ...Object.values(CLIENT_OPTIONS).map((option): [string, Declared] => ['PlaymentClient', option]),
].filter(
  ([, option]) =>
    option.flag !== undefined && SPECS.export.options[option.flag] === option && badValues(option).length > 0,
);

describe('a bad value: the same code and words from the CLI and the library', () => {
  it.each(libraryChecked)('%s %s', (library, option) => {
    const cases = badValues(option);
    expect(cases.length).toBeGreaterThan(0);
    for (const [typed, value] of cases) {
      const cli = catchError(() => parseArgs(['export', ...required.export!, `--${option.flag}`, typed]));
      const make =
        library === 'exportBatch'
          ? () => resolveExportOptions({ ...base, [option.library]: value })
          : () => new PlaymentClient({ apiKey: 'k', [option.library]: value });
      const lib = catchError(make);
      expect(cli).toBeInstanceOf(UsageError);
      expect(lib).toBeInstanceOf(InvalidArgumentError);
      expect(lib.code).toBe('INVALID_ARGUMENT');
      // The same sentence, in the flag's units: the range is only the same where no unit is converted.
      const libraryWords = inCliTerms(lib.message, 'export');
      if (option.scale === undefined) expect(cli.message).toBe(libraryWords);
      else
        expect(cli.message.replace(/ [>=<]+ \d+$| from .*$/, '')).toBe(
          libraryWords.replace(/ [>=<]+ \d+$| from .*$/, ''),
        );
    }
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

function catchError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
}
