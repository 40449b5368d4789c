// The key never appears in any output: hostile loopback servers (the API on 127.0.0.1, storage on 127.0.0.2) echo
// it in every spelling, in every place a server can put text, and every output is searched for every spelling:
// thrown errors with their cause chains, onRetry events, summary.json, the CLI's stdout and stderr.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  exportBatch,
  MaskDecoderPool,
  MIN_MASKED_KEY_LENGTH,
  PlaymentClient,
  redact,
  type ExportSummary,
  type RetryEvent,
} from '../src/index.js';
import { removeTempDirs, tempDir } from './export-support.js';
import { apiFailure, json, keyForms, leaks, serve, type Origin } from './hostile-support.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const closing: Array<{ close(): Promise<void> }> = [];
const pool = new MaskDecoderPool({ threads: 1 });
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});
afterAll(async () => {
  await pool.close();
  await removeTempDirs();
});

// `/` and `&` give the key distinct JSON-escaped and HTML spellings.
const KEY = 'sk_live/9Zq&Kx-7Wm3Rt5Y';
const FAST_RETRY = { retries: 1, minDelayMs: 1, maxDelayMs: 1 };

/** Every spelling of the key, run together, as a hostile server would echo it. */
const echo = (key: string) => keyForms(key).join(' | ');

