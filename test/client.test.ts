// PlaymentClient against the simulator: real node:http servers, the API on 127.0.0.1 and storage on 127.0.0.2.
import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  CLIENT_DEFAULTS,
  InvalidArgumentError,
  masksOf,
  PlaymentClient,
  type PlaymentClientOptions,
  type RetryEvent,
} from '../src/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/sim/index.js';

const FAST_RETRY = { retries: 4, minDelayMs: 1, maxDelayMs: 20 };
const closing: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});

async function setup(simOptions: SimulatorOptions = {}, clientOptions: Partial<PlaymentClientOptions> = {}) {
  const sim = await startSimulator({ record: true, jobs: 6, pageSize: 4, points: 500, ...simOptions });
  const retries: RetryEvent[] = [];
  const client = new PlaymentClient({
    apiKey: sim.apiKey,
    baseUrl: sim.baseUrl,
    retry: FAST_RETRY,
    onRetry: (event) => retries.push(event),
    ...clientOptions,
  });
  closing.push(client, sim);
  return { sim, client, retries };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => expect.unreachable('the call should fail'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const firstMaskUrl = (sim: Simulator) => sim.storageUrl + sim.dataset.expectedMasks().next().value!.path;
const firstMaskText = (sim: Simulator) => sim.dataset.maskText(0, 0, 0);

describe('batch pages', () => {
  it('follows huge opaque tokens through every page, the last one empty, listing each job once in order', async () => {
    const { sim, client } = await setup({ jobs: 11, pageSize: 4, emptyLastPage: true });
    const pages = [];
    for await (const page of client.batchPages(sim.projectId, sim.batchId)) pages.push(page);
    expect(pages.map((page) => page.jobs.length)).toEqual([4, 4, 3, 0]);
    const tokens = pages.slice(0, -1).map((page) => page.next_page_token!);
    for (const token of tokens) {
      expect(typeof token).toBe('string');
      expect(BigInt(token) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    }
    // The tokens are neighbours: as numbers they would collapse into one.
    expect(new Set(tokens.map(Number)).size).toBe(1);
    expect(pages.at(-1)!.next_page_token).toBeUndefined();
    const asked = sim.requests
      .filter((r) => r.route === 'batch')
      .map((r) => new URL(r.url, sim.baseUrl).searchParams.get('page_token'));
    expect(asked).toEqual(['', ...tokens]);
    const listed = [];
    for await (const job of client.batchJobs(sim.projectId, sim.batchId)) listed.push(job.id);
    expect(listed).toEqual(sim.dataset.jobs.map((job) => job.id));
  });

  it('keeps fields the docs do not list', async () => {
    const { sim, client } = await setup({ jobs: 2 });
    const [page] = await collect(client.batchPages(sim.projectId, sim.batchId));
    expect(page!.name).toBe(sim.dataset.batchName);
    const first = { id: sim.dataset.jobs[0]!.id, reference_id: '001', status: 'completed', frames: 2 };
    expect(page!.jobs[0]).toMatchObject(first);
  });

  it('ends a walk whose pages loop back with REPEATED_PAGE_TOKEN, after the pages it could list', async () => {
    const { sim, client } = await setup({ jobs: 9, pageSize: 3, loopPageTokens: true });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const job of client.batchJobs(sim.projectId, sim.batchId)) seen.push(job.id);
      })(),
    );
    expect(error.code).toBe('REPEATED_PAGE_TOKEN');
    expect(seen).toEqual(sim.dataset.jobs.map((job) => job.id));
    expect(sim.stats.routes.batch).toBe(3);
  });

  it('a batch with no jobs is one empty page', async () => {
    const { sim, client } = await setup({ jobs: 0 });
    expect(await collect(client.batchJobs(sim.projectId, sim.batchId))).toEqual([]);
    expect(sim.stats.routes.batch).toBe(1);
  });
});

