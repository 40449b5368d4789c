// The playment-masks command end to end: `node dist/cli.js` in a child process against the simulator in this one.
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';
import {
  checkExport,
  completeJobCount,
  filesContaining,
  readTree,
  removeTempDirs,
  tempDir,
  treeDifference,
} from './export-support.js';
import { CLI, killChildren, run, start } from './cli-support.js';
import { formatBytes } from '../src/cli/progress.js';

const simulators: Simulator[] = [];

afterEach(async () => {
  killChildren();
  await Promise.all(simulators.splice(0).map((simulator) => simulator.close()));
});
afterAll(removeTempDirs);

/** The child's standard output up to the simulator's banner (its last line says how to stop). */
async function banner(child: ChildProcess): Promise<string> {
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  while (!stdout.includes('Ctrl-C') && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  return stdout;
}

async function simulate(options: SimulatorOptions) {
  const simulator = await startSimulator(options);
  simulators.push(simulator);
  const exportArgs = (out: string, ...more: string[]) => [
    'export',
    '--base-url',
    simulator.baseUrl,
    '--project',
    simulator.projectId,
    '--batch',
    simulator.batchId,
    '--out',
    out,
    ...more,
  ];
  return { simulator, exportArgs, env: { PLAYMENT_API_KEY: simulator.apiKey } };
}

// Child processes on a 2-core machine shared with other test files: generous limits, never a timing assertion.
describe('playment-masks export', { timeout: 60_000 }, () => {
  it('exports a multi-page batch completely and exactly under 10% injected faults (exit 0)', async () => {
    const { simulator, exportArgs, env } = await simulate({
      jobs: 24,
      frames: 3,
      points: 5000,
      pageSize: 5,
      faults: { rate: 0.1, seed: 3, retryAfterSeconds: 0 },
    });
    const out = await tempDir();
    const result = await run(exportArgs(out, '--concurrency', '8', '--threads', '2'), env);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exported 24\/24 jobs, 72 masks, 360000 points/);
    // Binary units, named as such.
    expect(result.stdout).toMatch(/, \d+\.\d (KiB|MiB) downloaded\n/);
    expect(simulator.stats.faultsInjected).toBeGreaterThan(10);
    const tree = await readTree(out);
    expect(checkExport(tree, simulator.dataset, 'npy')).toBe(72);
    // The simulator's taxonomy names two classes "Vehicle" (distinct class_ids, never merged): the closing line
    // tells them apart by the start of their class_ids; a name no other class has goes alone.
    const { classes } = JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')) as {
      classes: { id: number; name: string; class_id?: string }[];
    };
    const line = result.stdout.split('\n').find((text) => text.startsWith('Classes (id name points): '))!;
    const vehicles = classes.filter(({ name }) => name === 'Vehicle');
    expect(vehicles).toHaveLength(2);
    for (const { id, class_id: classId } of vehicles)
      expect(line).toMatch(new RegExp(`(: |, )${id} "Vehicle" \\(class_id ${classId!.slice(0, 8)}…\\) \\d+(, |$)`));
    const road = classes.find(({ name }) => name === 'Road')!;
    expect(line).toMatch(new RegExp(`(: |, )${road.id} "Road" \\d+(, |$)`));
    // The key: never in the output, a file, or a request to the storage host.
    expect(result.stdout + result.stderr).not.toContain(simulator.apiKey);
    expect(filesContaining(tree, simulator.apiKey)).toEqual([]);
    expect(simulator.stats.storageRequestsWithKey).toBe(0);
  });

  it('keeps hostile job ids inside DIR with distinct files (kitti)', async () => {
    // `.` and `..` fail alone as INVALID_ID (hostile-ids.test.ts).
    const jobIds = ['../x', '...', '/', '/etc/passwd', 'a/b', 'a_b', 'a%2fb', 'A', 'a', 'nul'];
    const { simulator, exportArgs, env } = await simulate({ jobIds, frames: 1, points: 50 });
    const parent = await tempDir();
    const result = await run(exportArgs(join(parent, 'out'), '--format', 'kitti'), env);
    expect(result.code).toBe(0);
    expect(await readdir(parent)).toEqual(['out']);
    expect(checkExport(await readTree(join(parent, 'out')), simulator.dataset, 'kitti')).toBe(jobIds.length);
  });

  it('resumes after kill -9 at several moments and ends byte for byte like an uninterrupted run', async () => {
    // The whole bar at once: hostile ids, 10% injected faults, three kills and a rerun.
    const hostile = ['../x', '...', '/', 'a/b', 'a_b', 'A', 'a', 'con', '%2e%2e', ' '];
    const { simulator, exportArgs, env } = await simulate({
      jobIds: [...hostile, ...Array.from({ length: 20 }, (_, i) => `Job-${i}`)],
      faults: { rate: 0.1, seed: 11, retryAfterSeconds: 0 },
      frames: 2,
      points: 20_000,
      pageSize: 7,
      latencyMs: 15,
    });
    const clean = await tempDir();
    expect((await run(exportArgs(clean, '--concurrency', '4'), env)).code).toBe(0);
    const cleanTree = await readTree(clean);
    checkExport(cleanTree, simulator.dataset, 'npy');

    const out = await tempDir();
    let kills = 0;
    for (const killAt of [1, 10, 20]) {
      const { child, done } = start(exportArgs(out, '--concurrency', '4'), env);
      while ((await completeJobCount(out)) < killAt && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      const killed = await done;
      if (killed.signal === 'SIGKILL') kills++;
      // Whatever a kill interrupted, a final name only ever holds a complete file.
      for (const [path, bytes] of await readTree(out)) {
        if (path.endsWith('.npy')) {
          const header = 10 + bytes.readUInt16LE(8);
          const points = Number(/'shape': \((\d+),\)/.exec(bytes.subarray(10, header).toString('latin1'))![1]);
          expect(bytes.length).toBe(header + points * 2);
        } else if (path.endsWith('.json')) {
          JSON.parse(bytes.toString('utf8'));
        } else if (path.endsWith('.jsonl')) {
          for (const line of bytes.toString('utf8').split('\n')) if (line.trim()) JSON.parse(line);
        }
      }
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const rerun = await run(exportArgs(out, '--concurrency', '4'), env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/complete from an earlier run/);
    expect(treeDifference(await readTree(out), cleanTree)).toBe('');
    // Five exports through 10% faults, a third of them refusals (429, 503 + Retry-After) that each request waits out
    // (rate.ts): more time than the other cases on a loaded machine.
  }, 150_000);

  it('stops cleanly on Ctrl-C (exit 130), leaving a folder the next run completes', async () => {
    const { simulator, exportArgs, env } = await simulate({ jobs: 20, frames: 2, points: 5000, latencyMs: 20 });
    const out = await tempDir();
    const { child, done } = start(exportArgs(out, '--concurrency', '2'), env);
    while ((await completeJobCount(out)) < 1 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted; rerun the same command to resume/);
    expect(await readdir(out)).toEqual(['jobs']);
    expect((await run(exportArgs(out), env)).code).toBe(0);
    checkExport(await readTree(out), simulator.dataset, 'npy');
  });

  it('refuses a second export into a folder another live process is exporting to (OUTPUT_LOCKED, exit 1)', async () => {
    const { exportArgs, env } = await simulate({ jobs: 20, frames: 2, points: 5000, latencyMs: 20 });
    const out = await tempDir();
    const first = start(exportArgs(out, '--concurrency', '2'), env);
    while ((await completeJobCount(out)) < 1 && first.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 10));
    const second = await run(exportArgs(out), env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/OUTPUT_LOCKED: .* is in use by another export \(process \d+ on /);
    expect(second.stderr).toMatch(/delete .*\.playment-masks\.lock and run again/);
    expect((await first.done).code).toBe(0);
  });

  it('exits 1 and lists the jobs that failed; a rerun finishes them (exit 0)', async () => {
    const { simulator, exportArgs, env } = await simulate({ jobs: 6, frames: 1, points: 100 });
    simulator.faults.inject('final400', { route: 'job', count: 2 });
    const out = await tempDir();
    const failed = await run(exportArgs(out, '--concurrency', '1'), env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/2 job\(s\) failed/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.failures).toHaveLength(2);
    for (const failure of summary.failures) expect(failed.stdout).toContain(JSON.stringify(failure.job_id));
    expect(failed.stdout).toMatch(/API_ERROR/);
    expect(summary.failures.map((f: { code: string }) => f.code)).toEqual(['API_ERROR', 'API_ERROR']);
    const rerun = await run(exportArgs(out), env);
    expect(rerun.code).toBe(0);
    checkExport(await readTree(out), simulator.dataset, 'npy');
  });

  it('applies --max-pages: a batch of more pages fails with TOO_MANY_PAGES (exit 1); enough pages export it', async () => {
    const { simulator, exportArgs, env } = await simulate({ jobs: 6, frames: 1, points: 100, pageSize: 2 });
    expect(simulator.dataset.pageCount).toBe(3);
    const out = await tempDir();
    const refused = await run(exportArgs(out, '--max-pages', '1'), env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^playment-masks: TOO_MANY_PAGES: the batch has more than maxPages \(1\) pages \(http:\/\/127\.0\.0\.1:/m,
    );
    // The second page is never asked for; the jobs of the first are exported, and no summary claims the batch.
    expect(simulator.stats.routes.batch).toBe(1);
    expect(await completeJobCount(out)).toBe(2);
    expect((await readTree(out)).has('summary.json')).toBe(false);
    const enough = await run(exportArgs(out, '--max-pages', '3'), env);
    expect(enough.stderr).toBe('');
    expect(enough.code).toBe(0);
    expect(simulator.stats.routes.batch).toBe(4);
    expect(checkExport(await readTree(out), simulator.dataset, 'npy')).toBe(6);
  });

  it('applies --request-timeout-s: results that stall fail their jobs with TIMEOUT after the retries (exit 1)', async () => {
    // The stall sends headers and half the body, then nothing for a minute: only the overall deadline ends it that
    // soon (the silence bound is 30 s). Six attempts of each of the two jobs' results stall.
    const { simulator, exportArgs, env } = await simulate({ jobs: 2, frames: 1, points: 100 });
    simulator.faults.inject('stall', { route: 'job', count: 12 });
    const out = await tempDir();
    const failed = await run(exportArgs(out, '--request-timeout-s', '1'), env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/2 job\(s\) failed/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.failures.map((f: { code: string }) => f.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    for (const failure of summary.failures) expect(failure.message).toMatch(/requestTimeoutMs \(1000 ms\)/);
    expect(simulator.stats.faults.stall).toBe(12);
    expect(simulator.stats.routes.job).toBe(12);
    const rerun = await run(exportArgs(out), env);
    expect(rerun.code).toBe(0);
    checkExport(await readTree(out), simulator.dataset, 'npy');
  });

  it('exits 0 on a batch with jobs still in labelling, exporting the finished ones; a rerun exports the rest', async () => {
    const { simulator, exportArgs, env } = await simulate({
      jobs: 5,
      frames: 2,
      points: 300,
      jobStatuses: { 0: 'in_progress', 4: 'created' },
    });
    const out = await tempDir();
    const first = await run(exportArgs(out, '--format', 'kitti', '--with-points', '--instances'), env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Exported 3\/5 jobs/);
    expect(first.stdout).toMatch(/Skipped \(not finished\): 1 in_progress, 1 created/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.jobs.skipped).toEqual({ in_progress: 1, created: 1 });
    simulator.setStatus(0, 'completed');
    simulator.setStatus(4, 'completed');
    const rerun = await run(exportArgs(out, '--format', 'kitti', '--with-points', '--instances'), env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/Exported 5\/5 jobs \(3 complete from an earlier run\)/);
    const tree = await tempDir();
    const dataset = await run(['dataset', 'semantickitti', '--from', out, '--out', tree]);
    expect(dataset.stderr).toBe('');
    expect(dataset.code).toBe(0);
    expect(dataset.stdout).toMatch(/SemanticKITTI tree: 5 sequences, 10 scans in /);
    expect(Object.keys(JSON.parse(await readFile(join(tree, 'sequences.json'), 'utf8')).sequences)).toHaveLength(5);
    const jsonTree = await tempDir();
    const json = await run(['dataset', 'semantickitti', '--from', out, '-o', jsonTree, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ out: jsonTree, sequences: 5, scans: 10 });
    const refused = await run(['dataset', 'semantickitti', '--from', tree, '--out', await tempDir()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/NOT_AN_EXPORT/);
  });

  it('exits 1 without printing the key when the API refuses it, naming the variable and leaving no folder', async () => {
    const { exportArgs } = await simulate({ jobs: 2 });
    const parent = await tempDir();
    const out = join(parent, 'new');
    const wrongKey = 'sk-live-wrong-key-0123456789';
    const result = await run(exportArgs(out), { PLAYMENT_API_KEY: wrongKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^playment-masks: API_ERROR: HTTP 401/m);
    expect(result.stderr).toMatch(/^playment-masks: the API refused the key: set PLAYMENT_API_KEY to your /m);
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
    // The folder the run created, and its jobs/ folder, are gone: nothing useful was made.
    expect(await readdir(parent)).toEqual([]);
    // In a folder that was there, only what the run created goes.
    const existing = await tempDir();
    await writeFile(join(existing, 'notes.txt'), 'mine');
    expect((await run(exportArgs(existing), { PLAYMENT_API_KEY: wrongKey })).code).toBe(1);
    expect(await readdir(existing)).toEqual(['notes.txt']);
  });

  it.each<[string, (args: string[], baseUrl: string) => string[], RegExp]>([
    [
      'a batch the project does not have (404)',
      (args) => args.map((arg, i) => (args[i - 1] === '--batch' ? 'no-such-batch' : arg)),
      /^playment-masks: no batch no-such-batch in project \S+ at --base-url http:\/\/127\.0\.0\.1:\d+: check --batch and --project, and --base-url /m,
    ],
    [
      'an API that cannot be reached',
      (args, baseUrl) => args.map((arg) => (arg === baseUrl ? 'http://127.0.0.1:9' : arg)),
      /^playment-masks: the API could not be reached at --base-url http:\/\/127\.0\.0\.1:9: check --base-url and the network$/m,
    ],
  ])('exits 1 naming what to check when the batch cannot be listed: %s', async (_, change, hint) => {
    const { simulator, exportArgs, env } = await simulate({ jobs: 2 });
    const parent = await tempDir();
    const args = change(exportArgs(join(parent, 'new'), '--request-timeout-s', '2'), simulator.baseUrl);
    const result = await run(args, env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(hint);
    expect(result.stdout).toBe('');
    expect(await readdir(parent)).toEqual([]);
  });

  it('--json prints summary.json on stdout and nothing else; the words go to stderr', async () => {
    const { exportArgs, env } = await simulate({ jobs: 3, frames: 1, points: 10, pageSize: 2 });
    const out = await tempDir();
    const result = await run(exportArgs(out, '--json', '-j', '1'), env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(JSON.parse(result.stdout).masks).toBe(3);
    expect(result.stderr).toMatch(/^Exported 3\/3 jobs/m);
  });

  it('--quiet prints nothing on success; --verbose prints each request sent again', async () => {
    const { exportArgs, env } = await simulate({ jobs: 3, frames: 1, points: 10 });
    const quiet = await run(exportArgs(await tempDir(), '-q'), env);
    expect(quiet.stdout + quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    const faulty = await simulate({ jobs: 6, frames: 1, points: 10, faults: { rate: 0.5, kinds: ['http500'] } });
    const verbose = await run(faulty.exportArgs(await tempDir(), '--verbose'), faulty.env);
    expect(verbose.stderr).toMatch(/^retry: [A-Z_]+: .*\(attempt 1, again in \d+\.\d s\)$/m);
  });

  it.each<[string, string[], Record<string, string>, 'bar' | 'lines' | 'none']>([
    ['a terminal: a redrawn bar', [], {}, 'bar'],
    ['NO_COLOR: plain lines, no escape sequences', [], { NO_COLOR: '1' }, 'lines'],
    ['--no-progress: nothing', ['--no-progress'], {}, 'none'],
  ])('progress on %s', async (_, more, extra, shown) => {
    // A plain line comes every 5 s: slow answers make the export last that long.
    const { exportArgs, env } = await simulate({
      jobs: 2,
      frames: 1,
      points: 10,
      latencyMs: shown === 'lines' ? 1200 : 0,
    });
    const result = await run(exportArgs(await tempDir(), ...more), { ...env, ...extra }, { tty: true });
    expect(result.code).toBe(0);
    expect(result.stderr.includes('\x1b')).toBe(shown === 'bar');
    expect(/^export: .* jobs/m.test(result.stderr)).toBe(shown === 'lines');
  });

  it('takes a --base-url ending in /v1 as the API root (never /v1/v1/)', async () => {
    const { simulator, exportArgs, env } = await simulate({ jobs: 2, frames: 1, points: 10 });
    const out = await tempDir();
    const args = exportArgs(out).map((arg) => (arg === simulator.baseUrl ? `${simulator.baseUrl}/v1/` : arg));
    const result = await run(args, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Exported 2\/2 jobs/);
  });

  const exportArgs = ['export', '--project', 'p', '--batch', 'b', '--out', 'o'];
  const key = { PLAYMENT_API_KEY: 'sk-123' };
  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['no API key', exportArgs, {}, /^playment-masks: export: set PLAYMENT_API_KEY to your API key$/m],
    [
      'a key with a trailing newline',
      exportArgs,
      { PLAYMENT_API_KEY: 'sk-123\n' },
      /^playment-masks: export: PLAYMENT_API_KEY ends with a line break \(read from a file\?\): remove it$/m,
    ],
    [
      'a key with a space',
      exportArgs,
      { PLAYMENT_API_KEY: 'sk 123' },
      /^playment-masks: export: PLAYMENT_API_KEY must be printable ASCII without spaces$/m,
    ],
    ['a missing option', ['export', '--project', 'p', '--out', 'o'], key, /--batch is required/],
    ['the key as an argument', ['export', '--api-key', 'sk-123'], {}, /never an argument/],
    [
      'a bad base URL',
      [...exportArgs, '--base-url', 'ftp://x'],
      key,
      /^playment-masks: export: --base-url must be an absolute http\(s\) URL$/m,
    ],
    [
      'a base URL without a scheme',
      [...exportArgs, '--base-url', '127.0.0.1:8080'],
      key,
      /^playment-masks: export: --base-url needs a scheme: did you mean http:\/\/127\.0\.0\.1:8080\?$/m,
    ],
    [
      '--concurrency 2000',
      [...exportArgs, '--concurrency', '2000'],
      key,
      /^playment-masks: export: --concurrency must be an integer from 1 to 1024$/m,
    ],
    [
      '--threads 1000',
      [...exportArgs, '--threads', '1000'],
      key,
      /^playment-masks: export: --threads must be an integer from 1 to 64$/m,
    ],
    [
      '--out -x',
      ['export', '--project', 'p', '--batch', 'b', '--out', '-x'],
      key,
      /^playment-masks: export: --out needs a value, not the option-like -x \(for a file of that name, write \.\/-x\)$/m,
    ],
    ['an unknown command', ['frob'], {}, /^playment-masks: unknown command "frob"$/m],
    [
      'a mistyped command',
      ['expotr', '--project', 'p'],
      {},
      /^playment-masks: unknown command "expotr"; did you mean export\?$/m,
    ],
    [
      'a mistyped option',
      [...exportArgs, '--concurency', '4'],
      key,
      /^playment-masks: export: unknown option --concurency; did you mean --concurrency\?$/m,
    ],
  ])('exits 2 on a usage error, in the words typed: %s', async (_, args, env, message) => {
    const cwd = await tempDir();
    const result = await run(args, env, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^Run "playment-masks (export )?--help" for usage\.$/m);
    // The library's names never reach the user, nor does the key; nothing is created.
    expect(result.stderr).not.toMatch(/options\./);
    expect(result.stdout + result.stderr).not.toContain('sk-123');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('playment-masks decode, simulate, demo, --help', { timeout: 60_000 }, () => {
  it('decode prints the point count and per-label counts, and writes .npy', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mask.txt'), '[16, 58, 58, 1,\n 58]');
    const json = await run(['decode', join(dir, 'mask.txt'), '--json', '--out', join(dir, 'mask.npy')]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ points: 5, labels: { 1: 1, 16: 1, 58: 3 } });
    const npy = await readFile(join(dir, 'mask.npy'));
    expect(npy.length).toBe(128 + 10);
    expect([...new Uint16Array(Uint8Array.from(npy.subarray(128)).buffer)]).toEqual([16, 58, 58, 1, 58]);
    const text = await run(['decode', join(dir, 'mask.txt')]);
    expect(text.stdout).toBe('5 points\n  label 1: 1\n  label 16: 1\n  label 58: 3\n');
  });

  it('decode exits 1 with the code and byte offset of a malformed mask', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.txt'), '[1, 2,, 3]');
    const result = await run(['decode', join(dir, 'bad.txt')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EXPECTED_VALUE: .* at byte 6/);
  });

  it.each<[string, (dir: string) => string[], (dir: string) => string]>([
    [
      'a missing file',
      (dir) => ['decode', join(dir, 'missing.txt')],
      (dir) => `playment-masks: decode: cannot read ${join(dir, 'missing.txt')}: no such file or directory (ENOENT)\n`,
    ],
    [
      '--out in a folder that does not exist',
      (dir) => ['decode', join(dir, 'mask.txt'), '--out', join(dir, 'nodir', 'x.npy')],
      (dir) =>
        `playment-masks: decode: cannot write ${join(dir, 'nodir', 'x.npy')}: no such file or directory (ENOENT)\n`,
    ],
  ])('decode exits 1 naming the file given, with the code once: %s', async (_, args, expected) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mask.txt'), '[1, 2]');
    const result = await run(args(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(expected(dir));
    expect(await readdir(dir)).toEqual(['mask.txt']);
  });

  it.each([
    ['the same path', (dir: string) => join(dir, 'mask.txt')],
    ['another spelling of it', (dir: string) => join(dir, '..', basename(dir), '.', 'mask.txt')],
  ])('decode refuses --out naming the input file (%s): exit 2, the mask left as it was', async (_, outOf) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mask.txt'), '[1, 2]');
    const out = outOf(dir);
    const result = await run(['decode', join(dir, 'mask.txt'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`decode: --out ${out} is the input file: its labels would replace the mask`);
    expect(await readFile(join(dir, 'mask.txt'), 'utf8')).toBe('[1, 2]');
    expect(await readdir(dir)).toEqual(['mask.txt']);
  });

  it('decode --out a symbolic link to the input replaces the link, not the mask', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mask.txt'), '[1, 2]');
    await symlink(join(dir, 'mask.txt'), join(dir, 'labels.npy'));
    const result = await run(['decode', join(dir, 'mask.txt'), '--out', join(dir, 'labels.npy')]);
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'mask.txt'), 'utf8')).toBe('[1, 2]');
    expect((await lstat(join(dir, 'labels.npy'))).isFile()).toBe(true);
  });

  it.each<[string, (dir: string) => string[], (dir: string) => RegExp]>([
    [
      'export --classes FILE',
      (dir) => [
        'export',
        ...['--project=p', '--batch=b', '--base-url=http://127.0.0.1:9'],
        ...[`--out=${dir}/o`, `--classes=${dir}/missing.json`],
      ],
      (dir) =>
        new RegExp(
          `^playment-masks: INVALID_CLASS_TABLE: ${dir}/missing\\.json: no such file or directory \\(ENOENT\\)$`,
        ),
    ],
    [
      'dataset --from DIR',
      (dir) => ['dataset', 'semantickitti', `--from=${dir}/none`, `--out=${dir}/kitti`],
      (dir) =>
        new RegExp(
          `^playment-masks: NOT_AN_EXPORT: cannot read ${dir}/none/summary\\.json: no such file or directory \\(ENOENT\\)$`,
        ),
    ],
  ])('a missing file given to %s: named once, its code once (exit 1)', async (_, args, expected) => {
    const dir = await tempDir();
    // The file is read before any request (the base URL is a closed loopback port anyway).
    const result = await run(args(dir), { PLAYMENT_API_KEY: 'k' });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd()).toMatch(expected(dir));
  });

  it.each<[string, string[], string]>([
    ['text', ['decode', '-'], '3 points\n  label 7: 1\n  label 9: 2\n'],
    ['--json', ['decode', '--json', '-'], '{"points":3,"labels":{"7":1,"9":2}}\n'],
  ])('decode - reads the mask from standard input (%s)', async (_, args, expected) => {
    const result = await run(args, {}, { input: '[9, 7,\n 9]' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected);
  });

  it.each([['--version'], ['-v'], ['-V']])('%s prints the version in package.json', async (flag) => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const result = await run([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('simulate serves a batch the export can fetch, until Ctrl-C', async () => {
    const { child, done } = start(['simulate', '--port', '0', '--jobs', '3', '--frames', '2', '--points', '100']);
    let stdout = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    while (!stdout.includes('Ctrl-C') && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    const baseUrl = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    const key = /API key: (\S+)/.exec(stdout)![1]!;
    const [, project, batch] = /project (\S+), batch (\S+):/.exec(stdout)!;
    const out = await tempDir();
    const exported = await run(
      ['export', '--base-url', baseUrl, '--project', project!, '--batch', batch!, '--out', out],
      {
        PLAYMENT_API_KEY: key,
      },
    );
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/Exported 3\/3 jobs, 6 masks, 600 points/);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  it.each<[string, (dir: string) => Promise<{ command: [string, ...string[]]; path: string }>, RegExp]>([
    [
      'node dist/cli.js',
      async () => ({ command: [process.execPath, CLI], path: '' }),
      / node \/\S+\/dist\/cli\.js export /,
    ],
    [
      'a bin link on PATH, as npm installs it',
      async (dir) => {
        await mkdir(join(dir, 'bin'));
        await symlink(CLI, join(dir, 'bin', 'playment-masks'));
        return { command: [join(dir, 'bin', 'playment-masks')], path: `${join(dir, 'bin')}:` };
      },
      / playment-masks export /,
    ],
  ])("simulate's Try: line runs as printed (%s)", async (_, setUp, expected) => {
    const dir = await tempDir();
    const { command, path } = await setUp(dir);
    // The shell finds `node` the way the user's does.
    const env = { PATH: `${path}${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const args = ['simulate', '--port', '0', '--jobs', '2', '--frames', '1', '--points', '50'];
    const { child } = start(args, env, [], { cwd: dir, command });
    const shown = await banner(child);
    const tryLine = /^Try: (.*)$/m.exec(shown)![1]!;
    expect(tryLine).toMatch(expected);
    const exported = await run(['-c', tryLine], env, { cwd: dir, command: ['/bin/sh'] });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/Exported 2\/2 jobs, 2 masks, 100 points/);
    expect(JSON.parse(await readFile(join(dir, 'export', 'summary.json'), 'utf8')).masks).toBe(2);
  });

  it('simulate serves the faults and page size asked for', async () => {
    const { child } = start([
      'simulate',
      '--port=0',
      '--jobs=4',
      '--frames=1',
      '--points=10',
      '--page-size=1',
      '--latency-ms=1',
      // Every job result answers the final 400 (a random draw at rate 1), nothing else is touched.
      '--fault-rate=1',
      '--fault-kinds=final400',
      '--fault-routes=job',
    ]);
    const shown = await banner(child);
    expect(shown).toMatch(/: 4 jobs x 1 frames x 10 points, 4 page\(s\)\n {2}faults: 100% of requests\n/);
    const baseUrl = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(shown)![1]!;
    const [, project, batch] = /project (\S+), batch (\S+):/.exec(shown)!;
    const out = await tempDir();
    const exported = await run(
      ['export', '--base-url', baseUrl, '--project', project!, '--batch', batch!, '--out', out],
      { PLAYMENT_API_KEY: /API key: (\S+)/.exec(shown)![1]! },
    );
    expect(exported.code).toBe(1);
    expect(exported.stdout).toMatch(/^Exported 0\/4 jobs/);
    expect(exported.stdout).toMatch(/4 job\(s\) failed/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.failures.map((f: { code: string; status: number }) => [f.code, f.status])).toEqual(
      Array.from({ length: 4 }, () => ['API_ERROR', 400]),
    );
  });

  it('simulate names the port in use', async () => {
    const { simulator } = await simulate({});
    const port = new URL(simulator.baseUrl).port;
    const result = await run(['simulate', '--port', port]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `playment-masks: simulate: --port ${port} is in use: choose another, or --port 0 for a free one\n`,
    );
  });

  // Without the simulated 5/s limit: these tests are about the temporary folder, not the rate (rate-limit.test.ts).
  const demoArgs = ['demo', '--jobs', '12', '--frames', '2', '--points', '1000', '--rate-limit', '0'];
  it.each<[string, string[], 'removed' | 'kept']>([
    ['without --out: a temporary folder, removed at the end', [], 'removed'],
    ['--keep: the temporary folder kept, and said where', ['--keep'], 'kept'],
  ])('demo %s', async (_, more, fate) => {
    const tmp = await tempDir();
    const result = await run([...demoArgs, ...more], { TMPDIR: tmp });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exported 12\/12 jobs, 24 masks, 24000 points/);
    const left = await readdir(tmp);
    if (fate === 'removed') {
      expect(left).toEqual([]);
      expect(result.stdout).toMatch(
        new RegExp(
          `^Output: removed ${tmp}/playment-masks-demo-\\w+ \\(\\d+\\.\\d [KM]iB\\); --keep or --out DIR keeps it$`,
          'm',
        ),
      );
    } else {
      expect(left).toHaveLength(1);
      const dir = join(tmp, left[0]!);
      const size = [...(await readTree(dir)).values()].reduce((sum, bytes) => sum + bytes.length, 0);
      expect(result.stdout).toContain(`Output: ${dir} (${formatBytes(size)}), kept: remove it when done\n`);
      expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')).masks).toBe(24);
    }
  });

  it('demo keeps its temporary folder when jobs failed, and says why', async () => {
    const tmp = await tempDir();
    const faults = ['--fault-rate=1', '--fault-kinds=final400', '--fault-routes=job'];
    const result = await run(['demo', '--jobs=2', '--frames=1', '--points=10', ...faults], { TMPDIR: tmp });
    expect(result.code).toBe(1);
    const left = await readdir(tmp);
    expect(left).toHaveLength(1);
    const dir = join(tmp, left[0]!);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Output: ${dir} \\(\\d+\\.\\d KiB\\), kept for its summary.json of the failures: remove it when done$`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(/^2 job\(s\) failed \(see summary.json\):$/m);
    // A rerun would start a new simulated batch in a new folder: not offered.
    expect(result.stdout).not.toMatch(/rerun/);
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')).failures).toHaveLength(2);
  });

  it('demo --out exports into the folder given and keeps it', async () => {
    const tmp = await tempDir();
    const out = await tempDir();
    const result = await run([...demoArgs, '--out', out], { TMPDIR: tmp });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^Output: ${out} \\(\\d+\\.\\d [KM]iB: index.jsonl, summary.json\\)$`, 'm'),
    );
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.masks).toBe(24);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('demo --nan-returns --pcl-padding serves clouds as lidars and PCL leave them; kitti leaves the NaN points out', async () => {
    const out = await tempDir();
    const quirks = ['--nan-returns', '--pcl-padding', '--with-points', '--format', 'kitti'];
    const result = await run(['demo', '--jobs=3', '--frames=2', '--points=2000', '--out', out, ...quirks]);
    expect(result.code).toBe(0);
    const lines = (await readFile(join(out, 'index.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { points: number; points_left_out: number });
    expect(lines).toHaveLength(6);
    // Without --nan-returns the simulator's empty returns are zeros, which kitti keeps (the same demo, below).
    expect(lines.every((line) => line.points_left_out > 0 && line.points + line.points_left_out === 2000)).toBe(true);
    const plain = await tempDir();
    expect(
      (await run(['demo', '--jobs=1', '--frames=1', '--points=2000', '--out', plain, ...quirks.slice(2)])).code,
    ).toBe(0);
    expect(JSON.parse(await readFile(join(plain, 'index.jsonl'), 'utf8')).points_left_out).toBe(0);
  });

  it.each(['export', 'decode', 'simulate', 'demo'])('%s --help prints its usage (exit 0)', async (command) => {
    const result = await run([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: playment-masks ${command}`);
  });

  it('alone prints a short usage on stderr and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: playment-masks COMMAND \[options\]\n {2}export /);
  });

  it('decode --help ends with what its own exit codes mean, not a job failure', async () => {
    const result = await run(['decode', '--help']);
    expect(result.stdout).not.toMatch(/jobs failed/);
    expect(result.stdout).toMatch(/Examples:\n {2}playment-masks decode mask\.txt\n/);
    expect(result.stdout).toMatch(/^ {2}1 +the file cannot be read, written or parsed/m);
  });

  it('dataset --json prints one JSON document', async () => {
    const result = await run(['dataset', 'semantickitti', '--from', await tempDir(), '-o', await tempDir(), '--json']);
    // Not an export: the error on stderr, stdout empty.
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/NOT_AN_EXPORT/);
  });

  it('--help without a command lists the commands', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['export', 'decode', 'simulate', 'demo'])
      expect(result.stdout).toContain(`playment-masks ${command}`);
  });
});