/** Everything an error shows: message, stack, fields, and the whole cause chain. */
function shown(error: unknown): string {
  const parts = [inspect(error, { depth: 10 }), JSON.stringify(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(String(e.stack), e.message);
  return parts.join('\n');
}

type Job = 'code' | 'auth' | 'status' | 'syntax' | 'path' | 'escaped' | 'encoding' | 'ok';
const JOBS: Job[] = ['code', 'auth', 'status', 'syntax', 'path', 'escaped', 'encoding', 'ok'];

/**
 * A vendor whose every answer echoes the key it received: in error codes and messages, job statuses, bodies that
 * are not JSON, redirect Locations and result URLs (in their paths), page tokens, Content-Encoding.
 */
async function hostileVendor(): Promise<{ api: Origin; storage: Origin }> {
  const storage = await serve('127.0.0.2', (req, res) => {
    const path = req.url!.split('?')[0]!;
    if (path === '/ok/result.json') {
      const masks = [{ frame_id: '0', sensor_id: 'lidar', label_url: `${storage.url}/ok/mask.json` }];
      return json(res, 200, { annotation_data: { masks, annotations: [] } });
    }
    if (path === '/ok/mask.json') return void res.end('[0,1,1]');
    // The API put the key in the path (/files/<key>/...): storage echoes it back.
    const echoed = decodeURIComponent(path.split('/')[2] ?? '');
    // A result object that is not JSON, with the key where V8's SyntaxError quotes the body.
    if (path.endsWith('/syntax.json')) return void res.end(`{"x": ${echoed}!! }`);
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end(`<p>No such key: ${echoed.replaceAll('&', '&amp;')}</p><p>${echo(echoed)}</p>`);
  });
  const api = await serve('127.0.0.1', (req, res) => {
    const key = String(req.headers['x-api-key']);
    const url = new URL(req.url!, 'http://x');
    const page = /^\/v1\/projects\/P\/batch\/B$/.exec(url.pathname);
    if (page) {
      const token = url.searchParams.get('page_token');
      // The second page is asked for with the key as its token; for batch 'B' it is the last page.
      if (token === '') {
        return json(res, 200, {
          success: true,
          data: { jobs: JOBS.slice(0, 4).map((id) => ({ id })), next_page_token: key },
        });
      }
      return json(res, 200, {
        success: true,
        data: { jobs: JOBS.slice(4).map((id) => ({ id })), next_page_token: '' },
      });
    }
    if (url.pathname === '/v1/projects/P/batch/FAILS') {
      if (url.searchParams.get('page_token') === '') {
        return json(res, 200, { success: true, data: { jobs: [], next_page_token: key } });
      }
      return json(res, 400, { success: false, error: { code: 'invalid_request_error', message: 'no such page' } });
    }
    const job = /^\/v1\/projects\/P\/jobs\/(\w+)$/.exec(url.pathname)?.[1] as Job | undefined;
    if (job) return jobAnswer(job, key, res, storage.url);
    if (url.pathname === '/v1/attachments') {
      const target = new URL(url.searchParams.get('url')!);
      // The Location carries the key in its path, percent-encoded.
      const location = target.pathname.startsWith('/ok/')
        ? `${storage.url}${target.pathname}?X-Amz-Signature=sig`
        : `${storage.url}/files/${encodeURIComponent(key)}${target.pathname}?X-Amz-Signature=sig`;
      res.writeHead(302, { location });
      return void res.end();
    }
    json(res, 404, { success: false, error: { code: 'not_found', message: `nothing here for ${echo(key)}` } });
  });
  closing.push(api, storage);
  return { api, storage };
}

function jobAnswer(job: Job, key: string, res: ServerResponse, storageUrl: string): void {
  const result = (path: string) => json(res, 200, { success: true, data: { status: 'completed', result: path } });
  switch (job) {
    case 'code':
      return json(res, 400, { success: false, error: { code: key, message: `bad key ${echo(key)}` } });
    case 'auth':
      return json(res, 401, { success: false, error: { code: 'auth-failure', message: `key ${key} refused` } });
    case 'status':
      return json(res, 200, { success: true, data: { status: `stuck ${key} ${encodeURIComponent(key)}` } });
    case 'syntax':
      return result(`${storageUrl}/results/${key}/syntax.json`);
    case 'path':
      return result(`${storageUrl}/results/${encodeURIComponent(key)}/gone.json`);
    case 'escaped':
      // JSON that is no error envelope, the key `\/`-escaped in it.
      res.writeHead(403, { 'content-type': 'application/json' });
      return void res.end(`{"detail":"key ${JSON.stringify(key).slice(1, -1).replaceAll('/', '\\/')} is not allowed"}`);
    case 'encoding':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': key });
      return void res.end('{}');
    case 'ok':
      return result(`${storageUrl}/ok/result.json`);
    default:
      return json(res, 404, { success: false, error: { code: 'not_found', message: `no job for ${echo(key)}` } });
  }
}

describe('redact()', () => {
  it('masks a long key in every spelling, and runs of it, leaving the rest of the text as it was', () => {
    for (const form of keyForms(KEY)) {
      expect(redact(`before ${form} after`, KEY)).toBe('before *** after');
    }
    // A run of MIN_MASKED_KEY_LENGTH characters of the key (a key cut off, or quoted in part).
    const part = KEY.slice(5, 5 + MIN_MASKED_KEY_LENGTH);
    expect(redact(`x${part}y`, KEY)).toBe('x***y');
    expect(redact('auth-failure: page_token invalid', KEY)).toBe('auth-failure: page_token invalid');
    expect(redact('***', KEY)).toBe('***');
  });

  it('never masks inside prose for a short key: server text holding it is withheld whole', () => {
    for (const key of ['a', 'k', '1', 'abc']) {
      const prose = 'HTTP 401, API error auth-failure (http://127.0.0.1:1/v1/projects/P/batch/B?page_token=12)';
      expect(redact(prose, key, 'composed')).toBe(prose);
      expect(redact(`your key ${key} is refused`, key)).toBe('[withheld: may quote the API key]');
      expect(redact(`your key ${[...key].map((c) => `&#${c.charCodeAt(0)};`).join('')} is refused`, key)).toMatch(
        /^\[withheld/,
      );
      expect(redact('zzz', key)).toBe('zzz');
    }
  });
});

describe('the client against a vendor echoing the key', { timeout: 60_000 }, () => {
  it('shows it in no error, cause or retry event, whatever the spelling or the place', async () => {
    const { api, storage } = await hostileVendor();
    const retries: RetryEvent[] = [];
    const client = new PlaymentClient({
      apiKey: KEY,
      baseUrl: api.url,
      retry: FAST_RETRY,
      onRetry: (event) => retries.push(event),
    });
    closing.push(client);
    const errors = [
      await apiFailure(client.jobResult('P', 'code')),
      await apiFailure(client.jobResult('P', 'auth')),
      await apiFailure(client.annotationResult('P', 'status')),
      await apiFailure(client.annotationResult('P', 'syntax')),
      await apiFailure(client.annotationResult('P', 'path')),
      await apiFailure(client.jobResult('P', 'escaped')),
      await apiFailure(client.jobResult('P', 'encoding')),
      await apiFailure(client.jobResult('P', 'nope')),
      // The key as a page token, and the page behind it failing: the token is in the error's URL.
      await apiFailure(client.batchJobs('P', 'FAILS').next()),
      // The key in the path of a storage URL the caller asks for.
      await apiFailure(client.attachment(`${storage.url}/results/${KEY}/gone.json`)),
    ];
    expect(errors.map((error) => error.code)).toEqual([
      'API_ERROR',
      'API_ERROR',
      'NO_RESULT',
      // URLs on the storage host that hold the key are not requested at all.
      'KEY_IN_URL',
      'KEY_IN_URL',
      'HTTP_STATUS',
      'BAD_ENCODING',
      'API_ERROR',
      'API_ERROR',
      'KEY_IN_URL',
    ]);
    for (const target of storage.requests) expect(leaks(target, KEY), target).toEqual([]);
    for (const error of errors) expect(leaks(shown(error), KEY), shown(error)).toEqual([]);
    for (const event of retries) expect(leaks(shown(event.error), KEY)).toEqual([]);
    expect(retries.length).toBeGreaterThan(0);
    // What is not the key is still there to read.
    expect(errors[0]!.apiCode).toBe('***');
    expect(errors[0]!.message).toMatch(/^HTTP 400, API error \*\*\*: bad key \*\*\*/);
    expect(errors[1]).toMatchObject({ apiCode: 'auth-failure', message: expect.stringContaining('key *** refused') });
    expect(errors[2]!.message).toMatch(/status stuck \*\*\* \*\*\*/);
    expect(errors[4]!.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/files\/\*\*\*\/results\/\*\*\*\/gone\.json\?REDACTED$/);
    expect(errors[8]!.url).toMatch(/page_token=\*\*\*$/);
  });

  it('with a short key, masks nothing in prose and withholds the server text that holds the key', async () => {
    for (const key of ['a', 'k', '1']) {
      const { api } = await hostileVendor();
      const client = new PlaymentClient({ apiKey: key, baseUrl: api.url, retry: FAST_RETRY });
      closing.push(client);
      const code = await apiFailure(client.jobResult('P', 'code'));
      const auth = await apiFailure(client.jobResult('P', 'auth'));
      const status = await apiFailure(client.annotationResult('P', 'status'));
      for (const error of [code, auth, status]) {
        const text = shown(error);
        expect(text).not.toContain('***');
        // The server's sentences around the key are gone with it.
        expect(text).not.toMatch(/bad key|refused|stuck/);
      }
      expect(auth.apiCode).toBe('auth-failure');
      expect(auth.message).toMatch(/^HTTP 401, API error auth-failure: \[withheld: may quote the API key\]/);
      expect(code.apiCode).toBe('[withheld: may quote the API key]');
      expect(status.message).toContain('(status [withheld: may quote the API key])');
    }
  });
});

describe('a key cut off by the snippet window', () => {
  // The window ends after the first 6 characters of the key, in each spelling: too few to be masked as a run.
  const prefix = KEY.slice(0, 6);
  const cases = keyForms(KEY).map((form, i) => [form, keyForms(prefix)[i]!] as const);

  it.each(cases)('leaves no start of it in the body snippet (%s)', async (form, start) => {
    expect(form.startsWith(start)).toBe(true);
    // Whitespace collapses, so the window's last bytes come within the snippet's 200 characters.
    const body = `${' '.repeat(800 - start.length)}${form} and more`;
    const api = await serve('127.0.0.1', (req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end(body));
    closing.push(api);
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST_RETRY });
    closing.push(client);
    const error = await apiFailure(client.jobResult('P', 'j'));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.body).toBe('');
  });
});

describe('the export and the CLI against a vendor echoing the key', { timeout: 60_000 }, () => {
  const expectedCodes = {
    auth: 'API_ERROR',
    code: 'API_ERROR',
    encoding: 'BAD_ENCODING',
    escaped: 'HTTP_STATUS',
    path: 'KEY_IN_URL',
    status: 'NO_RESULT',
    syntax: 'KEY_IN_URL',
  };

  it('saves a summary.json without the key, and exports the job that is fine', async () => {
    const { api } = await hostileVendor();
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST_RETRY });
    closing.push(client);
    const out = await tempDir();
    const summary = await exportBatch({ client, pool, projectId: 'P', batchId: 'B', outDir: out });
    expect(Object.fromEntries(summary.failures.map((f) => [f.job_id, f.code]))).toEqual(expectedCodes);
    expect(summary.jobs.exported).toBe(1);
    const saved = await readFile(join(out, 'summary.json'), 'utf8');
    expect(leaks(saved, KEY), saved).toEqual([]);
    expect(saved).not.toMatch(/Unexpected token|in JSON at position/);
  });

  it('prints no key on stdout or stderr, nor saves one, with a long key and with short ones', async () => {
    for (const key of [KEY, 'a', '1']) {
      const { api } = await hostileVendor();
      const out = await tempDir();
      const args = ['export', '--base-url', api.url, '--project', 'P', '--batch', 'B', '--out', out];
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], {
          env: { PATH: process.env.PATH ?? '', PLAYMENT_API_KEY: key },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(run.code).toBe(1);
      const printed = run.stdout + run.stderr;
      const saved = await readFile(join(out, 'summary.json'), 'utf8');
      const summary = JSON.parse(saved) as ExportSummary;
      expect(Object.fromEntries(summary.failures.map((f) => [f.job_id, f.code]))).toEqual(expectedCodes);
      for (const failure of summary.failures) expect(printed).toContain(`"${failure.job_id}": ${failure.code}`);
      if (key.length >= MIN_MASKED_KEY_LENGTH) {
        expect(leaks(printed, key), printed).toEqual([]);
        expect(leaks(saved, key), saved).toEqual([]);
      } else {
        // Nothing masked in prose (no `***` telling where the key was), the server's echoing sentences withheld.
        for (const text of [printed, saved]) {
          expect(text).not.toContain('***');
          expect(text).not.toMatch(/bad key|refused|stuck/);
        }
        expect(saved).toContain('auth-failure');
      }
    }
  });
});