describe('ids in paths', () => {
  // `.` and `..` are refused (hostile-ids.test.ts): no encoding keeps them in their segment.
  const hostile = ['../x', 'a/b', 'a%2Fb', '...', '.a', 'q?x=1', 'h#f', 'sp ace', 'ü/..', '../../v1/attachments'];

  it('URL-encodes ids so that none reaches another endpoint', async () => {
    const { sim, client } = await setup({ jobIds: hostile, pageSize: 3 });
    const listed = await collect(client.batchJobs(sim.projectId, sim.batchId));
    expect(listed.map((job) => job.id)).toEqual(hostile);
    for (const id of hostile) {
      const result = await client.jobResult(sim.projectId, id);
      expect(result.job_id).toBe(id);
    }
    const jobRequests = sim.requests.filter((r) => r.route === 'job');
    expect(jobRequests).toHaveLength(hostile.length);
    for (const request of jobRequests) expect(request.url.split('/')).toHaveLength(6);
    expect(sim.stats.routes.unknown).toBe(0);
  });

  it('refuses empty ids before any request', async () => {
    const { sim, client } = await setup();
    await expect(client.jobResult(sim.projectId, '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.batchJobs('', sim.batchId).next()).rejects.toThrow(/projectId must be a non-empty string/);
    expect(sim.stats.apiRequests).toBe(0);
  });
});

describe('attachments', () => {
  it('reads the redirect itself: the key goes to the API, never to the storage host', async () => {
    const { sim, client } = await setup({ jobs: 3, frames: 2, sensors: 2 });
    for (const job of sim.dataset.jobs) {
      const result = await client.annotationResult(sim.projectId, job.id);
      const refs = masksOf(result);
      expect(refs).toHaveLength(4);
      for (const [i, ref] of refs.entries()) {
        const frame = Math.floor(i / 2);
        const sensor = i % 2;
        expect(ref).toEqual({
          frameId: String(frame),
          sensorId: sim.dataset.sensorIds[sensor],
          labelUrl: sim.storageUrl + `/masks/${job.index}/${frame}/${sensor}.txt`,
          maskId: sim.dataset.maskId(job.index, frame, sensor),
        });
        expect(text(await client.attachment(ref.labelUrl))).toBe(sim.dataset.maskText(job.index, frame, sensor));
      }
    }
    expect(sim.stats.storageRequests).toBe(3 + 12);
    expect(sim.stats.storageRequestsWithKey).toBe(0);
    expect(sim.requests.filter((r) => r.origin === 'storage').every((r) => !r.withKey)).toBe(true);
    expect(sim.requests.filter((r) => r.origin === 'api').every((r) => r.withKey)).toBe(true);
    expect(sim.stats.accessDenied).toBe(0);
  });

  it('returns bytes that own their whole ArrayBuffer (transferable without dragging a pool along)', async () => {
    const { sim, client } = await setup({ points: 3 });
    const bytes = await client.attachment(firstMaskUrl(sim));
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });

  it('asks for a fresh signed URL when the storage host refuses an expired one', async () => {
    const { sim, client } = await setup();
    // The storage host refuses a valid URL as expired...
    sim.faults.inject('expired', { route: 'storage' });
    expect(text(await client.attachment(firstMaskUrl(sim)))).toBe(firstMaskText(sim));
    expect(sim.stats.redirects).toBe(2);
    expect(sim.stats.accessDenied).toBe(1);
    // ... or the endpoint hands out a URL that has already expired.
    sim.faults.inject('expired', { route: 'attachment' });
    expect(text(await client.attachment(firstMaskUrl(sim)))).toBe(firstMaskText(sim));
    expect(sim.stats.redirects).toBe(4);
    expect(sim.stats.accessDenied).toBe(2);
  });

  it.each([FAST_RETRY.retries, 0])(
    'gives up on a storage host that keeps refusing, after retry.retries (%i) fresh URLs',
    async (retries) => {
      const { sim, client } = await setup({}, { retry: { ...FAST_RETRY, retries } });
      sim.faults.inject('expired', { route: 'storage', count: 50 });
      const error = await failure(client.attachment(firstMaskUrl(sim)));
      expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 403 });
      expect(error.body).toContain('AccessDenied');
      expect(sim.stats.redirects).toBe(retries + 1);
      expect(sim.stats.accessDenied).toBe(retries + 1);
      expect(error.url.startsWith(sim.storageUrl)).toBe(true);
      expect(error.url).not.toMatch(/Signature|Expires=\d/);
    },
  );

  it('refuses a redirect without a usable Location, or to a non-http(s) URL', async () => {
    for (const location of [undefined, 'file:///etc/passwd', 'ftp://127.0.0.2/x', 'http://[::1']) {
      const server = await rawServer((req, res) => {
        res.writeHead(302, location === undefined ? {} : { location });
        res.end();
      });
      const client = new PlaymentClient({ apiKey: 'k', baseUrl: server.url, retry: FAST_RETRY });
      closing.push(client);
      const error = await failure(client.attachment('https://bucket.example/x.txt'));
      expect(error.code).toBe('BAD_REDIRECT');
      expect(error.status).toBe(302);
      expect(server.hits).toBe(1);
    }
  });

  it('fails at once, as REQUEST_FAILED, on a certificate it does not trust', async () => {
    let connections = 0;
    const api = createHttpsServer(selfSignedCertificate(), (req, res) => res.end('{}'));
    api.on('connection', () => connections++);
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    closing.push({ close: () => new Promise<void>((resolve) => api.close(() => resolve())) });
    const baseUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const client = new PlaymentClient({ apiKey: 'k', baseUrl, retry: FAST_RETRY });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', attempts: 1 });
    expect(connections).toBe(1);
  });

  it('behind an https API, follows https signed URLs only', async () => {
    const tls = selfSignedCertificate();
    // The client has no CA option: trust the test certificate through Node's switch, for this test only.
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const seen: Array<{ url: string; key: unknown }> = [];
      const storage = createHttpsServer(tls, (req, res) => {
        seen.push({ url: req.url!, key: req.headers['x-api-key'] });
        res.end('[7, 7]');
      });
      const plain = await rawServer((req, res) => res.end('[1]'));
      await new Promise<void>((resolve) => storage.listen(0, '127.0.0.2', resolve));
      closing.push({ close: () => new Promise<void>((resolve) => storage.close(() => resolve())) });
      const storageUrl = `https://127.0.0.2:${(storage.address() as AddressInfo).port}`;
      let location = '';
      const api = createHttpsServer(tls, (req, res) => {
        res.writeHead(302, { location });
        res.end();
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      closing.push({ close: () => new Promise<void>((resolve) => api.close(() => resolve())) });
      const baseUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const client = new PlaymentClient({ apiKey: 'https-key', baseUrl });
      closing.push(client);

      location = `${storageUrl}/m.txt?sig=1`;
      expect(text(await client.attachment('https://bucket.example/m.txt'))).toBe('[7, 7]');
      expect(seen).toEqual([{ url: '/m.txt?sig=1', key: undefined }]);
      location = `${plain.url}/m.txt?sig=1`;
      const error = await failure(client.attachment('https://bucket.example/m.txt'));
      expect(error.code).toBe('BAD_REDIRECT');
      expect(error.message).toMatch(/redirected to a http: URL/);
      expect(plain.hits).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });

  it('takes bytes the attachment endpoint serves itself', async () => {
    const server = await rawServer((req, res) => res.end('[1, 2]'));
    const client = new PlaymentClient({ apiKey: 'k', baseUrl: server.url });
    closing.push(client);
    expect(text(await client.attachment('https://bucket.example/m.txt'))).toBe('[1, 2]');
    expect(new URL(server.lastUrl, server.url).searchParams.get('url')).toBe('https://bucket.example/m.txt');
  });
});

describe('retries', () => {
  it.each([
    ['http500', 500],
    ['http503', 503],
    ['http429', 429],
  ] as const)('rides out %s', async (kind, status) => {
    const { sim, client, retries } = await setup();
    sim.faults.inject(kind, { route: 'job', count: 2 });
    const result = await client.jobResult(sim.projectId, sim.dataset.jobs[1]!.id);
    expect(result.job_id).toBe(sim.dataset.jobs[1]!.id);
    expect(retries.map((r) => r.error.status)).toEqual([status, status]);
    expect(sim.stats.routes.job).toBe(3);
  });

  it('waits as long as Retry-After asks, up to maxDelayMs', async () => {
    const { sim, client, retries } = await setup({}, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 25 } });
    sim.faults.inject('http429', { route: 'job' });
    await client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id);
    expect(retries[0]!.error.retryAfterMs).toBe(1000);
    expect(retries[0]!.delayMs).toBe(25);
    const [first, second] = sim.requests.filter((r) => r.route === 'job');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(20);
  });

  it('retries a 400 whose error.code says "try again later", and not one whose code is final', async () => {
    const { sim, client, retries } = await setup();
    const jobId = sim.dataset.jobs[0]!.id;
    sim.faults.inject('retryable400', { route: 'job' });
    await client.jobResult(sim.projectId, jobId);
    expect(retries.map((r) => [r.error.code, r.error.apiCode])).toEqual([['API_ERROR', 'FS_0000']]);
    sim.faults.inject('final400', { route: 'job' });
    const error = await failure(client.jobResult(sim.projectId, jobId));
    expect(error).toMatchObject({ code: 'API_ERROR', apiCode: 'invalid_request_error', status: 400, attempts: 1 });
    expect(sim.stats.routes.job).toBe(3);
  });

  it('fetches again a body cut off mid-way, on the API and on the storage host', async () => {
    const { sim, client, retries } = await setup({ points: 20_000 });
    sim.faults.inject('reset', { route: 'job' });
    sim.faults.inject('reset', { route: 'storage' });
    sim.faults.inject('reset', { route: 'attachment' });
    expect((await client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id)).result).toMatch(/^http:/);
    expect(text(await client.attachment(firstMaskUrl(sim)))).toBe(firstMaskText(sim));
    expect(retries.map((r) => r.error.code)).toEqual(['CONNECTION', 'CONNECTION', 'CONNECTION']);
  });

  it('times out a stalled body and tries again', async () => {
    const { sim, client, retries } = await setup({ points: 20_000, faults: { stallMs: 10_000 } }, { timeoutMs: 150 });
    sim.faults.inject('stall', { route: 'storage' });
    expect(text(await client.attachment(firstMaskUrl(sim)))).toBe(firstMaskText(sim));
    expect(retries.map((r) => r.error.code)).toEqual(['TIMEOUT']);
  });

  it('fails a final status at once even when its error body does not decode', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('not gzip at all');
    });
    const client = new PlaymentClient({ apiKey: 'k-final', baseUrl: server.url, retry: FAST_RETRY });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 401, attempts: 1 });
    expect(server.hits).toBe(1);
  });

  it('gives up after `retries` attempts with the last error and the number of attempts', async () => {
    // undici checks timeouts about once a second: the latency must outlast that.
    const retry = { retries: 1, minDelayMs: 1, maxDelayMs: 5 };
    const { sim, client } = await setup({ latencyMs: 2500 }, { timeoutMs: 100, retry });
    const error = await failure(client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id));
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
    expect(sim.stats.routes.job).toBe(2);
  });
});

