// An export the API's rate limit holds, stopped with SIGINT: how much of what it was served it keeps. Each API request
// the simulator answered (200 or 302; the 429s cost nothing of the budget) is put down to its job: a job's own GET, or
// an attachment of its result, masks or point clouds. After the stop, the jobs complete on disk are those with their
// index fragment (jobs/*/index.jsonl); the share kept is the answered requests of those jobs over all answered ones
// (batch pages count as not kept). Bar: at least 80% after 20 s under 10/s.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { machine, median, spawnExport } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const LIMIT = 10;
const STOP_AFTER_MS = 20_000;
const JOBS = 300;
const FRAMES = 2;
const POINTS = 20_000;
// As export-limited.bench.mjs: pages of 100 jobs (the simulator's default of 5 would make the listing, read ahead of
// the jobs for the batch's total, a fifth of the requests).
const PAGE_SIZE = 100;
const ROUNDS = 3;
const BAR = 0.8;

/** The job index an answered API request was for, or undefined (a batch page). */
function jobIndexOf(request, indexOfId) {
  const url = new URL(request.url, 'http://x');
  if (request.route === 'attachment') {
    const storagePath = new URL(url.searchParams.get('url')).pathname;
    const match = /^\/(?:results|masks|pointclouds|legacy-masks)\/(\d+)/.exec(storagePath);
    return match ? Number(match[1]) : undefined;
  }
  if (request.route === 'job') return indexOfId.get(decodeURIComponent(url.pathname.split('/').at(-1)));
  return undefined;
}

/** The ids of the jobs complete in an export folder: those whose index fragment was written. */
function completeJobs(out) {
  const jobsDir = join(out, 'jobs');
  const ids = new Set();
  if (!existsSync(jobsDir)) return ids;
  for (const name of readdirSync(jobsDir)) {
    const fragment = join(jobsDir, name, 'index.jsonl');
    if (!existsSync(fragment)) continue;
    const first = readFileSync(fragment, 'utf8').split('\n')[0];
    if (first) ids.add(JSON.parse(first).job_id);
  }
  return ids;
}

function interruptedExport(simulator, out) {
  return new Promise((resolve, reject) => {
    const child = spawnExport(CLI, simulator, out);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), STOP_AFTER_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 130) resolve();
      else reject(new Error(`export exited ${code} (130 expected after SIGINT): ${stderr.slice(-2000)}`));
    });
  });
}

async function measure() {
  const simulator = await startSimulator({
    jobs: JOBS,
    frames: FRAMES,
    points: POINTS,
    pageSize: PAGE_SIZE,
    rateLimit: LIMIT,
    record: true,
  });
  const out = mkdtempSync(join(tmpdir(), 'bench-interrupted-'));
  try {
    await interruptedExport(simulator, out);
    const indexOfId = new Map(simulator.dataset.jobs.map((job) => [job.id, job.index]));
    const complete = completeJobs(out);
    const kept = new Set(simulator.dataset.jobs.filter((job) => complete.has(job.id)).map((job) => job.index));
    const answered = simulator.requests.filter((r) => r.origin === 'api' && (r.status === 200 || r.status === 302));
    const started = new Set();
    let inComplete = 0;
    for (const request of answered) {
      const index = jobIndexOf(request, indexOfId);
      if (index === undefined) continue;
      started.add(index);
      if (kept.has(index)) inComplete++;
    }
    return {
      answered: answered.length,
      refused: simulator.requests.filter((r) => r.origin === 'api' && r.status === 429).length,
      inCompleteJobs: inComplete,
      keptShare: Number((inComplete / answered.length).toFixed(4)),
      jobsComplete: kept.size,
      jobsStarted: started.size,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    await simulator.close();
  }
}

const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const result = await measure();
  rounds.push(result);
  console.log(
    `SIGINT after ${STOP_AFTER_MS / 1000} s under ${LIMIT}/s: ${result.inCompleteJobs}/${result.answered} answered API ` +
      `requests in complete jobs (${(result.keptShare * 100).toFixed(1)}%), ${result.jobsComplete} jobs complete of ` +
      `${result.jobsStarted} started, ${result.refused} refused`,
  );
}
const keptShare = median(rounds.map((result) => result.keptShare));
const report = {
  machine: machine(),
  limitPerSecond: LIMIT,
  stopAfterMs: STOP_AFTER_MS,
  batch: { jobs: JOBS, frames: FRAMES, pointsPerMask: POINTS, pageSize: PAGE_SIZE },
  rounds,
  medianKeptShare: keptShare,
  bar: { keptShareAtLeast: BAR },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/export-interrupted.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`median ${(keptShare * 100).toFixed(1)}% of the answered API requests kept (bar >= ${BAR * 100}%)`);
if (keptShare < BAR) process.exitCode = 1;
