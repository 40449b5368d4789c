// Stress run, outside the test suite: ROUNDS rounds (default 200) of six `export` processes started at one moment
// into one folder. Each round must have exactly one export that runs (it reaches the API and exits 0), five refused
// with OUTPUT_LOCKED (exit 1), and no process ended by a signal. Needs the build (dist/).
//
//   node bench/lock-race.mjs [ROUNDS] [--results FILE]
//
// Every fourth round starts over a stale lock of a dead process in each of its two formats (a bare pid, a JSON
// record), which every competitor tries to take over. Prints one line per failed round and a summary; exit 1 on any.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHostileServer } from '../dist/sim.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const START_AT = fileURLToPath(new URL('../test/fixtures/start-at.mjs', import.meta.url));
const LOCK = '.playment-masks.lock';
const RACERS = 6;

const args = process.argv.slice(2);
const resultsAt = args.indexOf('--results');
const resultsFile = resultsAt >= 0 ? args.splice(resultsAt, 2)[1] : undefined;
const rounds = Number(args[0] ?? 200);

let arrivals = 0;
let release = () => {};
const server = await startHostileServer({
  jobs: [],
  // Held until the round is decided, so that the winner is still running while the others are refused.
  beforeBatchPage: () => {
    arrivals++;
    return new Promise((resolve) => (release = resolve));
  },
});

function exportInto(out, startAt) {
  const child = spawn(
    process.execPath,
    [
      ...['--import', START_AT, CLI, 'export', '--base-url', server.baseUrl],
      ...['--project', server.projectId, '--batch', server.batchId, '--out', out, '--threads', '1'],
    ],
    {
      env: { PATH: process.env.PATH ?? '', PLAYMENT_API_KEY: server.apiKey, START_AT: String(startAt) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.on('error', () => {});
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

async function deadPid() {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid;
}

async function round(index) {
  const out = await mkdtemp(join(tmpdir(), 'playment-masks-lock-race-'));
  try {
    if (index % 4 === 1) await writeFile(join(out, LOCK), `${await deadPid()}`);
    if (index % 4 === 3) {
      const stale = { pid: await deadPid(), host: hostname(), started: new Date().toISOString(), nonce: 'x' };
      await writeFile(join(out, LOCK), JSON.stringify(stale));
    }
    arrivals = 0;
    const startAt = Date.now() + 1000;
    const outcomes = Array.from({ length: RACERS }, () => undefined);
    const runs = outcomes.map((_, i) => exportInto(out, startAt).then((outcome) => (outcomes[i] = outcome)));
    while (outcomes.filter(Boolean).length + arrivals < RACERS) await new Promise((r) => setTimeout(r, 20));
    const reachedApi = arrivals;
    release();
    const finished = await Promise.all(runs);
    const problems = [];
    if (reachedApi !== 1) problems.push(`${reachedApi} exports reached the API`);
    const ran = finished.filter((outcome) => outcome.code === 0).length;
    if (ran !== 1) problems.push(`${ran} exports exited 0`);
    for (const { code, signal, stderr } of finished) {
      if (signal !== null) problems.push(`killed by ${signal}: ${stderr.slice(-2000)}`);
      else if (code !== 0 && !/OUTPUT_LOCKED: /.test(stderr)) problems.push(`exit ${code}: ${stderr.slice(-500)}`);
    }
    const files = (await readdir(out)).sort().join(',');
    if (files !== 'classes.json,index.jsonl,jobs,summary.json') problems.push(`folder holds ${files}`);
    return problems;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const started = Date.now();
let failed = 0;
for (let index = 0; index < rounds; index++) {
  const problems = await round(index);
  if (problems.length > 0) {
    failed++;
    console.log(`round ${index}: ${problems.join('; ')}`);
  }
  if ((index + 1) % 20 === 0) console.error(`${index + 1}/${rounds} rounds, ${failed} failed`);
}
await server.close();
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`${rounds - failed}/${rounds} rounds passed (${failed} failed) in ${seconds} s, Node ${process.version}`);
if (resultsFile) {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''))?.[1];
  const summary = { rounds, failed, seconds, node: process.version, cpu, date: new Date().toISOString() };
  await writeFile(resultsFile, `${JSON.stringify(summary, null, 2)}\n`);
}
process.exitCode = failed === 0 ? 0 : 1;