describe('bodies', () => {
  it.each(['gzip', 'br', 'deflate'] as const)('decodes %s', async (compression) => {
    const { sim, client } = await setup({ compression, points: 5000 });
    const raw = await fetch(`${sim.baseUrl}/v1/projects/${sim.projectId}/jobs/${sim.dataset.jobs[0]!.id}`, {
      headers: { 'x-api-key': sim.apiKey, 'accept-encoding': compression },
    });
    expect(raw.headers.get('content-encoding')).toBe(compression);
    await raw.arrayBuffer();
    expect(text(await client.attachment(firstMaskUrl(sim)))).toBe(firstMaskText(sim));
    const result = await client.annotationResult(sim.projectId, sim.dataset.jobs[0]!.id);
    expect(result.annotation_data?.masks).toHaveLength(2);
  });

  it('refuses a body over maxResponseBytes, announced or once decoded, without retrying', async () => {
    const plain = await setup({ points: 5000 }, { maxResponseBytes: 4096 });
    const announced = await failure(plain.client.attachment(firstMaskUrl(plain.sim)));
    expect(announced).toMatchObject({ code: 'RESPONSE_TOO_LARGE', attempts: 1 });

    const zipped = await setup({ points: 5000, compression: 'gzip' }, { maxResponseBytes: 4096 });
    const compressed = await failure(zipped.client.attachment(firstMaskUrl(zipped.sim)));
    expect(compressed).toMatchObject({ code: 'RESPONSE_TOO_LARGE', attempts: 1 });
    expect(compressed.message).toMatch(/once decoded/);
  });

  it('refuses a streamed body once it grows past maxResponseBytes', async () => {
    const server = await rawServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(1024);
      for (let i = 0; i < 64; i++) res.write(chunk);
      res.end();
    });
    const client = new PlaymentClient({ apiKey: 'k', baseUrl: server.url, maxResponseBytes: 10_000 });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('reports bad JSON as BAD_JSON, not retried', async () => {
    const { sim, client, retries } = await setup();
    sim.faults.inject('badJson', { route: 'job' });
    const error = await failure(client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id));
    expect(error).toMatchObject({ code: 'BAD_JSON', status: 200, attempts: 1 });
    expect(error.body).toMatch(/^\{"data"/);
    expect(retries).toEqual([]);
  });
});

