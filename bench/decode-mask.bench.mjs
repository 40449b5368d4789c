// decodeMask against what users write today (`Uint16Array.from(JSON.parse(text))` plus a histogram loop) and against
// a hand-written JS loop over the bytes, on realistic masks (runs of equal labels, ", " separators, a line break about
// every 80 columns) of 100k and 2M points and on run-free masks (every label differs from the one before), all given
// as bytes. The machine is shared and its speed drifts, so the sides are interleaved in short rounds (each side timed
// over about TARGET_MS of calls, after a GC and a pause: a large JS allocation such as JSON.parse's evicts caches and
// slows whatever runs right after it), every ratio is taken within a round, and the median of the rounds is reported:
// decodeMask against JSON.parse at each size, and decodeMask's MB/s at 100k points against its MB/s at 2M (the
// per-call cost). decodeMask with `out` (labels written into an array reused from call to call) shows what the new
// result buffer costs: its pages are fresh memory, each faulted in on first touch. Results in
// bench/results/decode-mask.json (decode-mask-nodeNN.json off Node 20).
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMask } from '../dist/index.js';
import { formatMaskText, generateMaskLabels, realisticMaskText } from '../dist/sim.js';
import { writeVersionedResults } from './results-file.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const TARGET_MS = 150;
const major = process.version.slice(1).split('.')[0];
const BAR = {
  /** decodeMask against JSON.parse + histogram, at 100k and at 2M points. */
  speedup: major === '20' ? 10 : 8,
  /** decodeMask's MB/s at 100k points, as a share of its MB/s at 2M points (per-call cost). */
  smallShare: 0.85,
  /** Run-free data keeps at least this share of the realistic speed of the same size. */
  runFreeShare: 2 / 3,
};

const encoder = new TextEncoder();
const runFreeMaskText = (points, seed) => formatMaskText(generateMaskLabels({ points, seed, runFree: true }));
const decoder = new TextDecoder();
const masks = [
  { key: 'realistic100k', name: 'realistic, 100k points', bytes: encoder.encode(realisticMaskText(100_000, 1)) },
  { key: 'realistic2M', name: 'realistic, 2M points', bytes: encoder.encode(realisticMaskText(2_000_000, 2)) },
  { key: 'runFree100k', name: 'run-free, 100k points', bytes: encoder.encode(runFreeMaskText(100_000, 3)) },
  { key: 'runFree2M', name: 'run-free, 2M points', bytes: encoder.encode(runFreeMaskText(2_000_000, 4)) },
];

/** What users write today: decode the text, JSON.parse it, copy into a Uint16Array, count. */
function jsonParseBaseline(bytes) {
  const labels = Uint16Array.from(JSON.parse(decoder.decode(bytes)));
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  const histogram = new Uint32Array(max + 1);
  for (let i = 0; i < labels.length; i++) histogram[labels[i]]++;
  return { labels, histogram };
}

/** A hand-written JS parser over the bytes: numbers separated by commas and whitespace, one pass with counting. */
function jsLoop(bytes) {
  const out = new Uint16Array((bytes.length >> 1) + 1);
  const counts = new Uint32Array(65536);
  let count = 0;
  let max = -1;
  let i = bytes.indexOf(0x5b) + 1;
  const end = bytes.length;
  while (i < end) {
    let c = bytes[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c) {
      i++;
      continue;
    }
    if (c === 0x5d) break;
    let value = c - 0x30;
    if (value < 0 || value > 9) throw new Error(`unexpected byte at ${i}`);
    i++;
    while (i < end && (c = bytes[i] - 0x30) >= 0 && c <= 9) {
      value = value * 10 + c;
      i++;
    }
    if (value > 0xffff) throw new Error(`label out of range before ${i}`);
    out[count++] = value;
    counts[value]++;
    if (value > max) max = value;
  }
  return { labels: out.subarray(0, count), histogram: counts.slice(0, max + 1) };
}

/** Per mask, an array for decodeMask's `out` option, reused by every call: its pages stay in memory. */
const outArrays = new Map(masks.map((mask) => [mask.bytes, new Uint16Array((mask.bytes.length >> 1) + 1)]));

const sides = [
  { key: 'decodeMask', name: 'decodeMask', run: (bytes) => decodeMask(bytes) },
  {
    key: 'decodeMaskOut',
    name: 'decodeMask into out',
    run: (bytes) => decodeMask(bytes, { out: outArrays.get(bytes) }),
  },
  { key: 'jsLoop', name: 'hand-written JS loop', run: jsLoop },
  { key: 'jsonParse', name: 'Uint16Array.from(JSON.parse(text)) + histogram', run: jsonParseBaseline },
];

function sameResult(a, b) {
  return (
    a.labels.length === b.labels.length &&
    a.histogram.length === b.histogram.length &&
    a.labels.every((value, i) => value === b.labels[i]) &&
    a.histogram.every((value, i) => value === b.histogram[i])
  );
}

// Every side must agree before any is timed.
for (const mask of masks) {
  const reference = jsonParseBaseline(mask.bytes);
  for (const side of sides) {
    if (!sameResult(side.run(mask.bytes), reference)) throw new Error(`${side.name} is wrong on ${mask.name}`);
  }
}

