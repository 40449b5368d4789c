// The command against hostile servers and hostile folders: `node dist/cli.js` in child processes, many at once.
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  formatMaskText,
  resultText,
  startHostileServer,
  type HostileOptions,
  type HostileServer,
} from '../src/sim/index.js';
import { killChildren, start as startCli, type Run } from './cli-support.js';
import { removeTempDirs, tempDir } from './export-support.js';

const LOCK = '.playment-masks.lock';
const START_AT = fileURLToPath(new URL('./fixtures/start-at.mjs', import.meta.url));
const servers: HostileServer[] = [];

afterEach(async () => {
  killChildren();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(removeTempDirs);

/** Runs `export` into `out`; with `startAt` (ms since the epoch) the process holds until then before it starts. */
function start(server: HostileServer, out: string, startAt?: number, more: string[] = []) {
  const args = ['export', '--base-url', server.baseUrl, '--project', server.projectId, '--batch', server.batchId];
  const env = { PLAYMENT_API_KEY: server.apiKey, START_AT: String(startAt ?? 0) };
  const preload = startAt === undefined ? [] : ['--import', START_AT];
  const threads = more.includes('--threads') ? [] : ['--threads', '1'];
  return startCli([...args, '--out', out, ...threads, ...more], env, preload);
}

async function serve(options: HostileOptions): Promise<HostileServer> {
  const server = await startHostileServer(options);
  servers.push(server);
  return server;
}

/** A pid that no process has now: that of a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

describe('the export command under hostile conditions', { timeout: 240_000 }, () => {
  it('starts exactly one of six exports launched at once into one folder, round after round', async () => {
    // Every batch page request is held until the round is decided: the export that got the lock waits there, so
    // overlapping runs cannot be mistaken for consecutive ones, however slow the machine.
    let arrivals = 0;
    let release: () => void = () => {};
    const server = await serve({
      jobs: [],
      beforeBatchPage: () => {
        arrivals++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const out = await tempDir('lock-race-');
      // Half the rounds start over a stale lock (a killed run's), which every competitor tries to take over.
      if (round % 4 === 1) await writeFile(join(out, LOCK), `${await deadPid()}`);
      if (round % 4 === 3) {
        const pid = await deadPid();
        const stale = { pid, host: hostname(), started: new Date().toISOString(), nonce: crypto.randomUUID() };
        await writeFile(join(out, LOCK), JSON.stringify(stale));
      }
      arrivals = 0;
      // Spawned one after the other, they all start at one moment, a while after the last spawn.
      const startAt = Date.now() + 1500;
      const runs = Array.from({ length: 6 }, () => start(server, out, startAt));
      const outcomes: (Run | undefined)[] = runs.map(() => undefined);
      runs.forEach(({ done }, i) => void done.then((outcome) => (outcomes[i] = outcome)));
      // Decided: every run has either exited or reached the API.
      while (outcomes.filter(Boolean).length + arrivals < runs.length) await new Promise((r) => setTimeout(r, 20));
      expect(arrivals, `round ${round}`).toBe(1);
      const refused = outcomes.filter((outcome): outcome is Run => outcome !== undefined);
      expect(refused).toHaveLength(5);
      for (const outcome of refused) {
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toMatch(/OUTPUT_LOCKED: .* is in use by another export \(process \d+/);
      }
      release();
      const finished = await Promise.all(runs.map((run) => run.done));
      // On a failure, say how each run ended: a rare failure must be explainable from the CI log alone.
      const endings = finished
        .map((outcome) => `exit ${outcome.code} ${outcome.signal ?? ''}: ${outcome.stderr.slice(-300)}`)
        .join('\n');
      expect(
        finished.filter((outcome) => outcome.code === 0),
        `round ${round}\n${endings}`,
      ).toHaveLength(1);
      expect((await readdir(out)).sort()).toEqual(['classes.json', 'index.jsonl', 'jobs', 'summary.json']);
    }
  });

  it('ends every export of a short race by an exit code, never a signal, its pool closed while it starts', async () => {
    // An empty batch served at once: the export that gets the lock finishes and closes its decoding pool while the
    // pool's worker is still starting (a worker terminated inside require() can abort the process). Rounds may
    // overlap or follow each other, so each run ends exported (0) or refused (1), and at least one exports.
    const server = await serve({ jobs: [] });
    for (let round = 0; round < 3; round++) {
      const out = await tempDir('short-race-');
      const startAt = Date.now() + 1000;
      const threads = String(1 + (round % 2));
      const finished = await Promise.all(
        Array.from({ length: 6 }, () => start(server, out, startAt, ['--threads', threads]).done),
      );
      const endings = finished.map((outcome) => `exit ${outcome.code} ${outcome.signal}: ${outcome.stderr}`);
      expect(
        finished.map((outcome) => outcome.signal),
        endings.join('\n'),
      ).toEqual(finished.map(() => null));
      for (const outcome of finished.filter((outcome) => outcome.code !== 0)) {
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toMatch(/OUTPUT_LOCKED: /);
      }
      expect(finished.some((outcome) => outcome.code === 0)).toBe(true);
      expect((await readdir(out)).sort()).toEqual(['classes.json', 'index.jsonl', 'jobs', 'summary.json']);
    }
  });

  it('takes over a lock whose pid is now another process, and names the file to delete when unsure', async () => {
    const server = await serve({ jobs: [] });
    // A live pid (this test's) whose start time differs from the lock's: the pid was reused after a crash.
    const reused = await tempDir();
    const stat = await readFile(`/proc/${process.pid}/stat`, 'utf8').catch(() => undefined);
    if (stat !== undefined) {
      const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      const record = { pid: process.pid, host: hostname(), boot, start_ticks: ticks - 1, nonce: crypto.randomUUID() };
      await writeFile(join(reused, LOCK), JSON.stringify(record));
      const outcome = await start(server, reused).done;
      expect(outcome.stderr).toBe('');
      expect(outcome.code).toBe(0);
      expect(await readdir(reused)).not.toContain(LOCK);
    }
    // A lock an earlier version wrote (a bare pid) of a live process cannot be checked: refused, with the way out.
    const unsure = await tempDir();
    await writeFile(join(unsure, LOCK), String(process.pid));
    const refused = await start(server, unsure).done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`OUTPUT_LOCKED: ${unsure} is in use by another export (process ${process.pid})`);
    expect(refused.stderr).toContain(`If no export is running there`);
    expect(refused.stderr).toContain(`delete ${join(unsure, LOCK)} and run again`);
  });

  it('fails at once, not spinning, for a folder it cannot make (--out /proc/foo)', { timeout: 30_000 }, async () => {
    const server = await serve({ jobs: [] });
    const outcome = await start(server, '/proc/playment-masks-test/out').done;
    expect(outcome.code).toBe(1);
    // The path and reason, the code once.
    expect(outcome.stderr).toMatch(
      /^playment-masks: cannot create \/proc\/playment-masks-test: no such file or directory \(ENOENT\)$/m,
    );
  });

  it('stops on the first Ctrl-C while a request hangs (exit 130)', async () => {
    let arrived: () => void = () => {};
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const server = await serve({
      jobs: [],
      beforeBatchPage: () => {
        arrived();
        return new Promise<void>(() => {});
      },
    });
    const { child, done } = start(server, await tempDir());
    await reached;
    child.kill('SIGINT');
    const outcome = await done;
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toMatch(/interrupted; rerun the same command to resume/);
  });

  it('prints class names without control characters or bidirectional overrides', async () => {
    const labels = [1, 1, 2, 3, 3, 3];
    const classes = [
      { key: 1, label: 'car\u009b31m' },
      { key: 2, label: 'left\u202eright\u2066x\u2069' },
      { key: 3, label: 'bell\u0007\u001b[2J\u2028end' },
    ];
    const result = resultText([{ frameId: '0', sensorId: 'l', url: 'private://m0' }], classes);
    const server = await serve({
      jobs: [{ id: 'j1', result: { body: result } }],
      files: new Map([['private://m0', { body: formatMaskText(labels) }]]),
    });
    const outcome = await start(server, await tempDir()).done;
    expect(outcome.code).toBe(0);
    const line = outcome.stdout.split('\n').find((text) => text.startsWith('Classes (id name points): '));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028]/);
    expect(line).toContain('car 31m');
    expect(line).toContain('left right x ');
  });

  it('applies --max-mask-mib: a mask that inflates past it fails its job with RESPONSE_TOO_LARGE (exit 1)', async () => {
    const text = formatMaskText(Array.from({ length: 600_000 }, (_, i) => i % 2));
    const masks = ['small', 'large'].map((id) => ({ frameId: '0', sensorId: 'l', url: `private://${id}` }));
    const server = await serve({
      jobs: masks.map((mask, i) => ({ id: `j${i}`, result: { body: resultText([mask]) } })),
      files: new Map([
        ['private://small', { body: formatMaskText([1, 2, 3]) }],
        ['private://large', { body: gzipSync(text), encoding: 'gzip' }],
      ]),
    });
    expect(text.length).toBeGreaterThan(2 ** 20);
    const outcome = await start(server, await tempDir(), undefined, ['--max-mask-mib', '1']).done;
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/"j1": RESPONSE_TOO_LARGE /);
    expect(outcome.stdout).toMatch(/^Exported 1\/2 jobs/m);
  });
});
