// MaskDecoderPool: throughput on 1..N threads against in-thread decodeMask (the baseline, same run), and the fixed
// cost of one task on a 1k-point mask. Plain timing, cases interleaved, best and median of rounds: on a shared
// machine other processes only ever add time, so the best round is the cleanest view. Results in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMask, MaskDecoderPool } from '../dist/index.js';
import { realisticMaskText } from '../dist/sim.js';

const THREADS = availableParallelism();
const LARGE_POINTS = 500_000;
const LARGE_MASKS = 32;
const SMALL_POINTS = 1_000;
const SMALL_TASKS = 4_000;
const ROUNDS = 15;

const encoder = new TextEncoder();
const largeMasks = Array.from({ length: LARGE_MASKS }, (_, i) =>
  encoder.encode(realisticMaskText(LARGE_POINTS, i + 1)),
);
const largeBytes = largeMasks.reduce((sum, mask) => sum + mask.byteLength, 0);
const smallMask = encoder.encode(realisticMaskText(SMALL_POINTS, 99));

/**
 * Best and median milliseconds of each case's `run()`, the cases interleaved round by round so that a load spike
 * hits all of them alike; round 0 warms up. `prepare()` runs untimed before each run.
 */
async function timeInterleaved(cases) {
  const samples = cases.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, { run, prepare }] of cases.entries()) {
      const input = prepare?.();
      globalThis.gc?.();
      // Let V8's concurrent sweeping after that full GC finish: on 2 cores it would steal a worker's core.
      await sleep(20);
      const start = performance.now();
      await run(input);
      if (round > 0) samples[i].push(performance.now() - start);
    }
  }
  return cases.map(({ name, threads }, i) => {
    const sorted = samples[i].sort((a, b) => a - b);
    return { name, threads, ms: sorted[0], medianMs: sorted[Math.floor(sorted.length / 2)] };
  });
}

function sameBytes(a, b) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const freshInputs = () => largeMasks.map((mask) => mask.slice());

const threadCounts = Array.from({ length: THREADS }, (_, i) => i + 1);
const pools = threadCounts.map((threads) => new MaskDecoderPool({ threads }));

// Exact results first: every pool against in-thread decodeMask.
const expected = largeMasks.map((mask) => decodeMask(mask));
for (const pool of pools) {
  const results = await Promise.all(largeMasks.map((mask) => pool.decode(mask)));
  results.forEach((result, i) => {
    if (!sameBytes(result.labels, expected[i].labels) || !sameBytes(result.histogram, expected[i].histogram)) {
      throw new Error(`${pool.threads}-thread pool: mask ${i} differs from decodeMask`);
    }
  });
}

// Throughput on the large masks: all submitted at once, the pool's own queue feeding the threads.
const throughput = await timeInterleaved([
  {
    name: 'decodeMask (in thread)',
    threads: 0,
    run: () => {
      for (const mask of largeMasks) decodeMask(mask);
    },
  },
  {
    // Inputs as fresh as the transfer case gets them (as from a download): decoding fresh buffers costs more.
    name: 'decodeMask (in thread), fresh inputs',
    threads: 0,
    prepare: freshInputs,
    run: (inputs) => {
      for (const mask of inputs) decodeMask(mask);
    },
  },
  ...pools.flatMap((pool) => [
    {
      name: 'pool, input copied',
      threads: pool.threads,
      run: () => Promise.all(largeMasks.map((mask) => pool.decode(mask))),
    },
    {
      // transfer: true detaches the inputs, so every run gets fresh ones, made outside the timed region.
      name: 'pool, transfer: true',
      threads: pool.threads,
      prepare: freshInputs,
      run: (inputs) => Promise.all(inputs.map((mask) => pool.decode(mask, { transfer: true }))),
    },
  ]),
]);