/** Calls per timing, so that each takes about TARGET_MS (from one timed call after a warm-up). */
const calls = new Map();
for (const mask of masks) {
  for (const side of sides) {
    for (let i = 0; i < 3; i++) side.run(mask.bytes);
    const start = performance.now();
    side.run(mask.bytes);
    const ms = Math.max(performance.now() - start, 0.01);
    calls.set(`${mask.key}/${side.key}`, Math.max(1, Math.round(TARGET_MS / ms)));
  }
}

/** MB/s of every (mask, side) in every round; the order of the timings rotates from round to round. */
const timings = masks.flatMap((mask) => sides.map((side) => ({ mask, side })));
const speed = Object.fromEntries(timings.map(({ mask, side }) => [`${mask.key}/${side.key}`, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < timings.length; k++) {
    const { mask, side } = timings[(k + round * 5) % timings.length];
    const n = calls.get(`${mask.key}/${side.key}`);
    globalThis.gc?.();
    await sleep(20);
    const start = performance.now();
    for (let i = 0; i < n; i++) side.run(mask.bytes);
    const seconds = (performance.now() - start) / 1000;
    speed[`${mask.key}/${side.key}`].push((n * mask.bytes.length) / 1e6 / seconds);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** The median over the rounds of a ratio taken within each round. */
const ratio = (top, bottom) => median(speed[top].map((value, i) => value / speed[bottom][i]));
const rows = masks.map((mask) => ({
  mask: mask.key,
  name: mask.name,
  megabytes: mask.bytes.length / 1e6,
  points: decodeMask(mask.bytes).pointCount,
  ...Object.fromEntries(
    sides.map((side) => [side.key, { megabytesPerSecond: median(speed[`${mask.key}/${side.key}`]) }]),
  ),
  speedup: ratio(`${mask.key}/decodeMask`, `${mask.key}/jsonParse`),
  jsLoopSpeedup: ratio(`${mask.key}/decodeMask`, `${mask.key}/jsLoop`),
  /** decodeMask into a reused `out` against decodeMask with its new result buffer, and against JSON.parse. */
  outSpeedup: ratio(`${mask.key}/decodeMaskOut`, `${mask.key}/decodeMask`),
  outVsJsonParse: ratio(`${mask.key}/decodeMaskOut`, `${mask.key}/jsonParse`),
}));
const byKey = Object.fromEntries(rows.map((row) => [row.mask, row]));
const shares = {
  realistic100kOf2M: ratio('realistic100k/decodeMask', 'realistic2M/decodeMask'),
  runFree100kOfRealistic: ratio('runFree100k/decodeMask', 'realistic100k/decodeMask'),
  runFree2MOfRealistic: ratio('runFree2M/decodeMask', 'realistic2M/decodeMask'),
};

const misses = [];
for (const key of ['realistic100k', 'realistic2M']) {
  const row = byKey[key];
  if (row.speedup < BAR.speedup)
    misses.push(`${row.name}: ${row.speedup.toFixed(1)}x JSON.parse, the bar is ${BAR.speedup}x`);
}
if (shares.realistic100kOf2M < BAR.smallShare) {
  misses.push(`100k points at ${(shares.realistic100kOf2M * 100).toFixed(0)}% of the 2M-point MB/s, the bar is 85%`);
}
for (const key of ['runFree100kOfRealistic', 'runFree2MOfRealistic']) {
  if (shares[key] < BAR.runFreeShare) misses.push(`${key}: ${(shares[key] * 100).toFixed(0)}% of realistic speed`);
}

console.log(
  `${cpus()[0]?.model}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}; medians of ${ROUNDS} interleaved rounds`,
);
console.table(
  rows.map((row) => ({
    mask: row.name,
    MB: row.megabytes.toFixed(2),
    'decodeMask MB/s': row.decodeMask.megabytesPerSecond.toFixed(0),
    'into out MB/s': row.decodeMaskOut.megabytesPerSecond.toFixed(0),
    'JS loop MB/s': row.jsLoop.megabytesPerSecond.toFixed(0),
    'JSON.parse MB/s': row.jsonParse.megabytesPerSecond.toFixed(0),
    'vs JSON.parse': `${row.speedup.toFixed(1)}x`,
    'into out vs JSON.parse': `${row.outVsJsonParse.toFixed(1)}x`,
    'vs JS loop': `${row.jsLoopSpeedup.toFixed(1)}x`,
  })),
);
console.log(
  `decodeMask vs JSON.parse + histogram: ${byKey.realistic100k.speedup.toFixed(1)}x at 100k points, ` +
    `${byKey.realistic2M.speedup.toFixed(1)}x at 2M (bar ${BAR.speedup}x); MB/s at 100k = ` +
    `${(shares.realistic100kOf2M * 100).toFixed(0)}% of 2M (bar >= 85%); into a reused out: ` +
    `${byKey.realistic100k.outSpeedup.toFixed(2)}x (100k), ${byKey.realistic2M.outSpeedup.toFixed(2)}x (2M)`,
);
const result = {
  suite: 'decode-mask',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg()[0] },
  rounds: ROUNDS,
  bar: BAR,
  rows,
  shares,
  misses,
};
writeVersionedResults('decode-mask', result);
for (const miss of misses) console.error(`below the bar: ${miss}`);
process.exitCode = misses.length === 0 ? 0 : 1;
