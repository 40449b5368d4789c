// The playment-masks command end to end: `node dist/cli.js` in a child process against the simulator in this one.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../dist/sim.js';
import {
  checkExport,
  completeJobCount,
  filesContaining,
  readTree,
  removeTempDirs,
  tempDir,
  treeDifference,
} from './export-support.js';
import { killChildren, run, start } from './cli-support.js';

const simulators: Simulator[] = [];

afterEach(async () => {
  killChildren();
  await Promise.all(simulators.splice(0).map((simulator) => simulator.close()));
});
afterAll(removeTempDirs);

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
    expect(simulator.stats.faultsInjected).toBeGreaterThan(10);
    const tree = await readTree(out);
    expect(checkExport(tree, simulator.dataset, 'npy')).toBe(72);
    // The key: never in the output, a file, or a request to the storage host.
    expect(result.stdout + result.stderr).not.toContain(simulator.apiKey);
    expect(filesContaining(tree, simulator.apiKey)).toEqual([]);
    expect(simulator.stats.storageRequestsWithKey).toBe(0);
  });

  it('keeps hostile job ids inside DIR with distinct files (kitti)', async () => {
    const jobIds = ['../x', '..', '.', '/', '/etc/passwd', 'a/b', 'a_b', 'a%2fb', 'A', 'a', 'nul'];
    const { simulator, exportArgs, env } = await simulate({ jobIds, frames: 1, points: 50 });
    const parent = await tempDir();
    const result = await run(exportArgs(join(parent, 'out'), '--format', 'kitti'), env);
    expect(result.code).toBe(0);
    expect(await readdir(parent)).toEqual(['out']);
    expect(checkExport(await readTree(join(parent, 'out')), simulator.dataset, 'kitti')).toBe(jobIds.length);
  });

  it('resumes after kill -9 at several moments and ends byte for byte like an uninterrupted run', async () => {
    // The whole bar at once: hostile ids, 10% injected faults, three kills and a rerun.
    const hostile = ['../x', '..', '/', 'a/b', 'a_b', 'A', 'a', 'con', '%2e%2e', ' '];
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
        } else if (path.endsWith('.json') || path.endsWith('.jsonl')) {
          for (const line of bytes.toString('utf8').split('\n')) if (line.trim()) JSON.parse(line);
        }
      }
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const rerun = await run(exportArgs(out, '--concurrency', '4'), env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/complete from an earlier run/);
    expect(treeDifference(await readTree(out), cleanTree)).toBe('');
  });

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

  it('exits 1 without printing the key when the API refuses it', async () => {
    const { exportArgs } = await simulate({ jobs: 2 });
    const out = await tempDir();
    const wrongKey = 'sk-live-wrong-key-0123456789';
    const result = await run(exportArgs(out), { PLAYMENT_API_KEY: wrongKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/playment-masks: API_ERROR/);
    expect(result.stdout + result.stderr).not.toContain(wrongKey);
    const tree = await readTree(out);
    expect(filesContaining(tree, wrongKey)).toEqual([]);
  });

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['no API key', ['export', '--project', 'p', '--batch', 'b', '--out', 'o'], {}, /set PLAYMENT_API_KEY/],
    ['a missing option', ['export', '--project', 'p', '--out', 'o'], { PLAYMENT_API_KEY: 'k' }, /--batch is required/],
    ['the key as an argument', ['export', '--api-key', 'sk-123'], {}, /never an argument/],
    [
      'a bad base URL',
      ['export', '--project', 'p', '--batch', 'b', '--out', 'o', '--base-url', 'ftp://x'],
      { PLAYMENT_API_KEY: 'sk-123' },
      /baseUrl/,
    ],
    ['an unknown command', ['frob'], {}, /unknown command/],
  ])('exits 2 on a usage error: %s', async (_, args, env, message) => {
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout + result.stderr).not.toContain('sk-123');
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
    expect((await run(['decode', join(dir, 'missing.txt')])).stderr).toMatch(/ENOENT/);
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

  it('demo exports a simulated batch offline and prints the summary', async () => {
    const out = await tempDir();
    const result = await run(['demo', '--out', out, '--jobs', '12', '--frames', '2', '--points', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exported 12\/12 jobs, 24 masks, 24000 points/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.masks).toBe(24);
  });

  it.each(['export', 'decode', 'simulate', 'demo'])('%s --help prints its usage (exit 0)', async (command) => {
    const result = await run([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: playment-masks ${command}`);
  });

  it('--help without a command lists the commands', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['export', 'decode', 'simulate', 'demo'])
      expect(result.stdout).toContain(`playment-masks ${command}`);
  });
});
