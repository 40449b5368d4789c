// A job whose result the API never serves (400 FS_0000 on every request for it, a server error, not a refusal):
// `playment-masks export` (dist/cli.js, default options) of a 100-job batch, with and without such a job. The bar:
// the job fails within the stated bound (the retries' backoff, at most 0.2 + 0.4 + 0.8 + 1.6 + 3.2 = 6.2 s, plus
// its six answers), and the other 99 jobs export at the same rate as the batch without it. Sides interleaved in
// rounds (the order alternating), ratio per round, median. Results in bench/results/export-failing-job.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { exportWithCli, machine, median } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const JOBS = 100;
const FRAMES = 2;
const LATENCY_MS = 20;
const FAILING = 42;
const ROUNDS = 5;
// Default retry options: 5 retries, full-jitter backoff from 200 ms doubling (each wait below its ceiling).
const BACKOFF_BOUND_S = (200 + 400 + 800 + 1600 + 3200) / 1000;
const BAR = { rateRatioAtMost: 1.1 };

async function exportOnce(withFailing) {
  const simulator = await startSimulator({
    jobs: JOBS,
    frames: FRAMES,
    latencyMs: LATENCY_MS,
    record: true,
    faults: withFailing ? { failingJobs: [FAILING] } : {},
    cacheBytes: 1024 * 1024 * 1024,
  });
  simulator.preload();
  try {
    const failingId = simulator.dataset.jobs[FAILING].id;
    const { summary, wallMs } = await exportWithCli(CLI, simulator, undefined, [0, 1]);
    const expected = withFailing ? 1 : 0;
    if (summary.failures.length !== expected || summary.masks !== (JOBS - expected) * FRAMES) {
      throw new Error(`unexpected export: ${summary.masks} masks, ${summary.failures.length} failures`);
    }
    const requests = simulator.requests;
    const ofFailing = (request) => request.route === 'job' && request.url.includes(failingId);
    const rest = requests.filter((request) => !ofFailing(request));
    const failing = requests.filter(ofFailing);
    const first = requests[0].at;
    const restSeconds = (rest.at(-1).at - first) / 1000;
    return {
      wallSeconds: Number((wallMs / 1000).toFixed(2)),
      // Masks of the other jobs per second, from the first request to their last.
      restSeconds: Number(restSeconds.toFixed(2)),
      restMasksPerSecond: Number((((JOBS - 1) * FRAMES) / restSeconds).toFixed(1)),
      ...(withFailing
        ? {
            failingRequests: failing.length,
            failingSeconds: Number(((failing.at(-1).at - failing[0].at) / 1000).toFixed(2)),
            failure: summary.failures[0].code,
            throttled: summary.api.throttled,
            settledPerSecond: summary.api.rate_per_s,
          }
        : {}),
    };
  } finally {
    await simulator.close();
  }
}

const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [false, true] : [true, false];
  const runs = {};
  for (const withFailing of order) runs[withFailing ? 'failing' : 'clean'] = await exportOnce(withFailing);
  // The same 99 jobs' masks on both sides: the clean side's time to its 99th job is close to its whole time.
  const ratio = Number((runs.clean.restMasksPerSecond / runs.failing.restMasksPerSecond).toFixed(3));
  rounds.push({ ...runs, ratio });
  console.log(
    `round ${round + 1}: clean ${runs.clean.restMasksPerSecond} masks/s, with the failing job ` +
      `${runs.failing.restMasksPerSecond} masks/s (${ratio}x the time); the job failed ${runs.failing.failure} after ` +
      `${runs.failing.failingRequests} requests in ${runs.failing.failingSeconds} s (bound ${BACKOFF_BOUND_S} s + 6 answers)`,
  );
}
const summary = {
  medianTimeRatio: median(rounds.map((round) => round.ratio)),
  worstFailingSeconds: Math.max(...rounds.map((round) => round.failing.failingSeconds)),
  backoffBoundSeconds: BACKOFF_BOUND_S,
  bar: BAR,
};
const report = {
  machine: machine(),
  date: new Date().toISOString(),
  batch: { jobs: JOBS, frames: FRAMES, latencyMs: LATENCY_MS, failingJob: FAILING, rateLimit: 'none' },
  rounds,
  summary,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/export-failing-job.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `median ${summary.medianTimeRatio}x the time for the other jobs (bar <= ${BAR.rateRatioAtMost}x); the job failed ` +
    `within ${summary.worstFailingSeconds} s at worst`,
);
if (summary.medianTimeRatio > BAR.rateRatioAtMost) process.exitCode = 1;
