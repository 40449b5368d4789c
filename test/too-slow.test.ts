// A body that arrives slower than a minimum rate over a window fails its request with TOO_SLOW (curl's
// --speed-limit/--speed-time), instead of holding it until the whole attempt's deadline.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLIENT_DEFAULTS, exportBatch, MaskDecoderPool, PlaymentClient, type RetryEvent } from '../src/index.js';
import { parseArgs } from '../src/cli/args.js';
import { removeTempDirs, tempDir } from './export-support.js';
import { apiFailure, drip, oneMaskVendor, serve, type Handler } from './hostile-support.js';

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});
afterAll(removeTempDirs);

const KEY = 'too-slow-test-key-0123456789';
// A floor of 1000 bytes/s over 400 ms; the deadline of an attempt far beyond it.
const FLOOR = { minBytesPerSecond: 1000, minSpeedWindowMs: 400, requestTimeoutMs: 120_000 };

async function apiAndStorage(storage: Handler) {
  const store = await serve('127.0.0.2', storage);
  const api = await serve('127.0.0.1', (req, res) => {
    res.writeHead(302, { location: `${store.url}/mask.json?X-Amz-Signature=s` });
    res.end();
  });
  closing.push(api, store);
  return { api, store };
}

describe('a minimum speed for bodies', { timeout: 60_000 }, () => {
  it('fails a body dripping a byte at a time with TOO_SLOW, retried like a timeout', async () => {
    const { api, store } = await apiAndStorage((req, res) => drip(res, 200, { 'content-type': 'text/plain' }, 50));
    const retries: RetryEvent[] = [];
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      ...FLOOR,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
      onRetry: (event) => retries.push(event),
    });
    closing.push(client);
    const error = await apiFailure(client.attachment('https://bucket.example/mask.json'));
    expect(error.code).toBe('TOO_SLOW');
    expect(error.message).toMatch(/under 1000 bytes\/s over 0\.4 s/);
    expect(error.attempts).toBe(2);
    expect(retries.map((event) => event.error.code)).toEqual(['TOO_SLOW']);
    expect(store.requests).toHaveLength(2);
  });

  it('reads a body that comes in pieces above the floor to its end', async () => {
    const piece = 'x'.repeat(2048);
    const { api } = await apiAndStorage((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      // 2 KiB every 50 ms (40 KiB/s) for 1.5 s: several windows, each far above the floor.
      const timer = setInterval(() => {
        if (++sent === 30) {
          clearInterval(timer);
          res.end(piece);
        } else res.write(piece);
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, ...FLOOR });
    closing.push(client);
    expect((await client.attachment('https://bucket.example/mask.json')).length).toBe(30 * 2048);
  });

  it('turns off with 0: then only the deadline ends a dripping body', async () => {
    const { api } = await apiAndStorage((req, res) => drip(res, 200, {}, 50));
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      minBytesPerSecond: 0,
      minSpeedWindowMs: 100,
      requestTimeoutMs: 800,
      retry: { retries: 0 },
    });
    closing.push(client);
    expect((await apiFailure(client.attachment('https://bucket.example/mask.json'))).code).toBe('TIMEOUT');
  });

  it('fails the job of a dripping mask in an export, exporting the others', async () => {
    const { api, storage } = await oneMaskVendor(['drip', 'ok-1', 'ok-2'], (job, res) =>
      job === 'drip' ? drip(res, 200, { 'content-type': 'application/json' }, 50) : res.end('[1,2,3]'),
    );
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      ...FLOOR,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    });
    const pool = new MaskDecoderPool({ threads: 1 });
    closing.push(api, storage, client, pool);
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: await tempDir() });
    expect(summary.failures.map((failure) => [failure.job_id, failure.code])).toEqual([['drip', 'TOO_SLOW']]);
    expect(summary.jobs).toMatchObject({ listed: 3, exported: 2, failed: 1 });
  });

  it('has curl-like defaults, validated options and CLI flags', () => {
    expect(CLIENT_DEFAULTS).toMatchObject({ minBytesPerSecond: 1024, minSpeedWindowMs: 15_000 });
    expect(() => new PlaymentClient({ apiKey: 'k', minBytesPerSecond: -1 })).toThrow(/minBytesPerSecond/);
    expect(() => new PlaymentClient({ apiKey: 'k', minSpeedWindowMs: 0 })).toThrow(/minSpeedWindowMs/);
    const base = ['export', '--project', 'P', '--batch', 'B', '--out', 'o'];
    expect(parseArgs([...base, '--speed-limit', '500', '--speed-time', '30'])).toMatchObject({
      options: { minBytesPerSecond: 500, minSpeedWindowMs: 30_000 },
    });
    // Without the flags, the client's own defaults.
    expect(parseArgs(base)).toMatchObject({ options: { minBytesPerSecond: 1024, minSpeedWindowMs: 15_000 } });
  });
});