describe('typed errors', () => {
  it('401 for a wrong key, with the key nowhere in the error', async () => {
    const { sim } = await setup();
    const key = 'wrong-key-0123456789abcdef';
    const client = new PlaymentClient({ apiKey: key, baseUrl: sim.baseUrl, retry: FAST_RETRY });
    closing.push(client);
    const error = await failure(client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id));
    expect(error).toMatchObject({ code: 'API_ERROR', status: 401, apiCode: 'auth-failure', attempts: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(inspect(error, { depth: 10 })).not.toContain(key);
  });

  it('404 for an unknown job', async () => {
    const { sim, client } = await setup();
    const error = await failure(client.jobResult(sim.projectId, 'no-such-job'));
    expect(error).toMatchObject({ code: 'API_ERROR', status: 404, apiCode: 'not_found' });
    expect(error.url).toBe(`${sim.baseUrl}/v1/projects/${sim.projectId}/jobs/no-such-job`);
  });

  it('NO_RESULT for a job without a result URL', async () => {
    const pending = { data: { job_id: 'j', status: 'in_progress' }, success: true };
    const server = await rawServer((req, res) => res.end(JSON.stringify(pending)));
    const client = new PlaymentClient({ apiKey: 'k', baseUrl: server.url });
    closing.push(client);
    expect(await failure(client.annotationResult('p', 'j'))).toMatchObject({ code: 'NO_RESULT' });
  });

  it('masks a key that a server echoes back, in messages, snippets and stacks', async () => {
    const key = 'secret-key-echoed-by-the-server';
    const server = await rawServer((req, res) => {
      res.writeHead(req.url!.includes('/jobs/') ? 400 : 502, { 'content-type': 'application/json' });
      const error = { code: 'unauthorized', message: `bad key ${req.headers['x-api-key']}` };
      res.end(JSON.stringify({ success: false, error }));
    });
    const retry = { retries: 1, minDelayMs: 1, maxDelayMs: 1 };
    const client = new PlaymentClient({ apiKey: key, baseUrl: server.url, retry });
    closing.push(client);
    for (const call of [client.jobResult('p', 'j'), client.attachment('https://bucket.example/x')]) {
      const error = await failure(call);
      expect(error.message).toContain('bad key ***');
      expect(inspect(error, { depth: 10 }) + String(error.stack) + JSON.stringify(error)).not.toContain(key);
    }
  });

  it('keeps a key echoed in a non-JSON body out of the BAD_JSON error and its cause', async () => {
    const key = 'secret-key-in-a-body-that-is-not-json';
    const server = await rawServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(String(req.headers['x-api-key']));
    });
    const client = new PlaymentClient({ apiKey: key, baseUrl: server.url, retry: FAST_RETRY });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error.code).toBe('BAD_JSON');
    expect(inspect(error, { depth: 10 }) + String(error.stack)).not.toContain(key.slice(0, 6));
  });

  it('shows no part of a key that the snippet window cuts off (whitespace before it collapses)', async () => {
    const key = 'secret-key-cut-by-the-snippet-window';
    const server = await rawServer((req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`${' '.repeat(790)}${req.headers['x-api-key']} is not allowed`);
    });
    const client = new PlaymentClient({ apiKey: key, baseUrl: server.url, retry: FAST_RETRY });
    closing.push(client);
    const error = await failure(client.jobResult('p', 'j'));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 404 });
    expect(inspect(error, { depth: 10 }) + String(error.stack)).not.toContain(key.slice(0, 6));
  });
});

