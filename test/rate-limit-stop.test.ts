// An export stopped part-way under a rate limit keeps what it paid for: its jobs' requests go in the order the jobs
// started, so the API requests it was served belong to jobs complete on disk, not to many half-done ones. Assertions
// are on request counts and files, never on how fast the machine is.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportBatch } from '../src/index.js';
import { tempDir } from './export-support.js';
import { clientOf, simulator } from './rate-limit-support.js';

/** The ids of the jobs complete in an export folder: those whose index fragment was written. */
function completeJobIds(outDir: string): Set<string> {
  const ids = new Set<string>();
  for (const name of readdirSync(join(outDir, 'jobs'))) {
    const fragment = join(outDir, 'jobs', name, 'index.jsonl');
    if (existsSync(fragment)) ids.add(JSON.parse(readFileSync(fragment, 'utf8').split('\n')[0]!).job_id);
  }
  return ids;
}

describe('an export stopped under a rate limit', { timeout: 120_000 }, () => {
  it('was served requests for jobs it completed, finishing started jobs before it starts new ones', async () => {
    // 10/s: a limit a slow, loaded machine reaches too, soon and for the whole run, so that the requests wait for it and
    // start in the order the client chooses (at 20/s, four CI runs at once on two cores once kept only 14 jobs whole:
    // fewer requests waited, more went out first-come, and decoding and writing lagged further behind).
    const sim = await simulator({ jobs: 200, frames: 3, rateLimit: 10 });
    const client = clientOf(sim);
    const outDir = await tempDir('rate-stop-');
    const stop = new AbortController();
    const answered = () => sim.requests.filter((r) => r.origin === 'api' && (r.status === 200 || r.status === 302));
    const watcher = setInterval(() => {
      if (answered().length >= 120) stop.abort(new Error('stopped'));
    }, 20);
    const options = { client, projectId: sim.projectId, batchId: sim.batchId, outDir, threads: 1 };
    await expect(exportBatch({ ...options, signal: stop.signal })).rejects.toThrow();
    clearInterval(watcher);
    // The premise: the limit was met, so the order of the requests was the client's to choose.
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    const indexOf = new Map(sim.dataset.jobs.map((job) => [job.id, job.index]));
    const complete = new Set([...completeJobIds(outDir)].map((id) => indexOf.get(id)));
    // Each answered request's job: its own GET, or an attachment of its result or masks (batch pages: none, so they
    // count as not kept).
    const jobOf = (url: string): number | undefined => {
      const target = new URL(url, 'http://x');
      const storage = target.searchParams.get('url');
      if (storage) return Number(/^\/(?:results|masks)\/(\d+)/.exec(new URL(storage).pathname)![1]);
      return indexOf.get(decodeURIComponent(target.pathname.split('/').at(-1)!));
    };
    const jobs = answered()
      .map((request) => jobOf(request.url))
      .filter((job) => job !== undefined);
    const kept = jobs.filter((job) => complete.has(job)).length;
    // Each job costs 5 requests (its GET, its result, 3 masks): 120 answered are ~24 jobs' worth, and a first-come
    // order leaves many of them half-done at the stop.
    expect(complete.size).toBeGreaterThanOrEqual(15);
    // The bar (>= 80% after 20 s under 10/s) is measured by bench/export-interrupted.bench.mjs; here, a short run on a
    // possibly loaded machine, where the stop itself lands late (CI runs saw 0.66 to 0.76).
    expect(kept / jobs.length).toBeGreaterThanOrEqual(0.5);
  });
});
