// A URL from the server that holds the API key is never requested on another origin: the attachment redirect (or
// a result URL) pointing the key at the storage host fails with KEY_IN_URL before any request goes there.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { urlHoldsKey } from '../src/api/key-in-url.js';
import { removeTempDirs, tempDir } from './export-support.js';
import { apiFailure, json, oneMaskVendor, serve } from './hostile-support.js';

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});
afterAll(removeTempDirs);

const KEY = 'sk_live/9Zq&Kx-7Wm3Rt5Y';
const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
const hex = (key: string, upper: boolean) =>
  [...key]
    .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`)
    .join('');

/** The API (127.0.0.1) redirecting each attachment to the storage path `where(key)` (127.0.0.2), or its own origin. */
async function vendor(key: string, where: (key: string) => string, sameOrigin = false) {
  const storage = await serve('127.0.0.2', (req, res) => res.end('[1,2,3]'));
  const api = await serve('127.0.0.1', (req, res) => {
    if (req.headers['x-api-key'] !== key) return json(res, 401, {});
    if (req.url!.startsWith('/own/')) return res.end('[4,5]');
    res.writeHead(302, { location: `${sameOrigin ? '' : storage.url}${where(key)}` });
    res.end();
  });
  closing.push(api, storage);
  return { api, storage };
}

describe('a URL on another origin that holds the key', { timeout: 30_000 }, () => {
  it.each([
    ['in the path, as is', (key: string) => `/files/${key}/mask.json`],
    ['in the path, percent-encoded', (key: string) => `/files/${encodeURIComponent(key)}/mask.json`],
    ['in the path, every character escaped (lower case)', (key: string) => `/f/${hex(key, false)}/m.json`],
    ['in the path, every character escaped (upper case)', (key: string) => `/f/${hex(key, true)}/m.json`],
    ['in the path, encoded twice', (key: string) => `/f/${encodeURIComponent(encodeURIComponent(key))}/m.json`],
    ['in the query', (key: string) => `/mask.json?X-Amz-Signature=s&k=${encodeURIComponent(key)}`],
    ['in the path, upper-cased', (key: string) => `/files/${encodeURIComponent(key.toUpperCase())}/mask.json`],
  ])('%s: fails KEY_IN_URL, never requested, not retried', async (_, where) => {
    const { api, storage } = await vendor(KEY, where);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST });
    closing.push(client);
    const error = await apiFailure(client.attachment('https://bucket.example/mask.json'));
    expect(error.code).toBe('KEY_IN_URL');
    expect(error.attempts).toBe(1);
    expect(storage.requests).toEqual([]);
    expect(api.requests).toHaveLength(1);
    // The error shows the URL without the key.
    expect(error.message + error.url).not.toContain('9Zq');
  });

  it('fetches a URL on the API origin that holds the key (the key goes there anyway), and others without it', async () => {
    const own = await vendor(KEY, (key) => `/own/${encodeURIComponent(key)}/m.json`, true);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: own.api.url, retry: FAST });
    closing.push(client);
    expect(new TextDecoder().decode(await client.attachment('https://bucket.example/m.json'))).toBe('[4,5]');
    const plain = await vendor(KEY, () => '/files/abc/mask.json?X-Amz-Signature=s');
    const other = new PlaymentClient({ apiKey: KEY, baseUrl: plain.api.url, retry: FAST });
    closing.push(other);
    expect(new TextDecoder().decode(await other.attachment('https://bucket.example/mask.json'))).toBe('[1,2,3]');
  });

  it('tells a short key from ordinary words: only a whole host label, segment or query value is the key', () => {
    expect(urlHoldsKey('http://s/mask.json?sig=abc1', 'k')).toBe(false);
    expect(urlHoldsKey('http://s/k/mask.json', 'k')).toBe(true);
    expect(urlHoldsKey('http://s/%6B/mask.json', 'k')).toBe(true);
    expect(urlHoldsKey('http://s/%256B/mask.json', 'k')).toBe(true);
    expect(urlHoldsKey('http://s/mask.json?sig=k', 'k')).toBe(true);
    expect(urlHoldsKey('http://k.example/mask.json', 'k')).toBe(true);
    expect(urlHoldsKey('http://s/mask.json', 'abcdefgh12')).toBe(false);
    expect(urlHoldsKey('http://s/x-ABCDEFGH12-y', 'abcdefgh12')).toBe(true);
  });

  it('fails the job in an export, and exports the others', async () => {
    // Job 'leak' names a mask whose URL holds the key, as is: the attachment endpoint redirects to it.
    const { api, storage } = await oneMaskVendor(['leak', 'ok-1', 'ok-2'], (job, res) => res.end('[1,2,3]'), {
      maskPath: (job) => (job === 'leak' ? `${job}/${KEY}/mask.json` : `${job}/mask.json`),
    });
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST });
    const pool = new MaskDecoderPool({ threads: 1 });
    closing.push(api, storage, client, pool);
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: await tempDir() });
    expect(summary.failures.map((failure) => [failure.job_id, failure.code])).toEqual([['leak', 'KEY_IN_URL']]);
    expect(summary.jobs).toMatchObject({ listed: 3, exported: 2, failed: 1 });
    expect(storage.requests.some((target) => target.includes('9Zq'))).toBe(false);
  });
});
