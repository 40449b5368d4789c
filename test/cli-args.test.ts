import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, HELP, parseArgs, SIMULATE_DEFAULTS, UsageError } from '../src/cli/args.js';
import { formatBar, formatBytes, formatDuration, formatEta, formatLine, ProgressView } from '../src/cli/progress.js';
import type { ExportProgress } from '../src/export/progress.js';

const exportBase = ['export', '--project', 'p', '--batch', 'b', '--out', 'dir'];
const exportDefaults = {
  command: 'export',
  project: 'p',
  batch: 'b',
  out: 'dir',
  baseUrl: undefined,
  format: 'npy',
  concurrency: undefined,
  threads: undefined,
  maxRps: undefined,
};

describe('parseArgs: accepted command lines', () => {
  it.each<[string, string[], object]>([
    ['no arguments: help', [], { command: 'help', topic: undefined }],
    ['--help', ['--help'], { command: 'help', topic: undefined }],
    ['help export', ['help', 'export'], { command: 'help', topic: 'export' }],
    ['export --help', ['export', '--help'], { command: 'help', topic: 'export' }],
    ['decode -h', ['decode', 'x', '-h'], { command: 'help', topic: 'decode' }],
    ['--version', ['--version'], { command: 'version' }],
    ['export, defaults', exportBase, exportDefaults],
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
      { ...exportDefaults, baseUrl: 'http://127.0.0.1:1', format: 'kitti', concurrency: 8, threads: 2, maxRps: 5 },
    ],
    [
      'export, --name=value',
      ['export', '--project=p', '--batch=b', '--out=dir', '--format=bin'],
      { ...exportDefaults, format: 'bin' },
    ],
    ['export, options in any order', ['export', '--out', 'dir', '--batch', 'b', '--project', 'p'], exportDefaults],
    [
      'export, ids that look like numbers or dashes',
      ['export', '--project', '-1', '--batch', '--', '--out', 'd'],
      {
        ...exportDefaults,
        project: '-1',
        batch: '--',
        out: 'd',
      },
    ],
    ['decode', ['decode', 'mask.txt'], { command: 'decode', file: 'mask.txt', out: undefined, json: false }],
    [
      'decode --out --json',
      ['decode', '--json', 'm.txt', '--out', 'm.npy'],
      { command: 'decode', file: 'm.txt', out: 'm.npy', json: true },
    ],
    ['decode -- -file', ['decode', '--', '-file'], { command: 'decode', file: '-file', out: undefined, json: false }],
    ['simulate defaults', ['simulate'], { command: 'simulate', ...SIMULATE_DEFAULTS }],
    [
      'simulate options',
      ['simulate', '--port', '0', '--jobs', '3', '--frames', '2', '--points', '10'],
      { command: 'simulate', port: 0, jobs: 3, frames: 2, points: 10 },
    ],
    ['demo defaults', ['demo'], { command: 'demo', out: undefined, format: 'npy', ...DEMO_DEFAULTS }],
    [
      'demo options',
      ['demo', '--out', 'o', '--jobs', '2', '--frames', '1', '--points', '5', '--format', 'bin'],
      { command: 'demo', out: 'o', jobs: 2, frames: 1, points: 5, format: 'bin' },
    ],
  ])('%s', (_, argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });
});

describe('parseArgs: usage errors', () => {
  it.each<[string, string[], RegExp]>([
    ['unknown command', ['frobnicate'], /unknown command/],
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
    ['zero concurrency', [...exportBase, '--concurrency', '0'], /--concurrency must be an integer from 1/],
    ['fractional threads', [...exportBase, '--threads', '1.5'], /--threads must be an integer/],
    ['zero requests per second', [...exportBase, '--max-rps', '0'], /--max-rps must be an integer from 1/],
    ['negative threads', [...exportBase, '--threads=-2'], /--threads must be an integer/],
    ['empty value', ['export', '--project=', '--batch', 'b', '--out', 'd'], /--project must not be empty/],
    ['stray positional', [...exportBase, 'extra'], /expected no arguments, got 1/],
    ['decode without file', ['decode'], /expected FILE, got 0/],
    ['decode with two files', ['decode', 'a', 'b'], /expected FILE, got 2/],
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

  it('has help for every command', () => {
    for (const topic of ['main', 'export', 'decode', 'simulate', 'demo'] as const) expect(HELP[topic]).toMatch(/Usage/);
    expect(HELP.export).toContain('PLAYMENT_API_KEY');
  });
});

const progress = (fields: Partial<ExportProgress>): ExportProgress => ({
  jobsListed: 0,
  listingDone: false,
  jobsDone: 0,
  jobsResumed: 0,
  jobsFailed: 0,
  masksDone: 0,
  pointsDone: 0,
  bytesDownloaded: 0,
  elapsedMs: 0,
  ...fields,
});

describe('progress formatting', () => {
  it('draws a bar with jobs, masks, MB, rate and ETA', () => {
    const line = formatBar(
      progress({
        jobsListed: 300,
        listingDone: true,
        jobsDone: 150,
        masksDone: 600,
        bytesDownloaded: 20 * 2 ** 20,
        elapsedMs: 10_000,
      }),
    );
    expect(line).toBe(`[${'#'.repeat(10)}${'.'.repeat(10)}] 150/300 jobs  600 masks  20.0 MB  2.0 MB/s  ETA 0:10`);
  });

  it('does not guess an ETA before the batch is fully listed', () => {
    expect(formatEta(progress({ jobsListed: 40, jobsDone: 20, elapsedMs: 1000 }))).toBe('?');
    expect(formatLine(progress({ jobsListed: 40, jobsDone: 20, jobsFailed: 2, elapsedMs: 1000 }))).toBe(
      'export: 22/40+ jobs (2 failed), 0 masks, 0.0 kB, 0.0 kB/s, ETA ?',
    );
  });

  it('counts resumed jobs as finished but not in the rate', () => {
    expect(
      formatEta(progress({ jobsListed: 100, listingDone: true, jobsResumed: 50, jobsDone: 10, elapsedMs: 1000 })),
    ).toBe('0:04');
    expect(formatEta(progress({ jobsListed: 5, listingDone: true, jobsResumed: 5 }))).toBe('0:00');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('0.5 kB');
    expect(formatBytes(3.5 * 2 ** 20)).toBe('3.5 MB');
    expect(formatBytes(2 ** 31)).toBe('2.00 GB');
    expect(formatDuration(59_400)).toBe('0:59');
    expect(formatDuration(3_726_000)).toBe('1:02:06');
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
