// Deadlines under hostile servers: a body dripping one byte at a time (never idle long enough for timeoutMs), the
// same on the attachment redirect's body, and a listing handing out fresh page tokens forever.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLIENT_DEFAULTS, exportBatch, MaskDecoderPool, PlaymentClient, type RetryEvent } from '../src/index.js';
import { removeTempDirs, tempDir } from './export-support.js';
import { apiFailure as failure, drip, json, oneMaskVendor, serve, type Handler } from './hostile-support.js';

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});

afterAll(removeTempDirs);

const KEY = 'deadline-test-key-0123456789';
const DRIP_MS = 50;

/** The API on 127.0.0.1 redirecting every attachment to `path` on a storage origin (127.0.0.2). */
async function apiAndStorage(storage: Handler, redirect: (res: ServerResponse, storeUrl: string) => void) {
  const store = await serve('127.0.0.2', storage);
  const api = await serve('127.0.0.1', (req, res) => {
    if (!req.url!.startsWith('/v1/attachments')) return json(res, 404, {});
    redirect(res, store.url);
  });
  closing.push(api, store);
  return { api, store };
}

describe('an overall deadline per request', { timeout: 60_000 }, () => {
  it('ends a storage body dripping one byte at a time with TIMEOUT, retried per policy', async () => {
    const { api, store } = await apiAndStorage(
      (req, res) => drip(res, 200, { 'content-type': 'application/json' }, DRIP_MS),
      (res, storeUrl) => {
        res.writeHead(302, { location: `${storeUrl}/mask.json?X-Amz-Signature=s` });
        res.end();
      },
    );
    const retries: RetryEvent[] = [];
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      requestTimeoutMs: 600,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
      onRetry: (event) => retries.push(event),
    });
    closing.push(client);
    const error = await failure(client.attachment('https://bucket.example/mask.json'));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/600 ms/);
    expect(error.attempts).toBe(3);
    expect(retries.map((event) => event.error.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(store.requests).toHaveLength(3);
  });

  it('ends an API answer whose body drips, and a stalled header never sent, the same way', async () => {
    let calls = 0;
    const api = await serve('127.0.0.1', (req, res) => {
      // First a dripping body, then no answer at all: both end within the deadline.
      if (calls++ === 0) drip(res, 200, { 'content-type': 'application/json' }, DRIP_MS);
    });
    closing.push(api);
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      requestTimeoutMs: 500,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 },
    });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
    expect(api.requests).toHaveLength(2);
  });

  it('follows a redirect whose body drips without waiting for its end, draining only a bounded part', async () => {
    const mask = '[1,2,3]';
    const { api } = await apiAndStorage(
      (req, res) => res.end(mask),
      (res, storeUrl) => {
        res.writeHead(302, { location: `${storeUrl}/mask.json` });
        res.flushHeaders();
        const timer = setInterval(() => res.write('x'), DRIP_MS);
        res.on('close', () => clearInterval(timer));
      },
    );
    // Only the default deadline: the redirect body alone must not hold the call.
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url });
    closing.push(client);
    expect(new TextDecoder().decode(await client.attachment('https://bucket.example/mask.json'))).toBe(mask);
  });

  it('follows a redirect whose body is huge, reading no more than a bounded part of it', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { api } = await apiAndStorage(
      (req, res) => res.end('[7]'),
      (res, storeUrl) => {
        res.writeHead(302, { location: `${storeUrl}/mask.json` });
        const pump = () => {
          while (!res.destroyed && sent < 1024 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        };
        res.on('drain', pump);
        pump();
      },
    );
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url });
    closing.push(client);
    expect(new TextDecoder().decode(await client.attachment('https://bucket.example/mask.json'))).toBe('[7]');
    // Socket buffers hold a few MB at most; the client stopped reading long before a GiB.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('has a default and validates the option', () => {
    expect(CLIENT_DEFAULTS.requestTimeoutMs).toBeGreaterThanOrEqual(60_000);
    expect(CLIENT_DEFAULTS.maxPages).toBeGreaterThanOrEqual(1000);
    expect(Object.isFrozen(CLIENT_DEFAULTS)).toBe(true);
    // Past 2^31 - 1 ms a Node.js timer fires at once: such a deadline would fail every request.
    for (const requestTimeoutMs of [0, -1, 1.5, Number.NaN, '10', 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(() => new PlaymentClient({ apiKey: 'k', requestTimeoutMs } as never)).toThrow(
        /options.requestTimeoutMs must be an integer from 1 to 2147483647/,
      );
    }
    expect(() => new PlaymentClient({ apiKey: 'k', requestTimeoutMs: 2 ** 31 - 1 })).not.toThrow();
    for (const maxPages of [0, 2.5, '3']) {
      expect(() => new PlaymentClient({ apiKey: 'k', maxPages } as never)).toThrow(/options.maxPages must be/);
    }
  });
});

describe('a bound on the listing', { timeout: 60_000 }, () => {
  it('ends a listing with fresh page tokens forever as TOO_MANY_PAGES after maxPages pages', async () => {
    let page = 0;
    const api = await serve('127.0.0.1', (req, res) => {
      page++;
      json(res, 200, { success: true, data: { jobs: [{ id: `job-${page}` }], next_page_token: `token-${page}` } });
    });
    closing.push(api);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, maxPages: 25 });
    closing.push(client);
    const listed: string[] = [];
    const error = await failure(
      (async () => {
        for await (const job of client.batchJobs('p', 'b')) listed.push(job.id);
      })(),
    );
    expect(error.code).toBe('TOO_MANY_PAGES');
    expect(error.message).toMatch(/25/);
    expect(listed).toHaveLength(25);
    expect(api.requests).toHaveLength(25);
  });

  it('lists a batch of exactly maxPages pages', async () => {
    const api = await serve('127.0.0.1', (req, res) => {
      const token = Number(new URL(req.url!, 'http://x').searchParams.get('page_token') || 0);
      const next = token + 1 < 5 ? String(token + 1) : '';
      json(res, 200, { success: true, data: { jobs: [{ id: `job-${token}` }], next_page_token: next } });
    });
    closing.push(api);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, maxPages: 5 });
    closing.push(client);
    const listed: string[] = [];
    for await (const job of client.batchJobs('p', 'b')) listed.push(job.id);
    expect(listed).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
  });
});

describe('an export under a dripping mask', { timeout: 60_000 }, () => {
  it('fails that job with TIMEOUT after the retries and exports the others', async () => {
    const { api, storage } = await oneMaskVendor(['drip', 'ok-1', 'ok-2'], (job, res) =>
      job === 'drip' ? drip(res, 200, { 'content-type': 'application/json' }, DRIP_MS) : res.end('[1,2,3]'),
    );
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      requestTimeoutMs: 500,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    });
    const pool = new MaskDecoderPool({ threads: 1 });
    closing.push(api, storage, client, pool);
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: await tempDir() });
    expect(summary.failures.map((failure) => [failure.job_id, failure.code])).toEqual([['drip', 'TIMEOUT']]);
    expect(summary.jobs).toMatchObject({ listed: 3, exported: 2, failed: 1 });
  });
});
