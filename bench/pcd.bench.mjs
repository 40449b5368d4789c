// readPcd throughput (MB of file per second) for each DATA form on a 2M-point lidar cloud, against a plain-JS reader
// written the way the common npm PCD loaders do it (bench/pcd-baseline.mjs), in the same run. Plain timing, the cases
// interleaved round by round, median of rounds. Results in bench/results/pcd.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readPcd } from '../dist/index.js';
import { lidarScan, writePcd } from '../dist/sim.js';
import { readPcdBaseline } from './pcd-baseline.mjs';

const POINTS = 2_000_000;
const ROUNDS = 7;
const FORMS = ['ascii', 'binary', 'binary_compressed'];
const REQUIRED_SPEEDUP = { binary_compressed: 3 };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function sameArrays(a, b) {
  for (const name of Object.keys(b.fields)) {
    const left = a.fields[name];
    const right = b.fields[name];
    if (left.length !== right.length) return false;
    for (let i = 0; i < left.length; i++) if (!Object.is(left[i], right[i])) return false;
  }
  return true;
}

const cloud = lidarScan(POINTS, 12345);
const files = Object.fromEntries(FORMS.map((form) => [form, writePcd(cloud, POINTS, form)]));

// Both readers must agree before either is timed.
for (const form of FORMS) {
  if (!sameArrays(readPcd(files[form]), readPcdBaseline(files[form]))) throw new Error(`${form}: the readers disagree`);
}

const cases = FORMS.flatMap((form) => [
  { form, reader: 'readPcd', run: () => readPcd(files[form]) },
  { form, reader: 'DataView baseline', run: () => readPcdBaseline(files[form]) },
]);
const samples = cases.map(() => []);
for (let round = 0; round <= ROUNDS; round++) {
  for (const [i, { run }] of cases.entries()) {
    globalThis.gc?.();
    const start = performance.now();
    run();
    if (round > 0) samples[i].push(performance.now() - start);
  }
}

const rows = FORMS.map((form) => {
  const [ours, baseline] = cases.map((c, i) => ({ ...c, ms: median(samples[i]) })).filter((c) => c.form === form);
  const bytes = files[form].byteLength;
  const speedup = baseline.ms / ours.ms;
  return {
    form,
    fileMegabytes: bytes / 1e6,
    readPcd: { ms: ours.ms, megabytesPerSecond: bytes / 1000 / ours.ms },
    baseline: { ms: baseline.ms, megabytesPerSecond: bytes / 1000 / baseline.ms },
    speedup,
    requiredSpeedup: REQUIRED_SPEEDUP[form] ?? null,
  };
});

console.table(
  rows.map((row) => ({
    DATA: row.form,
    'file MB': row.fileMegabytes.toFixed(1),
    'readPcd MB/s': row.readPcd.megabytesPerSecond.toFixed(0),
    'baseline MB/s': row.baseline.megabytesPerSecond.toFixed(0),
    speedup: `${row.speedup.toFixed(2)}x`,
  })),
);
const result = {
  suite: 'pcd',
  points: POINTS,
  fields: 'x y z intensity (F4)',
  rounds: ROUNDS,
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/pcd.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
const missed = rows.filter((row) => row.requiredSpeedup !== null && row.speedup < row.requiredSpeedup);
for (const row of missed) console.error(`${row.form}: ${row.speedup.toFixed(2)}x, the bar is ${row.requiredSpeedup}x`);
process.exitCode = missed.length === 0 ? 0 : 1;
