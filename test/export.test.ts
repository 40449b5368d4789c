import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  exportBatch,
  InvalidArgumentError,
  PlaymentClient,
  type ExportOptions,
  type ExportProgress,
  type ExportSummary,
} from '../src/index.js';
import { SimDataset, type SimulatorOptions } from '../src/sim/index.js';
import {
  checkExport,
  exportTestPool,
  filesContaining,
  indexLines,
  readTree,
  simulatedExport,
  tempDir,
  treeDifference,
} from './export-support.js';

const pool = exportTestPool();

const setup = (batch: SimulatorOptions = {}) =>
  simulatedExport({
    batch: { jobs: 7, frames: 2, sensors: 2, points: 1500, pageSize: 3, ...batch },
    pool,
    client: { retry: { retries: 8, minDelayMs: 1, maxDelayMs: 20 }, timeoutMs: 2000 },
  });

describe('exportBatch', { timeout: 60_000 }, () => {
  it.each(['npy', 'bin', 'kitti'] as const)('exports every mask of a multi-page batch exactly (%s)', async (format) => {
    const { simulator, base } = await setup();
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), format });
    const tree = await readTree(out);
    expect(checkExport(tree, simulator.dataset, format)).toBe(7 * 2 * 2);
    expect(summary).toEqual(JSON.parse(tree.get('summary.json')!.toString('utf8')));
    expect(summary.jobs).toEqual({
      listed: 7,
      exported: 7,
      failed: 0,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 7 },
    });
    expect(summary.points).toBe(7 * 2 * 2 * 1500);
    const extension = { npy: '.npy', bin: '.bin', kitti: '.label' }[format];
    expect(indexLines(tree).every((line) => line.file.endsWith(extension))).toBe(true);
    // Nothing else: classes.json, per job its result, legend, fragment and masks; no temporary or lock file left.
    expect(tree.size).toBe(3 + 7 * (3 + 4));
    expect(filesContaining(tree, simulator.apiKey)).toEqual([]);
    expect(simulator.stats.storageRequestsWithKey).toBe(0);
  });

  it("writes each job's result object byte for byte as fetched", async () => {
    const { simulator, client, base } = await setup({ jobs: 2 });
    const out = await tempDir();
    await exportBatch(base(out));
    const tree = await readTree(out);
    for (const job of simulator.dataset.jobs) {
      const { result } = await client.jobResult(simulator.projectId, job.id);
      const fetched = Buffer.from(await client.attachment(result!));
      const line = indexLines(tree).find((entry) => entry.job_id === job.id)!;
      const saved = tree.get(`${line.file.slice(0, line.file.lastIndexOf('/'))}/result.json`)!;
      expect(saved.equals(fetched)).toBe(true);
    }
  });

  it('is complete and exact under 10% injected faults', async () => {
    const { simulator, base } = await setup({
      jobs: 25,
      pageSize: 4,
      faults: { rate: 0.1, seed: 7, retryAfterSeconds: 0 },
    });
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), concurrency: 8 });
    expect(simulator.stats.faultsInjected).toBeGreaterThan(10);
    expect(summary.failures).toEqual([]);
    expect(checkExport(await readTree(out), simulator.dataset, 'npy')).toBe(25 * 4);
    expect(simulator.stats.storageRequestsWithKey).toBe(0);
  });

  it('keeps hostile job ids inside the folder, each in its own file', async () => {
    const jobIds = [
      '../x',
      '../../escape',
      // `.` and `..` fail alone as INVALID_ID (hostile-ids.test.ts).
      '...',
      '%2e%2e',
      '/',
      '/etc/passwd',
      'a/b',
      'a_b',
      'a%2fb',
      'A',
      'a',
      'con',
      'x\\y',
      ' ',
      '%',
      '~',
      'a?b#c',
    ];
    const { simulator, base } = await setup({ jobIds, frames: 1, sensors: 1, points: 10, pageSize: 5 });
    const parent = await tempDir();
    const out = join(parent, 'out');
    const summary = await exportBatch(base(out));
    expect(summary.failures).toEqual([]);
    expect(await readdir(parent)).toEqual(['out']);
    const tree = await readTree(out);
    checkExport(tree, simulator.dataset, 'npy');
    const lines = indexLines(tree);
    expect(lines.map((line) => line.job_id).sort()).toEqual([...jobIds].sort());
    expect(new Set(lines.map((line) => line.file)).size).toBe(jobIds.length);
    for (const line of lines) expect(line.file).toMatch(/^jobs\/[a-z0-9_%~-]+\/[^/]+$/);
  });

  it('records a job that still fails after the retries with its code, and exports the rest', async () => {
    const { simulator, base } = await setup();
    // A final 400 on one job result: not retried.
    simulator.faults.inject('final400', { route: 'job', count: 1 });
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), concurrency: 1 });
    expect(summary.jobs).toEqual({
      listed: 7,
      exported: 6,
      failed: 1,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 7 },
    });
    expect(summary.failures).toHaveLength(1);
    // Jobs start in batch order but race each other: the fault hits one of the first ones in flight.
    const failedJob = simulator.dataset.jobs.find((job) => job.id === summary.failures[0]!.job_id)!;
    expect(failedJob.index).toBeLessThan(2);
    expect(summary.failures[0]).toMatchObject({
      reference_id: failedJob.referenceId,
      code: 'API_ERROR',
      api_code: 'invalid_request_error',
      status: 400,
    });
    expect(indexLines(await readTree(out))).toHaveLength(6 * 4);
    // The rerun does the failed job only, and ends where an uninterrupted run ends.
    const before = simulator.stats.routes.job;
    const rerun = await exportBatch(base(out));
    expect(simulator.stats.routes.job - before).toBe(1);
    expect(rerun.failures).toEqual([]);
    const clean = await tempDir();
    await exportBatch(base(clean));
    expect(treeDifference(await readTree(out), await readTree(clean))).toBe('');
  });

  it('records a mask that does not parse as its job failure, with the MaskParseError code', async () => {
    class BrokenMask extends SimDataset {
      override maskText(job: number, frame: number, sensor: number): string {
        return job === 1 && frame === 1 ? '[1, 2,, 3]' : super.maskText(job, frame, sensor);
      }
    }
    const { simulator, base } = await setup({ dataset: new BrokenMask({ jobs: 3, frames: 2, points: 100 }) });
    const out = await tempDir();
    const summary = await exportBatch(base(out));
    expect(summary.jobs).toEqual({
      listed: 3,
      exported: 2,
      failed: 1,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 3 },
    });
    expect(summary.failures[0]).toMatchObject({ job_id: simulator.dataset.jobs[1]!.id, code: 'EXPECTED_VALUE' });
    expect(summary.failures[0]!.message).toMatch(/at byte 6/);
  });

  it('resumes after an abort: the rerun skips complete jobs and the output equals an uninterrupted run', async () => {
    const { simulator, base } = await setup({ jobs: 12, latencyMs: 5 });
    const out = await tempDir();
    const controller = new AbortController();
    let aborted = false;
    const stopped = exportBatch({
      ...base(out),
      concurrency: 2,
      signal: controller.signal,
      onProgress: (progress) => {
        if (!aborted && progress.jobsDone >= 4) {
          aborted = true;
          controller.abort(new Error('stop'));
        }
      },
    });
    await expect(stopped).rejects.toBeInstanceOf(AbortError);
    await expect(stopped).rejects.toMatchObject({ code: 'ABORTED' });
    const partial = await readTree(out);
    expect(partial.has('index.jsonl')).toBe(false);
    expect([...partial.keys()].some((path) => path.includes('.~') || path.endsWith('.lock'))).toBe(false);

    const requestsBefore = simulator.stats.routes.job;
    const progress: ExportProgress[] = [];
    await exportBatch({ ...base(out), onProgress: (p) => progress.push(p) });
    const last = progress.at(-1)!;
    expect(last.jobsResumed).toBeGreaterThanOrEqual(4);
    expect(last.jobsResumed + last.jobsDone).toBe(12);
    expect(simulator.stats.routes.job - requestsBefore).toBe(last.jobsDone);

    const clean = await tempDir();
    await exportBatch(base(clean));
    expect(treeDifference(await readTree(out), await readTree(clean))).toBe('');
  });

  it('redoes a job whose files were damaged or removed since', async () => {
    const { simulator, base } = await setup({ jobs: 3 });
    const out = await tempDir();
    await exportBatch(base(out));
    const clean = await readTree(out);
    const [first, second] = indexLines(clean);
    await writeFile(join(out, first!.file), 'truncated');
    await rm(join(out, second!.file));
    const before = simulator.stats.routes.job;
    await exportBatch(base(out));
    expect(simulator.stats.routes.job - before).toBe(first!.job_id === second!.job_id ? 1 : 2);
    expect(treeDifference(await readTree(out), clean)).toBe('');
  });

  it('redoing an interrupted job reads back the label files already in place and fetches only the rest', async () => {
    const { simulator, base } = await setup({ jobs: 3, frames: 3, sensors: 1 });
    const out = await tempDir();
    await exportBatch(base(out));
    const clean = await readTree(out);
    // As a kill between the masks' renames and the fragment leaves a job: all but one label file, no fragment.
    const [first, second] = indexLines(clean);
    const jobDir = join(out, first!.file.slice(0, first!.file.lastIndexOf('/')));
    await rm(join(jobDir, 'index.jsonl'));
    await rm(join(out, second!.file));
    const before = simulator.stats.storageRequests;
    const progress: ExportProgress[] = [];
    await exportBatch({ ...base(out), onProgress: (p) => progress.push(p) });
    // The result object, and the one missing mask.
    expect(simulator.stats.storageRequests - before).toBe(2);
    expect(progress.at(-1)).toMatchObject({ jobsResumed: 2, jobsDone: 1, masksDone: 1 });
    expect(treeDifference(await readTree(out), clean)).toBe('');
  });

  it('fetches every mask again when the result object changed since the interrupted run', async () => {
    const { simulator, base } = await setup({ jobs: 1, frames: 3, sensors: 1 });
    const out = await tempDir();
    await exportBatch(base(out));
    const clean = await readTree(out);
    const jobDir = join(out, indexLines(clean)[0]!.file.split('/').slice(0, 2).join('/'));
    await rm(join(jobDir, 'index.jsonl'));
    await writeFile(join(jobDir, 'result.json'), '{"annotation_data": {}}');
    const before = simulator.stats.storageRequests;
    await exportBatch(base(out));
    expect(simulator.stats.storageRequests - before).toBe(1 + 3);
    expect(treeDifference(await readTree(out), clean)).toBe('');
  });

  it('never reads back masks of an older result object when killed after the new one was saved', async () => {
    const ids = { jobs: 1, frames: 3, sensors: 1, jobIds: ['job-1'], projectId: 'p', batchId: 'b' };
    const older = await setup({ ...ids, seed: 1 });
    const newer = await setup({ ...ids, seed: 2, latencyMs: 150 });
    const out = await tempDir();
    await exportBatch(older.base(out));
    await rm(join(out, 'jobs/job-1/index.jsonl'));
    const cleanOut = await tempDir();
    await exportBatch(newer.base(cleanOut));
    const clean = await readTree(cleanOut);
    // Stopped once the newer result object is fetched and its masks are requested, before any of them arrives.
    const stop = new AbortController();
    const before = newer.simulator.stats.storageRequests;
    const poll = setInterval(() => {
      if (newer.simulator.stats.storageRequests - before >= 2) stop.abort();
    }, 5);
    await expect(exportBatch({ ...newer.base(out), signal: stop.signal })).rejects.toThrow(AbortError);
    clearInterval(poll);
    await exportBatch(newer.base(out));
    expect(treeDifference(await readTree(out), clean)).toBe('');
  });

  it('reads back the masks a first run of a job wrote before it was stopped', async () => {
    const { simulator, base } = await setup({ jobs: 1, jobIds: ['job-1'], frames: 4, sensors: 1 });
    const cleanOut = await tempDir();
    await exportBatch(base(cleanOut));
    const clean = await readTree(cleanOut);
    const out = await tempDir();
    const stop = new AbortController();
    const first = exportBatch({
      ...base(out),
      concurrency: 1,
      signal: stop.signal,
      onProgress: (progress) => void (progress.masksDone >= 1 && stop.abort()),
    });
    await expect(first).rejects.toThrow(AbortError);
    const written = (await readdir(join(out, 'jobs/job-1'))).filter((name) => name.endsWith('.npy')).length;
    expect(written).toBeGreaterThanOrEqual(1);
    const before = simulator.stats.storageRequests;
    await exportBatch(base(out));
    expect(simulator.stats.storageRequests - before).toBe(1 + 4 - written);
    expect(treeDifference(await readTree(out), clean)).toBe('');
  });

  it('reports progress that only grows, ending at the totals', async () => {
    const { base } = await setup();
    const out = await tempDir();
    const seen: ExportProgress[] = [];
    const summary: ExportSummary = await exportBatch({ ...base(out), onProgress: (p) => seen.push(p) });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.masksDone).toBeGreaterThanOrEqual(seen[i - 1]!.masksDone);
      expect(seen[i]!.bytesDownloaded).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDownloaded);
    }
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ jobsListed: 7, listingDone: true, jobsDone: 7, jobsFailed: 0, masksDone: 28 });
    expect(last.pointsDone).toBe(summary.points);
  });

  it('keeps the work in flight bounded by the concurrency', async () => {
    const { simulator, base } = await setup({ jobs: 20, frames: 3, sensors: 1, latencyMs: 10, record: true });
    const out = await tempDir();
    await exportBatch({ ...base(out), concurrency: 3 });
    // Storage requests arriving within one latency never exceed the masks allowed in flight (3) plus the result
    // objects of the jobs allowed in flight (2 x 3).
    const storage = simulator.requests.filter((request) => request.origin === 'storage');
    expect(storage.length).toBe(20 + 60);
    const arrivals = storage.map((request) => request.at).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0; i < arrivals.length; i++) {
      let overlapping = 0;
      for (let j = i; j < arrivals.length && arrivals[j]! < arrivals[i]! + 10; j++) overlapping++;
      peak = Math.max(peak, overlapping);
    }
    expect(peak).toBeLessThanOrEqual(3 + 2 * 3);
    expect(peak).toBeGreaterThan(1);
  });

  it('rejects a second export into the same folder while one runs', async () => {
    const { client, base } = await setup();
    const out = await tempDir();
    // The first export is held at its listing, which it starts under the lock, until the second has been refused: an
    // order, not a head start in time that a loaded machine can use up before the first has taken the lock.
    const list = client.batchJobs.bind(client);
    let listing!: () => void;
    const listed = new Promise<void>((resolve) => (listing = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    client.batchJobs = async function* (...args) {
      listing();
      await released;
      yield* list(...args);
    };
    const first = exportBatch(base(out));
    await listed;
    await expect(exportBatch(base(out))).rejects.toMatchObject({ code: 'OUTPUT_LOCKED' });
    release();
    expect((await first).jobs).toMatchObject({ listed: 7, exported: 7, failed: 0 });
  });

  it('rejects with AbortError at once for an aborted signal, writing nothing', async () => {
    const { base } = await setup();
    const out = await tempDir();
    await expect(exportBatch({ ...base(out), signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(await readdir(out)).toEqual([]);
  });

  it('rejects with the exception onProgress threw, after stopping', async () => {
    const { base } = await setup();
    const out = await tempDir();
    const oops = new Error('listener bug');
    await expect(
      exportBatch({
        ...base(out),
        onProgress: () => {
          throw oops;
        },
      }),
    ).rejects.toBe(oops);
  });

  it('rejects when the batch cannot be listed (a wrong key)', async () => {
    const { simulator } = await setup();
    const client = new PlaymentClient({ apiKey: 'wrong-key', baseUrl: simulator.baseUrl, retry: { retries: 0 } });
    const out = await tempDir();
    const error = await exportBatch({
      client,
      projectId: simulator.projectId,
      batchId: simulator.batchId,
      outDir: out,
      pool,
    }).catch((e) => e);
    await client.close();
    expect(error).toMatchObject({ code: 'API_ERROR' });
    expect(String(error.message)).not.toContain('wrong-key');
  });

  it.each<[string, Partial<ExportOptions>, RegExp]>([
    ['client', { client: {} as PlaymentClient }, /^options\.client must be a PlaymentClient$/],
    ['projectId', { projectId: '' }, /^options\.projectId must be a non-empty string$/],
    ['batchId', { batchId: 7 as unknown as string }, /^options\.batchId must be a non-empty string$/],
    ['outDir', { outDir: undefined as unknown as string }, /^options\.outDir must be a non-empty string$/],
    ['format', { format: 'csv' as 'npy' }, /^options\.format must be one of npy, bin, kitti$/],
    ['concurrency', { concurrency: 0 }, /^options\.concurrency must be an integer from 1 to 1024$/],
    ['threads', { pool: undefined, threads: 1.5 }, /^options\.threads must be an integer from 1 to 64$/],
    ['threads with pool', { threads: 2 }, /^options\.threads must not be set with options\.pool$/],
    ['onProgress', { onProgress: 'yes' as unknown as () => void }, /^options\.onProgress must be a function$/],
    ['signal', { signal: {} as AbortSignal }, /^options\.signal must be an AbortSignal$/],
  ])('validates options.%s', async (_, override, message) => {
    const { base } = await setup();
    const out = await tempDir();
    const error = await exportBatch({ ...base(out), ...override }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
  });
});