describe('abort', () => {
  it('checks the signal up front: no request is made', async () => {
    const { sim, client } = await setup();
    const signal = AbortSignal.abort(new Error('stop'));
    expect(await failure(client.jobResult(sim.projectId, 'x', { signal }))).toMatchObject({ code: 'ABORTED' });
    expect(await failure(client.attachment(firstMaskUrl(sim), { signal }))).toMatchObject({ code: 'ABORTED' });
    const listing = client.batchJobs(sim.projectId, sim.batchId, { signal }).next();
    expect(await failure(listing)).toMatchObject({ code: 'ABORTED' });
    expect(sim.stats.apiRequests + sim.stats.storageRequests).toBe(0);
  });

  it('stops a stalled request, and a wait between retries', async () => {
    const retry = { retries: 3, minDelayMs: 10_000, maxDelayMs: 10_000 };
    // The wait must outlast the abort for certain: backoff is drawn from [0, minDelayMs) (full jitter), so a 500
    // was retried within the 100 ms about once in a hundred runs; a 503's Retry-After of 10 s is a floor.
    const { sim, client, retries } = await setup({ faults: { stallMs: 10_000, retryAfterSeconds: 10 } }, { retry });
    sim.faults.inject('stall', { route: 'job' });
    const stalled = client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id, { signal: AbortSignal.timeout(100) });
    expect((await failure(stalled)).code).toBe('ABORTED');
    sim.faults.inject('http503', { route: 'job' });
    const waiting = client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id, { signal: AbortSignal.timeout(100) });
    expect((await failure(waiting)).code).toBe('ABORTED');
    // It was aborted while waiting: the 503 came back, a wait of about 10 s began.
    expect(retries.map(({ error, delayMs }) => [error.status, delayMs > 8_000])).toEqual([[503, true]]);
  });

  it('leaves no listener on the signal once calls are done', async () => {
    const { sim, client } = await setup({ jobs: 3 });
    const controller = new AbortController();
    const { signal } = controller;
    sim.faults.inject('http503', { route: 'job' });
    for await (const job of client.batchJobs(sim.projectId, sim.batchId, { signal })) {
      await client.attachment((await client.jobResult(sim.projectId, job.id, { signal })).result!, { signal });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('connections and rate', () => {
  it('reuses keep-alive connections and never opens more than `connections` per origin', async () => {
    const { sim, client } = await setup({ jobs: 12, latencyMs: 20 }, { connections: 2 });
    await Promise.all(sim.dataset.jobs.map((job) => client.annotationResult(sim.projectId, job.id)));
    expect(sim.stats.apiRequests).toBe(24);
    expect(sim.stats.apiConnections).toBeLessThanOrEqual(2);
    expect(sim.stats.storageConnections).toBeLessThanOrEqual(2);
  });

  it('spaces API requests by maxRequestsPerSecond', async () => {
    const { sim, client } = await setup({ jobs: 4 }, { maxRequestsPerSecond: 10, connections: 1 });
    // The simulator runs in this process: its arrival times and this start share performance.now()'s clock.
    const start = performance.now();
    await client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id);
    await Promise.all(sim.dataset.jobs.map((job) => client.jobResult(sim.projectId, job.id)));
    const arrivals = sim.requests.filter((r) => r.route === 'job').map((r) => r.at);
    expect(arrivals).toHaveLength(5);
    // A bucket of two tokens, full at the start, filling at 10/s: request i (i >= 1) starts (i - 1) x 100 ms after the
    // first at the earliest, and the first after `start`. Measured from `start`, so that a loaded machine, which only
    // delays requests, cannot make the bound fail.
    for (let i = 2; i < arrivals.length; i++) expect(arrivals[i]! - start).toBeGreaterThanOrEqual((i - 1) * 100 - 5);
  });
});

describe('close', () => {
  it('lets calls in flight finish, then refuses new ones at once', async () => {
    const { sim, client } = await setup({ latencyMs: 50 });
    const inFlight = client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const closed = client.close();
    expect((await inFlight).job_id).toBe(sim.dataset.jobs[0]!.id);
    await closed;
    await client.close();
    const error = await failure(client.jobResult(sim.projectId, sim.dataset.jobs[0]!.id));
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', attempts: 1 });
  });
});

describe('options', () => {
  it('has frozen defaults', () => {
    expect(Object.isFrozen(CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(CLIENT_DEFAULTS.retry)).toBe(true);
    expect(CLIENT_DEFAULTS.baseUrl).toBe('https://api.playment.io');
  });

  it.each([
    [{}, /options.apiKey must be a non-empty string/],
    [{ apiKey: '' }, /options.apiKey must be a non-empty string/],
    [{ apiKey: 'k\n' }, /options.apiKey must be printable ASCII without spaces/],
    [{ apiKey: 'clé' }, /options.apiKey must be printable ASCII without spaces/],
    [{ apiKey: 'k', baseUrl: 'api.playment.io' }, /options.baseUrl must be an absolute http\(s\) URL/],
    [{ apiKey: 'k', baseUrl: 'ftp://x' }, /options.baseUrl must be an absolute http\(s\) URL/],
    [{ apiKey: 'k', baseUrl: 'https://x/?a=1' }, /options.baseUrl must not have credentials, a query or a fragment/],
    [{ apiKey: 'k', connections: 0 }, /options.connections must be an integer >= 1/],
    [{ apiKey: 'k', timeoutMs: 1.5 }, /options.timeoutMs must be an integer from 1 to 2147483647/],
    [{ apiKey: 'k', timeoutMs: 2 ** 31 }, /options.timeoutMs must be an integer from 1 to 2147483647/],
    [{ apiKey: 'k', retry: { maxDelayMs: 2 ** 31 } }, /options.retry.maxDelayMs must be an integer from 0 to/],
    [{ apiKey: 'k', retry: { minDelayMs: 2 ** 40 } }, /options.retry.minDelayMs must be an integer from 0 to/],
    [{ apiKey: 'k', maxResponseBytes: -1 }, /options.maxResponseBytes must be an integer >= 1/],
    [{ apiKey: 'k', retry: { retries: -1 } }, /options.retry.retries must be an integer >= 0/],
    [{ apiKey: 'k', retry: { minDelayMs: 10, maxDelayMs: 5 } }, /options.retry.maxDelayMs must be at least/],
    [{ apiKey: 'k', maxRequestsPerSecond: 0 }, /options.maxRequestsPerSecond must be a number > 0/],
    [{ apiKey: 'k', onRetry: 1 }, /options.onRetry must be a function/],
  ])('rejects %j', (options, message) => {
    expect(() => new PlaymentClient(options as PlaymentClientOptions)).toThrow(InvalidArgumentError);
    expect(() => new PlaymentClient(options as PlaymentClientOptions)).toThrow(message);
  });

  it('keeps a base URL path prefix', async () => {
    const server = await rawServer((req, res) => res.end(JSON.stringify({ data: { job_id: 'j' }, success: true })));
    const client = new PlaymentClient({ apiKey: 'k', baseUrl: `${server.url}/prefix/` });
    closing.push(client);
    await client.jobResult('p', 'j');
    expect(server.lastUrl).toBe('/prefix/v1/projects/p/jobs/j');
  });

  it.each(['/v1', '/v1/', '/prefix/v1'])(
    'takes a base URL path ending in /v1 as the API root (%s), never /v1/v1',
    async (path) => {
      const server = await rawServer((req, res) => res.end(JSON.stringify({ data: { job_id: 'j' }, success: true })));
      const client = new PlaymentClient({ apiKey: 'k', baseUrl: `${server.url}${path}` });
      closing.push(client);
      await client.jobResult('p', 'j');
      expect(server.lastUrl).toBe(`${path.replace(/\/v1\/?$/, '')}/v1/projects/p/jobs/j`);
    },
  );
});

/** A throwaway certificate for 127.0.0.1 and 127.0.0.2, made with the openssl command. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'playment-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:127.0.0.2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A one-handler server on 127.0.0.1 for shapes the simulator never produces. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const state = { url: '', hits: 0, lastUrl: '' };
  const server = createServer((req, res) => {
    state.hits++;
    state.lastUrl = req.url ?? '';
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closing.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return {
    get url() {
      return state.url;
    },
    get hits() {
      return state.hits;
    },
    get lastUrl() {
      return state.lastUrl;
    },
  };
}
