// readPcd throughput (MB of file per second) on a lidar scan (x y z intensity, F4) in each DATA form, with ascii at
// the shortest round-trip digits (up to 9), at 7 and at 17 significant digits, against two readers of the same files
// in the same run: PCL's own (pcl::io::loadPCDFile in test/pcl/pcl-probe.cpp, built from libpcl-dev; skipped with a
// message when PCL is missing) and a plain-JS reader written the way the common npm PCD loaders do it
// (bench/pcd-baseline.mjs). Every reader starts from the file (ours and the JS one: readFileSync, page cache; PCL
// opens and maps it itself). The readers take turns round by round; ratios are taken per round, medians reported.
// Results in bench/results/pcd.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcd } from '../dist/index.js';
import { lidarScan, writePcd } from '../dist/sim.js';
import { readPcdBaseline } from './pcd-baseline.mjs';
import { buildProbe, pclLoader, pclMissing } from '../test/pcl/probe.mjs';

const BINARY_POINTS = 2_000_000;
const ASCII_POINTS = 1_000_000;
const ROUNDS = 7;
// The bars: binary_compressed at least 3x the DataView reader; 17-digit ascii at least as fast as PCL.
const REQUIRED = { binary_compressed: { baseline: 3 }, 'ascii (17 digits)': { pcl: 1 } };

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

/** `value` as C's printf("%.<digits>g") writes it: `digits` significant digits, trailing zeros dropped. */
function formatG(value, digits) {
  const [mantissa, exponent] = value.toPrecision(digits).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined
    ? trimmed
    : `${trimmed}e${exponent[0] === '-' ? '-' : '+'}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** An ascii PCD of `fields` with every value printed at `digits` significant digits, as printf("%.*g") would. */
function asciiAtDigits(fields, points, digits) {
  const head = writePcd(fields, 0, 'ascii');
  const text = new TextDecoder()
    .decode(head)
    .replace(/WIDTH 0\n/, `WIDTH ${points}\n`)
    .replace(/POINTS 0\n/, `POINTS ${points}\n`);
  const rows = new Array(points);
  for (let i = 0; i < points; i++) {
    rows[i] = fields.map((field) => formatG(field.values[i], digits)).join(' ');
  }
  return new TextEncoder().encode(`${text}${rows.join('\n')}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'playment-masks-pcd-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const binaryCloud = lidarScan(BINARY_POINTS, 12345);
const asciiCloud = lidarScan(ASCII_POINTS, 12345);
const files = [
  { name: 'ascii (shortest)', points: ASCII_POINTS, bytes: writePcd(asciiCloud, ASCII_POINTS, 'ascii') },
  { name: 'ascii (7 digits)', points: ASCII_POINTS, bytes: asciiAtDigits(asciiCloud, ASCII_POINTS, 7) },
  { name: 'ascii (17 digits)', points: ASCII_POINTS, bytes: asciiAtDigits(asciiCloud, ASCII_POINTS, 17) },
  { name: 'binary', points: BINARY_POINTS, bytes: writePcd(binaryCloud, BINARY_POINTS, 'binary') },
  {
    name: 'binary_compressed',
    points: BINARY_POINTS,
    bytes: writePcd(binaryCloud, BINARY_POINTS, 'binary_compressed'),
  },
].map((file, i) => {
  const path = join(dir, `${i}.pcd`);
  writeFileSync(path, file.bytes);
  return { ...file, path };
});

const missing = pclMissing();
if (missing) console.warn(`PCL's reader is left out: ${missing} (apt-get install pcl-tools libpcl-dev g++)`);
const pcl = missing ? undefined : pclLoader(buildProbe());

// The readers must agree before any is timed (PCL: it loads every file, checked by its point count in test/).
for (const file of files) {
  if (!sameArrays(readPcd(file.bytes), readPcdBaseline(file.bytes)))
    throw new Error(`${file.name}: the readers disagree`);
  if (pcl) await pcl.load(file.path);
}
execFileSync('sync');

const readers = {
  readPcd: async (file) => time(() => readPcd(readFileSync(file.path))),
  baseline: async (file) => time(() => readPcdBaseline(readFileSync(file.path))),
  ...(pcl && { pcl: async (file) => (await pcl.load(file.path)) / 1e6 }),
};
function time(run) {
  globalThis.gc?.();
  const start = performance.now();
  run();
  return performance.now() - start;
}

const samples = files.map(() => Object.fromEntries(Object.keys(readers).map((reader) => [reader, []])));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [f, file] of files.entries()) {
    for (const [reader, run] of Object.entries(readers)) {
      const ms = await run(file);
      if (round > 0) samples[f][reader].push(ms);
    }
  }
}
await pcl?.close();

const rows = files.map((file, f) => {
  const megabytes = file.bytes.byteLength / 1e6;
  const measured = Object.fromEntries(
    Object.entries(samples[f]).map(([reader, ms]) => {
      const middle = median(ms);
      return [reader, { ms: middle, megabytesPerSecond: megabytes / (middle / 1000) }];
    }),
  );
  const ratio = (other) => median(samples[f][other].map((ms, round) => ms / samples[f].readPcd[round]));
  return {
    form: file.name,
    points: file.points,
    fileMegabytes: megabytes,
    ...measured,
    speedupOverBaseline: ratio('baseline'),
    speedupOverPcl: pcl ? ratio('pcl') : null,
    required: REQUIRED[file.name] ?? null,
  };
});

console.table(
  rows.map((row) => ({
    DATA: row.form,
    'file MB': row.fileMegabytes.toFixed(1),
    'readPcd MB/s': row.readPcd.megabytesPerSecond.toFixed(0),
    'PCL MB/s': row.pcl ? row.pcl.megabytesPerSecond.toFixed(0) : '-',
    'vs PCL': row.speedupOverPcl ? `${row.speedupOverPcl.toFixed(2)}x` : '-',
    'DataView MB/s': row.baseline.megabytesPerSecond.toFixed(0),
    'vs DataView': `${row.speedupOverBaseline.toFixed(2)}x`,
  })),
);
const lscpu = (() => {
  try {
    return /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim();
  } catch {
    return undefined;
  }
})();
const result = {
  suite: 'pcd',
  fields: 'x y z intensity (F4)',
  rounds: ROUNDS,
  pcl: missing ? `left out: ${missing}` : 'pcl::io::loadPCDFile (libpcl-dev 1.13, g++ -O2)',
  machine: { cpu: lscpu ?? cpus()[0]?.model, cores: cpus().length, node: process.version },
  rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/pcd.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
const missed = rows.flatMap((row) => {
  const bars = [];
  if (row.required?.baseline && row.speedupOverBaseline < row.required.baseline) {
    bars.push(
      `${row.form}: ${row.speedupOverBaseline.toFixed(2)}x the DataView reader, the bar is ${row.required.baseline}x`,
    );
  }
  if (row.required?.pcl && row.speedupOverPcl !== null && row.speedupOverPcl < row.required.pcl) {
    bars.push(`${row.form}: ${row.speedupOverPcl.toFixed(2)}x PCL's reader, the bar is ${row.required.pcl}x`);
  }
  return bars;
});
for (const line of missed) console.error(line);
process.exitCode = missed.length === 0 ? 0 : 1;
