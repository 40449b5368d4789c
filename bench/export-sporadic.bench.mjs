// Sporadic faults are not a rate limit: `playment-masks export` (dist/cli.js) of a 2,000-job batch from a simulator
// with no limit, with and without 2% of requests given a random transient fault of every kind (500, 503 and 429 with
// Retry-After, FS_0000, a connection reset, an expired signature). The bar: the export with faults takes at most 2x
// the time of the one without. Sides interleaved in rounds (the order alternating), ratio per round, median.
// Results in bench/results/export-sporadic.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { exportWithCli, machine, median } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const JOBS = 2000;
const FRAMES = 2;
const FAULT_RATE = 0.02;
const ROUNDS = 5;
const BAR = 2;

async function exportOnce(faultRate, seed) {
  const simulator = await startSimulator({
    jobs: JOBS,
    frames: FRAMES,
    pageSize: 100,
    faults: { rate: faultRate, seed },
    cacheBytes: 1024 * 1024 * 1024,
  });
  simulator.preload();
  try {
    const { summary, wallMs } = await exportWithCli(CLI, simulator);
    if (summary.masks !== JOBS * FRAMES || summary.failures.length !== 0) throw new Error('incomplete export');
    const { faults, faultsInjected, apiRequests, storageRequests } = simulator.stats;
    return {
      seconds: Number((wallMs / 1000).toFixed(2)),
      faultsInjected,
      faults: { ...faults },
      requests: apiRequests + storageRequests,
      clientThrottled: summary.api.throttled,
      settledPerSecond: summary.api.rate_per_s,
    };
  } finally {
    await simulator.close();
  }
}

const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  // The order alternates: a drift of the machine within a round touches both sides alike over the rounds.
  const sides = round % 2 === 0 ? [0, FAULT_RATE] : [FAULT_RATE, 0];
  const runs = {};
  for (const rate of sides) runs[rate === 0 ? 'clean' : 'faults'] = await exportOnce(rate, round + 1);
  const ratio = Number((runs.faults.seconds / runs.clean.seconds).toFixed(3));
  rounds.push({ ...runs, ratio });
  console.log(
    `round ${round + 1}: ${runs.clean.seconds} s without faults, ${runs.faults.seconds} s with ` +
      `${runs.faults.faultsInjected} faults in ${runs.faults.requests} requests (${runs.faults.clientThrottled} ` +
      `refusals, rate ${runs.faults.settledPerSecond ?? 'unlimited'}): ${ratio}x`,
  );
}
const medianRatio = median(rounds.map((round) => round.ratio));
const report = {
  machine: machine(),
  date: new Date().toISOString(),
  batch: { jobs: JOBS, frames: FRAMES, faultRate: FAULT_RATE, rateLimit: 'none' },
  rounds,
  summary: { medianRatio, worstRatio: Math.max(...rounds.map((round) => round.ratio)), bar: BAR },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/export-sporadic.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`median ${medianRatio}x the time without faults (bar <= ${BAR}x)`);
if (medianRatio > BAR) process.exitCode = 1;
