// MaskDecoderPool against in-thread decodeMask on the same masks, each ratio taken per round (the sides interleaved
// in short rounds, as the machine is shared and its speed drifts) and reported as the median of the rounds.
// Two workloads (24 masks of 500k points, 500 of 100k) and three ways in:
// - bytes the caller keeps (pool.decode(bytes): copied once into reused shared memory) against decodeMask(bytes);
// - fresh bytes handed over (pool.decode(bytes, { transfer: true })) against decodeMask on equally fresh bytes;
// - files (pool.decodeFile(path): the worker reads the file) against readFile + decodeMask.
// Every pool result is checked against decodeMask first. Results in bench/results/pool.json (pool-nodeNN.json off
// Node 20).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMask, MaskDecoderPool } from '../dist/index.js';
import { realisticMaskText } from '../dist/sim.js';
import { writeVersionedResults } from './results-file.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const WORKLOADS = [
  { name: '24 x 500k points', count: 24, points: 500_000 },
  { name: '500 x 100k points', count: 500, points: 100_000 },
];
const BAR = { oneThread: 0.85, twoThreads: 1.6 };

const encoder = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'pool-bench-'));
const pools = [1, 2].map((threads) => new MaskDecoderPool({ threads }));

function sameBytes(a, b) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function checkSame(results, expected, what) {
  results.forEach((result, i) => {
    if (!sameBytes(result.labels, expected[i].labels) || !sameBytes(result.histogram, expected[i].histogram)) {
      throw new Error(`${what}: mask ${i} differs from decodeMask`);
    }
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Times each side once per round, in an order that rotates, after a short pause; returns wall-clock ms and CPU ms
 * (every thread of the process: on a shared machine the CPU a side costs says more than its wall-clock time) per
 * side per round.
 */
async function rounds(sides) {
  const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  const cpu = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  const names = Object.keys(sides);
  for (let round = 0; round <= ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const input = sides[name].prepare?.();
      globalThis.gc?.();
      await sleep(30);
      const [start, startCpu] = [performance.now(), cpuMs()];
      await sides[name].run(input);
      if (round > 0) {
        times[name].push(performance.now() - start);
        cpu[name].push(cpuMs() - startCpu);
      }
    }
  }
  return { times, cpu };
}

const workloads = [];
for (const workload of WORKLOADS) {
  const masks = Array.from({ length: workload.count }, (_, i) =>
    encoder.encode(realisticMaskText(workload.points, i + 1)),
  );
  const bytes = masks.reduce((sum, mask) => sum + mask.byteLength, 0);
  const folder = join(dir, `${workload.count}x${workload.points}`);
  mkdirSync(folder);
  const paths = masks.map((mask, i) => {
    const path = join(folder, `${i}.json`);
    writeFileSync(path, mask);
    return path;
  });
  const fresh = () => masks.map((mask) => mask.slice());
  const expected = masks.map((mask) => decodeMask(mask));
  for (const pool of pools) {
    checkSame(await Promise.all(masks.map((mask) => pool.decode(mask))), expected, `${pool.threads}-thread copy`);
    checkSame(
      await Promise.all(fresh().map((mask) => pool.decode(mask, { transfer: true }))),
      expected,
      `${pool.threads}-thread transfer`,
    );
    checkSame(await Promise.all(paths.map((path) => pool.decodeFile(path))), expected, `${pool.threads}-thread file`);
  }
  const sides = {
    inThread: { run: () => masks.forEach((mask) => decodeMask(mask)) },
    inThreadFresh: { prepare: fresh, run: (inputs) => inputs.forEach((mask) => decodeMask(mask)) },
    inThreadFiles: {
      run: async () => {
        for (const path of paths) decodeMask(await readFile(path));
      },
    },
  };
  for (const pool of pools) {
    const t = pool.threads;
    sides[`copy${t}`] = { run: () => Promise.all(masks.map((mask) => pool.decode(mask))) };
    sides[`transfer${t}`] = {
      prepare: fresh,
      run: (inputs) => Promise.all(inputs.map((mask) => pool.decode(mask, { transfer: true }))),
    };
    sides[`file${t}`] = { run: () => Promise.all(paths.map((path) => pool.decodeFile(path))) };
  }
  const { times, cpu } = await rounds(sides);
  const ratio = (baseline, side) => median(times[side].map((ms, i) => times[baseline][i] / ms));
  const rows = [
    ['bytes kept by the caller (copied once)', 'inThread', 'copy'],
    ['fresh bytes handed over (transfer: true)', 'inThreadFresh', 'transfer'],
    ['files (decodeFile / readFile + decodeMask)', 'inThreadFiles', 'file'],
  ].map(([way, baseline, side]) => ({
    way,
    inThreadMs: median(times[baseline]),
    oneThreadMs: median(times[`${side}1`]),
    twoThreadsMs: median(times[`${side}2`]),
    oneThreadVsInThread: ratio(baseline, `${side}1`),
    twoThreadsVsInThread: ratio(baseline, `${side}2`),
    cpuMsPerMask: {
      inThread: median(cpu[baseline]) / workload.count,
      oneThread: median(cpu[`${side}1`]) / workload.count,
      twoThreads: median(cpu[`${side}2`]) / workload.count,
    },
  }));
  workloads.push({ ...workload, bytes, rows });
  rmSync(folder, { recursive: true });
}
await Promise.all(pools.map((pool) => pool.close()));
rmSync(dir, { recursive: true, force: true });

const misses = [];
for (const workload of workloads) {
  for (const row of workload.rows) {
    if (row.oneThreadVsInThread < BAR.oneThread || row.twoThreadsVsInThread < BAR.twoThreads) {
      misses.push(`${workload.name}, ${row.way}`);
    }
  }
}
const result = {
  suite: 'pool',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg()[0] },
  rounds: ROUNDS,
  bar: BAR,
  workloads,
  belowBar: misses,
};
writeVersionedResults('pool', result);

console.log(
  `${result.machine.cpu}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}; medians of ${ROUNDS} rounds`,
);
for (const workload of workloads) {
  console.log(`${workload.name} (${(workload.bytes / 1e6).toFixed(0)} MB of text)`);
  console.table(
    workload.rows.map((row) => ({
      way: row.way,
      'in-thread ms': row.inThreadMs.toFixed(1),
      '1 thread ms': row.oneThreadMs.toFixed(1),
      '2 threads ms': row.twoThreadsMs.toFixed(1),
      '1 thread x': row.oneThreadVsInThread.toFixed(2),
      '2 threads x': row.twoThreadsVsInThread.toFixed(2),
      'CPU ms/mask in-thread, 1, 2': [
        row.cpuMsPerMask.inThread,
        row.cpuMsPerMask.oneThread,
        row.cpuMsPerMask.twoThreads,
      ]
        .map((ms) => ms.toFixed(2))
        .join(' / '),
    })),
  );
}
for (const miss of misses)
  console.error(`below the bar (1 thread ${BAR.oneThread}x, 2 threads ${BAR.twoThreads}x): ${miss}`);
