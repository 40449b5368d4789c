// Export cost against the number of classes: `playment-masks export` (dist/cli.js, a child process) of one 300-job
// batch whose jobs each carry 60 classes of their own (18,000 in the batch), against the same batch shape with the
// same 60 classes in every job. Small masks and no latency, so that what grows with the classes is what shows.
// The two sides alternate in rounds (first side swapped each round); the ratio is taken per round, its median kept.
// Also the export's stdout size with 18,000 classes. Results in bench/results/export-classes.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { machine, median } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const JOBS = 300;
const CLASSES_PER_JOB = 60;
const POINTS = 2_000;
const ROUNDS = 7;

const outputs = mkdtempSync(join(tmpdir(), 'bench-export-classes-'));
let outputCount = 0;

/** One export into a fresh folder: wall milliseconds, stdout bytes, and the classes classes.json lists. */
function exportOnce(simulator) {
  const out = join(outputs, String(outputCount++));
  const args = [CLI, 'export', '--base-url', simulator.baseUrl, '--project', simulator.projectId];
  args.push('--batch', simulator.batchId, '--out', out);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, PLAYMENT_API_KEY: simulator.apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`export exited ${code}: ${stderr.slice(-2000)}`));
      const { classes } = JSON.parse(readFileSync(join(out, 'classes.json'), 'utf8'));
      resolve({ wallMs, stdoutBytes: Buffer.byteLength(stdout), classes: classes.length - 1 });
    });
  });
}

const sides = {};
try {
  for (const [name, shared] of [
    ['shared', true],
    ['own', false],
  ]) {
    const simulator = await startSimulator({
      jobs: JOBS,
      frames: 1,
      points: POINTS,
      pageSize: 100,
      classesPerJob: CLASSES_PER_JOB,
      sharedClasses: shared,
      cacheBytes: 512 * 1024 * 1024,
    });
    sides[name] = { simulator, runs: [] };
    await exportOnce(simulator); // warm-up: fills the simulator's cache
  }
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['shared', 'own'] : ['own', 'shared'];
    const runs = {};
    for (const name of order) {
      runs[name] = await exportOnce(sides[name].simulator);
      sides[name].runs.push(runs[name]);
    }
    ratios.push(runs.own.wallMs / runs.shared.wallMs);
    console.log(`round ${round + 1}: ${runs.shared.wallMs.toFixed(0)} ms vs ${runs.own.wallMs.toFixed(0)} ms`);
  }
  const summary = (name) => ({
    classes: sides[name].runs[0].classes,
    wallMs: Math.round(median(sides[name].runs.map((run) => run.wallMs))),
    runsMs: sides[name].runs.map((run) => Math.round(run.wallMs)),
    stdoutBytes: Math.max(...sides[name].runs.map((run) => run.stdoutBytes)),
  });
  const report = {
    machine: machine(),
    jobs: JOBS,
    masksPerJob: 1,
    pointsPerMask: POINTS,
    classesPerJob: CLASSES_PER_JOB,
    sharedClasses: summary('shared'),
    ownClasses: summary('own'),
    ratio: Number(median(ratios).toFixed(2)),
    ratios: ratios.map((ratio) => Number(ratio.toFixed(2))),
    bar: { ratioAtMost: 1.25, stdoutBelowBytes: 4096 },
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'export-classes.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `${JOBS} jobs: ${report.sharedClasses.classes} classes ${report.sharedClasses.wallMs} ms, ` +
      `${report.ownClasses.classes} classes ${report.ownClasses.wallMs} ms: ${report.ratio}x ` +
      `(rounds ${report.ratios.join(', ')}); stdout ${report.ownClasses.stdoutBytes} bytes`,
  );
  const { ratioAtMost, stdoutBelowBytes } = report.bar;
  if (report.ratio > ratioAtMost || report.ownClasses.stdoutBytes >= stdoutBelowBytes) process.exitCode = 1;
} finally {
  await Promise.all(Object.values(sides).map(({ simulator }) => simulator.close()));
  rmSync(outputs, { recursive: true, force: true });
}
