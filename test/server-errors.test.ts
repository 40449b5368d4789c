// Server errors are not throttles, and sporadic refusals are not a limit. Against the simulator and hand-written
// loopback servers: the vendor's "try again after some time" codes and 5xx without Retry-After spend retries with
// backoff and leave the rate alone; a job that keeps failing that way fails after its retries while the others
// export; 429s and 503s that stay a small share of the requests are waited out one by one, not taken for a limit.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { exportBatch, PlaymentClient, type RetryEvent } from '../src/index.js';
import { exportTestPool, simulatedExport, tempDir } from './export-support.js';
import { apiFailure, json, oneMaskVendor, serve, type Origin } from './hostile-support.js';

const pool = exportTestPool();
const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});

const KEY = 'server-errors-test-key-0123';
const RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 20 };

describe('a job whose result the API never serves (FS_0000 forever)', { timeout: 60_000 }, () => {
  it('fails that job after its retries, throttles nothing, and exports every other job', async () => {
    const { simulator, base, client } = await simulatedExport({
      batch: { jobs: 30, frames: 1, points: 200, record: true, faults: { failingJobs: [7] } },
      pool,
      client: { retry: RETRY },
    });
    const failing = simulator.dataset.jobs[7]!.id;
    const summary = await exportBatch(base(await tempDir()));
    expect(summary.failures.map((f) => [f.job_id, f.code, f.api_code])).toEqual([[failing, 'API_ERROR', 'FS_0000']]);
    expect(summary.jobs).toMatchObject({ listed: 30, exported: 29, failed: 1 });
    // One request and RETRY.retries more, then the job is given up: no retry spent for nothing, none held back.
    const asked = simulator.requests.filter((request) => request.route === 'job' && request.url.includes(failing));
    expect(asked).toHaveLength(RETRY.retries + 1);
    expect(asked.every((request) => request.status === 400)).toBe(true);
    // Server errors never lowered the rate: no limit was found, nothing was counted as refused.
    expect(summary.api).toMatchObject({ throttled: 0, rate_per_s: null });
    expect(client.stats.ratePerSecond).toBeNull();
  });
});

describe('transient server errors', { timeout: 60_000 }, () => {
  type Answer = (res: ServerResponse) => void;
  const apiError =
    (status: number, code: string): Answer =>
    (res) =>
      json(res, status, {
        success: false,
        error: { code, message: 'Something went wrong, try again after some time' },
      });
  const gateway =
    (status: number): Answer =>
    (res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><body>${status}</body></html>`);
    };

  /** An API answering `failures` requests with `answer`, then the job. */
  async function flaky(answer: Answer, failures: number): Promise<Origin> {
    let calls = 0;
    const api = await serve('127.0.0.1', (req, res) => {
      if (calls++ < failures) return answer(res);
      json(res, 200, { success: true, data: { job_id: 'j', status: 'completed', result: 'https://x/r.json' } });
    });
    closing.push(api);
    return api;
  }

  it.each([
    ['400 FS_0000', apiError(400, 'FS_0000'), 'FS_0000'],
    ['400 FS_0008', apiError(400, 'FS_0008'), 'FS_0008'],
    ['400 api_error', apiError(400, 'api_error'), 'api_error'],
    ['500 from a gateway', gateway(500), undefined],
    ['502 from a gateway', gateway(502), undefined],
    ['503 without Retry-After', gateway(503), undefined],
  ])('%s: retried with backoff, spending retries, the rate untouched', async (_, answer, apiCode) => {
    const api = await flaky(answer, RETRY.retries);
    const retries: RetryEvent[] = [];
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: RETRY, onRetry: (e) => retries.push(e) });
    closing.push(client);
    expect((await client.jobResult('P', 'j')).result).toBe('https://x/r.json');
    expect(retries).toHaveLength(RETRY.retries);
    for (const event of retries) {
      expect(event.throttled).toBe(false);
      expect(event.error.apiCode).toBe(apiCode);
      expect(event.delayMs).toBeLessThanOrEqual(RETRY.maxDelayMs);
    }
    expect(client.stats).toMatchObject({ throttled: 0, ratePerSecond: null });
    // One failure more than the retries allow fails the call, with every attempt counted.
    const again = await flaky(answer, RETRY.retries + 1);
    const strict = new PlaymentClient({ apiKey: KEY, baseUrl: again.url, retry: RETRY });
    closing.push(strict);
    const error = await apiFailure(strict.jobResult('P', 'j'));
    expect(error.attempts).toBe(RETRY.retries + 1);
    expect(again.requests).toHaveLength(RETRY.retries + 1);
  });
});

describe('sporadic refusals', { timeout: 60_000 }, () => {
  /** A batch of `jobs` one-mask jobs whose API answers its `call`-th request (from 1) with `refusal` when `refuses`. */
  async function refusingVendor(
    jobs: number,
    refuses: (call: number) => boolean,
    refusal: (res: ServerResponse) => void,
  ) {
    let calls = 0;
    let refused = 0;
    const ids = Array.from({ length: jobs }, (_, i) => `j${i}`);
    const { api, storage } = await oneMaskVendor(ids, (job, res) => res.end('[1,2,3]'), {
      beforeApi: (res) => {
        if (!refuses(++calls)) return false;
        refused++;
        refusal(res);
        return true;
      },
    });
    closing.push(api, storage);
    return { api, refusedCount: () => refused };
  }

  it.each([
    ['429 with Retry-After', (res: ServerResponse) => json(res, 429, { error: 'slow down' }), { 'retry-after': '1' }],
    ['503 with Retry-After', (res: ServerResponse) => res.writeHead(503).end(), { 'retry-after': '1' }],
  ])('%s on 1 request in 25 are waited out one by one: no limit taken, nothing fails', async (_, answer, headers) => {
    const refusal = (res: ServerResponse) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      answer(res);
    };
    // Past slow start (the first 100 requests), one in 25: a gateway's sporadic refusals, a small share at any rate.
    const { api, refusedCount } = await refusingVendor(150, (call) => call > 100 && call % 25 === 0, refusal);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: RETRY });
    closing.push(client);
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: await tempDir() });
    expect(summary.jobs).toMatchObject({ listed: 150, exported: 150, failed: 0 });
    expect(refusedCount()).toBeGreaterThan(5);
    expect(summary.api.throttled).toBe(refusedCount());
    expect(summary.api.rate_per_s).toBeNull();
  });

  it('takes refusals that become dense for a limit', async () => {
    // From the 100th request to the 130th, one in two is refused: a limit met at a steady rate.
    const { api, refusedCount } = await refusingVendor(
      60,
      (call) => call > 100 && call <= 130 && call % 2 === 0,
      (res) => {
        res.setHeader('retry-after', '1');
        json(res, 429, { error: 'slow down' });
      },
    );
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: RETRY });
    closing.push(client);
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: await tempDir() });
    expect(summary.jobs).toMatchObject({ exported: 60, failed: 0 });
    expect(refusedCount()).toBeGreaterThan(0);
    expect(summary.api.rate_per_s).not.toBeNull();
  });
});
