import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { exportWithCli } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const LIMIT = 10;
const JOBS = 100;
const FRAMES = 2;
const POINTS = 100_000;
const PAGE_SIZE = 100;
const ROUNDS = 2;
const CASES = [1, 2];
const BAR = { 1: { rateAtLeast: 0.9, refusedAtMost: 0.05 }, 2: { rateAtLeast: 0.85, refusedAtMost: 0.05 } };

async function exportOnce(simulator) {
  const { summary } = await exportWithCli(CLI, simulator);
  if (summary.masks !== JOBS * FRAMES || summary.failures.length !== 0) throw new Error('incomplete export');
  return summary;
}

async function measure(exports) {
  const simulator = await startSimulator({
    jobs: JOBS,
    frames: FRAMES,
    points: POINTS,
    pageSize: PAGE_SIZE,
    rateLimit: LIMIT,
    record: true,
    cacheBytes: 1024 * 1024 * 1024,
  });
  simulator.preload();
  try {
    const summaries = await Promise.all(Array.from({ length: exports }, () => exportOnce(simulator)));
    const api = simulator.requests.filter((request) => request.origin === 'api');
    const refused = api.filter((request) => request.status === 429).length;
    const needed = exports * (Math.ceil(JOBS / PAGE_SIZE) + 2 * JOBS + JOBS * FRAMES);
    if (api.length - refused !== needed) throw new Error(`served ${api.length - refused} API requests, not ${needed}`);
    const apiSeconds = (api.at(-1).at - api[0].at) / 1000;
    const boundSeconds = needed / LIMIT;
    return {
      exports,
      apiRequests: api.length,
      refused,
      refusedShare: Number((refused / api.length).toFixed(4)),
      apiSeconds: Number(apiSeconds.toFixed(2)),
      boundSeconds,
      rateOfLimit: Number((boundSeconds / apiSeconds).toFixed(4)),
      settledPerSecond: summaries.map((summary) => summary.api.rate_per_s),
      clientThrottled: summaries.map((summary) => summary.api.throttled),
    };
  } finally {
    await simulator.close();
  }
}

const rounds = [];
// Interleaved: one export, then two, then again, so that a drift of the machine touches both cases alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const exports of CASES) {
    const result = await measure(exports);
    rounds.push(result);
    console.log(
      `${exports} export(s) of ${JOBS} jobs x ${FRAMES} frames under ${LIMIT}/s: API time ${result.apiSeconds} s ` +
        `for a bound of ${result.boundSeconds} s (${(result.rateOfLimit * 100).toFixed(1)}% of the limit), ` +
        `${result.refused}/${result.apiRequests} refused (${(result.refusedShare * 100).toFixed(1)}%), ` +
        `settled at ${result.settledPerSecond.join(', ')}/s`,
    );
  }
}

const summary = CASES.map((exports) => {
  const runs = rounds.filter((result) => result.exports === exports);
  return {
    exports,
    worstRateOfLimit: Math.min(...runs.map((result) => result.rateOfLimit)),
    worstRefusedShare: Math.max(...runs.map((result) => result.refusedShare)),
    bar: BAR[exports],
  };
});
const report = {
  machine: {
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: loadavg()[0],
  },
  limitPerSecond: LIMIT,
  burst: LIMIT,
  batch: { jobs: JOBS, frames: FRAMES, pointsPerMask: POINTS, pageSize: PAGE_SIZE },
  rounds,
  summary,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/export-limited.json'), `${JSON.stringify(report, null, 2)}\n`);
for (const { exports, worstRateOfLimit, worstRefusedShare, bar } of summary) {
  console.log(
    `${exports} export(s): worst ${(worstRateOfLimit * 100).toFixed(1)}% of the limit (bar >= ${bar.rateAtLeast * 100}%), ` +
      `worst ${(worstRefusedShare * 100).toFixed(1)}% refused (bar <= ${bar.refusedAtMost * 100}%)`,
  );
  if (worstRateOfLimit < bar.rateAtLeast || worstRefusedShare > bar.refusedAtMost) process.exitCode = 1;
}
