// Pages read ahead of the jobs: under a rate limit the batch's total is known while most jobs are still to do, and
// the reading never gets more than its bound ahead of the consumer. Real simulator on loopback; no timed assertion.
import { afterEach, describe, expect, it } from 'vitest';
import { exportBatch, PlaymentClient, type ExportProgress } from '../src/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';
import { listAhead } from '../src/export/list-ahead.js';
import { removeTempDirs, tempDir } from './export-support.js';

const closing: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
  await removeTempDirs();
});

async function simulator(options: SimulatorOptions): Promise<{ sim: Simulator; client: PlaymentClient }> {
  const sim = await startSimulator({ points: 50, record: true, ...options });
  closing.push(sim);
  const client = new PlaymentClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
  closing.push(client);
  return { sim, client };
}

const pagesRead = (sim: Simulator) => sim.requests.filter((r) => r.route === 'batch' && r.status === 200).length;

describe('the export reads pages ahead of the jobs', () => {
  it('reports the batch total under a rate limit while most jobs are still to do', async () => {
    const jobs = 24;
    // A limit low enough for a slow, loaded machine to reach it.
    const { sim, client } = await simulator({ jobs, pageSize: 3, rateLimit: 15, rateBurst: 3 });
    const outDir = await tempDir('list-ahead-');
    const snapshots: ExportProgress[] = [];
    const summary = await exportBatch({
      client,
      projectId: sim.projectId,
      batchId: sim.batchId,
      outDir,
      threads: 1,
      concurrency: 1,
      onProgress: (progress) => snapshots.push(progress),
    });
    expect(summary.jobs.exported).toBe(jobs);
    // The limit was reached: the pages competed with the jobs for it.
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    const first = snapshots.find((progress) => progress.listingDone);
    expect(first?.jobsListed).toBe(jobs);
    // Eight pages of three against two jobs in flight: read one job slot at a time, the total would come with the
    // last jobs started (22 or more finished).
    expect(first!.jobsDone + first!.jobsFailed).toBeLessThan(jobs / 2);
    // Every snapshot after it keeps the total.
    const later = snapshots.slice(snapshots.indexOf(first!));
    expect(later.every((progress) => progress.listingDone && progress.jobsListed === jobs)).toBe(true);
  });
});

describe('listAhead', () => {
  it('reads at most `ahead` items past the consumer, and a page at a time', async () => {
    const pageSize = 3;
    const ahead = 4;
    const { sim, client } = await simulator({ jobs: 20, pageSize });
    let accepted = 0;
    let consumed = 0;
    let peak = 0;
    let reached: (() => void) | undefined;
    const target = () => Math.min(consumed + ahead, 20);
    let ended = false;
    const items = listAhead(client.batchJobs(sim.projectId, sim.batchId), {
      ahead,
      accept: () => {
        accepted++;
        peak = Math.max(peak, accepted - consumed);
        if (accepted >= target()) reached?.();
        return true;
      },
      end: () => {
        ended = true;
      },
    });
    const ids: string[] = [];
    for await (const job of items) {
      ids.push(job.id);
      consumed++;
      // Let the reading run as far as it may (it stops at `ahead` waiting), then check it went no further.
      if (accepted < target()) await new Promise<void>((resolve) => (reached = resolve));
      expect(accepted - consumed).toBeLessThanOrEqual(ahead);
      // The page being read is the only one past the items waiting.
      expect(pagesRead(sim)).toBeLessThanOrEqual(Math.ceil((consumed + ahead + 1) / pageSize));
    }
    expect(ids).toEqual(sim.dataset.jobs.map((job) => job.id));
    expect(peak).toBe(ahead);
    expect(ended).toBe(true);
  });

  it('hands over the items read before a failure, then throws it; end() is not called', async () => {
    async function* failing() {
      yield 1;
      yield 2;
      yield 3;
      throw new Error('page 2 failed');
    }
    let ended = false;
    const seen: number[] = [];
    await expect(
      (async () => {
        const items = listAhead(failing(), { ahead: 2, accept: (n) => n !== 2, end: () => (ended = true) });
        for await (const n of items) seen.push(n);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1, 3]);
    expect(ended).toBe(false);
  });

  it('stops reading when the consumer stops', async () => {
    let read = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          read++;
          yield read;
        }
      } finally {
        closed = true;
      }
    }
    for await (const n of listAhead(endless(), { ahead: 3, accept: () => true, end: () => {} })) {
      if (n === 5) break;
    }
    expect(closed).toBe(true);
    expect(read).toBeLessThanOrEqual(5 + 3 + 1);
  });
});