// Fixed cost of one task on a 1k-point mask: one at a time (latency) and many at once (throughput).
const smallTimes = await timeInterleaved([
  {
    name: 'decodeMask (in thread)',
    threads: 0,
    run: () => {
      for (let i = 0; i < SMALL_TASKS; i++) decodeMask(smallMask);
    },
  },
  ...pools.flatMap((pool) => [
    {
      name: 'one at a time',
      threads: pool.threads,
      run: async () => {
        for (let i = 0; i < SMALL_TASKS; i++) await pool.decode(smallMask);
      },
    },
    {
      name: 'many at once',
      threads: pool.threads,
      run: () => Promise.all(Array.from({ length: SMALL_TASKS }, () => pool.decode(smallMask))),
    },
  ]),
]);
await Promise.all(pools.map((pool) => pool.close()));

const sameCase = (row, threads) => throughput.find((other) => other.name === row.name && other.threads === threads);
// Each pool case against in-thread decoding of the same inputs: the caller's long-lived ones, or fresh ones.
const [warmBaseline, freshBaseline] = throughput;
const baselineOf = (row) => (row.name.includes('copied') ? warmBaseline : freshBaseline);
const throughputRows = throughput.map((row) => ({
  ...row,
  masksPerSecond: (LARGE_MASKS * 1000) / row.ms,
  megabytesPerSecond: largeBytes / 1000 / row.ms,
  vsInThread: row.threads === 0 ? null : baselineOf(row).ms / row.ms,
  // The bar: N threads against 1 thread of the same case.
  vsOneThread: row.threads === 0 ? null : sameCase(row, 1).ms / row.ms,
  vsOneThreadMedian: row.threads === 0 ? null : sameCase(row, 1).medianMs / row.medianMs,
}));
const smallInThreadUs = (smallTimes[0].ms * 1000) / SMALL_TASKS;
const usPerTask = (name, threads) =>
  (smallTimes.find((row) => row.name === name && row.threads === threads).ms * 1000) / SMALL_TASKS;
const perTaskRows = threadCounts.map((threads) => ({
  threads,
  oneAtATimeUs: usPerTask('one at a time', threads),
  oneAtATimeOverheadUs: usPerTask('one at a time', threads) - smallInThreadUs,
  manyAtOnceUs: usPerTask('many at once', threads),
}));

const result = {
  suite: 'pool',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: THREADS, node: process.version },
  largeMasks: { count: LARGE_MASKS, points: LARGE_POINTS, bytes: largeBytes },
  throughput: throughputRows,
  smallMask: { points: SMALL_POINTS, bytes: smallMask.byteLength, inThreadUs: smallInThreadUs },
  perTask: perTaskRows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/pool.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);

const fixed = (value, digits = 2) => (value === null ? '' : value.toFixed(digits));
const { cpu, node } = result.machine;
const megabytes = (largeBytes / 1e6).toFixed(1);
console.log(`${LARGE_MASKS} masks of ${LARGE_POINTS} points (${megabytes} MB of text); ${cpu}, Node ${node}`);
console.table(
  throughputRows.map((row) => ({
    case: row.name,
    threads: row.threads || '-',
    'best ms': fixed(row.ms, 1),
    'median ms': fixed(row.medianMs, 1),
    'masks/s': fixed(row.masksPerSecond, 0),
    'x in-thread': fixed(row.vsInThread),
    'x 1 thread': fixed(row.vsOneThread),
    'x 1 thread (median)': fixed(row.vsOneThreadMedian),
  })),
);
console.log(`${SMALL_POINTS}-point mask: ${fixed(smallInThreadUs, 1)} µs in thread; per task through the pool:`);
console.table(
  perTaskRows.map((row) => ({
    threads: row.threads,
    'one at a time µs': fixed(row.oneAtATimeUs, 1),
    'overhead µs': fixed(row.oneAtATimeOverheadUs, 1),
    'many at once µs': fixed(row.manyAtOnceUs, 1),
  })),
);
