// Export cost against the number of classes: `playment-masks export` (dist/cli.js, a child process) of one 300-job
// batch whose jobs each carry 60 classes of their own (18,000 in the batch), against the same batch shape with the
// same 60 classes in every job. Small masks and no latency, so that what grows with the classes is what shows.
// A third side exports the 18,000-class batch with its class table given (`--classes`, the classes.json of its
// warm-up run): ids final from the start, nothing renumbered at the end. The sides take turns in rounds (the first
// one rotating); each ratio is taken per round, its median kept.
// Also the export's stdout size with 18,000 classes, and what bounds the difference: the file operations of the
// end-of-run renumbering alone (rewrite-floor.mjs) on one of the 18,000-class exports, against the difference of
// the two sides' wall times. Results in bench/results/export-classes.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { machine, median } from './measure-child.mjs';
import { rewriteFloorMs } from './rewrite-floor.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const JOBS = 300;
const CLASSES_PER_JOB = 60;
const POINTS = 2_000;
const ROUNDS = 7;
const FLOOR_ROUNDS = 5;

const outputs = mkdtempSync(join(tmpdir(), 'bench-export-classes-'));
let outputCount = 0;

/** One export into a fresh folder: the folder, wall milliseconds, stdout bytes, and the classes classes.json lists. */
function exportOnce(simulator, extraArgs = []) {
  const out = join(outputs, String(outputCount++));
  const args = [CLI, 'export', '--base-url', simulator.baseUrl, '--project', simulator.projectId];
  args.push('--batch', simulator.batchId, '--out', out, ...extraArgs);
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
      resolve({ out, wallMs, stdoutBytes: Buffer.byteLength(stdout), classes: classes.length - 1 });
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
    const warmUp = await exportOnce(simulator); // also fills the simulator's cache
    sides[name] = { simulator, args: [], runs: [] };
    if (name === 'own') sides.ownGiven = { simulator, args: ['--classes', join(warmUp.out, 'classes.json')], runs: [] };
  }
  const names = Object.keys(sides);
  const ratios = [];
  const givenRatios = [];
  const differences = [];
  for (let round = 0; round < ROUNDS; round++) {
    const runs = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      runs[name] = await exportOnce(sides[name].simulator, sides[name].args);
      sides[name].runs.push(runs[name]);
    }
    ratios.push(runs.own.wallMs / runs.shared.wallMs);
    givenRatios.push(runs.ownGiven.wallMs / runs.shared.wallMs);
    differences.push(runs.own.wallMs - runs.shared.wallMs);
    const times = names.map((name) => `${name} ${runs[name].wallMs.toFixed(0)} ms`).join(', ');
    console.log(`round ${round + 1}: ${times}`);
  }
  const renumbered = sides.own.runs.at(-1).out;
  const floors = [];
  for (let round = 0; round < FLOOR_ROUNDS; round++) floors.push(await rewriteFloorMs(renumbered));
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
    ownClassesGiven: summary('ownGiven'),
    ratio: Number(median(ratios).toFixed(2)),
    ratios: ratios.map((ratio) => Number(ratio.toFixed(2))),
    givenRatio: Number(median(givenRatios).toFixed(2)),
    givenRatios: givenRatios.map((ratio) => Number(ratio.toFixed(2))),
    differenceMs: Math.round(median(differences)),
    renumberingFileOperationsMs: Math.round(median(floors)),
    bar: { ratioAtMost: 1.25, stdoutBelowBytes: 4096 },
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'export-classes.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `${JOBS} jobs: ${report.sharedClasses.classes} classes ${report.sharedClasses.wallMs} ms, ` +
      `${report.ownClasses.classes} classes ${report.ownClasses.wallMs} ms: ${report.ratio}x ` +
      `(rounds ${report.ratios.join(', ')}), with --classes ${report.givenRatio}x; ` +
      `stdout ${report.ownClasses.stdoutBytes} bytes; ` +
      `difference ${report.differenceMs} ms, the renumbering's file operations alone ${report.renumberingFileOperationsMs} ms`,
  );
  const { ratioAtMost, stdoutBelowBytes } = report.bar;
  if (report.ratio > ratioAtMost || report.ownClasses.stdoutBytes >= stdoutBelowBytes) process.exitCode = 1;
} finally {
  await Promise.all([...new Set(Object.values(sides).map(({ simulator }) => simulator))].map((sim) => sim.close()));
  rmSync(outputs, { recursive: true, force: true });
}
