// Hostile servers for the hardening tests: real node:http servers on loopback, the API on 127.0.0.1 and the storage
// host on 127.0.0.2 (a second origin), each a single handler the test writes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { ApiError } from '../src/index.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Origin {
  /** `http://127.0.0.x:port` */
  url: string;
  /** Request targets received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function serve(host: '127.0.0.1' | '127.0.0.2', handler: Handler): Promise<Origin> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    // A client that gave up leaves the socket behind: a write to it must not end the test process.
    res.on('error', () => undefined);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Writes `body` one byte every `everyMs`, forever if the client keeps listening (a dripping body). */
export function drip(res: ServerResponse, status: number, headers: Record<string, string>, everyMs: number): void {
  res.writeHead(status, headers);
  res.flushHeaders();
  const timer = setInterval(() => {
    if (res.destroyed) clearInterval(timer);
    else res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** The ways a key (printable ASCII) can be spelled in text a server sends. */
export function keyForms(key: string): string[] {
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
  return [
    key,
    JSON.stringify(key).slice(1, -1).replaceAll('/', '\\/'),
    [...key].map((c) => `%${hex(c)}`).join(''),
    [...key].map((c) => `%${hex(c).toUpperCase()}`).join(''),
    encodeURIComponent(key),
    encodeURIComponent(encodeURIComponent(key)),
    [...key].map((c) => `&#${c.charCodeAt(0)};`).join(''),
    [...key].map((c) => `&#x${hex(c).toUpperCase()};`).join(''),
    key.replaceAll('&', '&amp;').replaceAll('/', '&sol;'),
    [...key].map((c) => `\\u${hex(c).padStart(4, '0')}`).join(''),
  ];
}

/** The forms of `key` found in `text`, for an assertion message that says which leaked. */
export function leaks(text: string, key: string): string[] {
  return keyForms(key).filter((form) => text.includes(form));
}

/** The ApiError a call rejects with (the test fails if it resolves, or rejects with something else). */
export async function apiFailure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => expect.unreachable('the call should fail'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

export interface OneMaskVendor {
  api: Origin;
  storage: Origin;
}

/**
 * A vendor whose batch B (project P) lists `jobs`, each with one mask: the API (127.0.0.1) answers the page and each
 * job's result URL and redirects every attachment to the URL asked for; storage (127.0.0.2) serves each result object
 * and leaves the mask's answer to `mask`. `maskPath` places a job's mask (default `JOB/mask.json`); `beforeApi` may
 * answer an API request itself (returning true).
 */
export async function oneMaskVendor(
  jobs: string[],
  mask: (job: string, res: ServerResponse) => void,
  options: { maskPath?: (job: string) => string; beforeApi?: (res: ServerResponse) => boolean } = {},
): Promise<OneMaskVendor> {
  const { maskPath = (job: string) => `${job}/mask.json`, beforeApi } = options;
  const storage = await serve('127.0.0.2', (req, res) => {
    const job = req.url!.split('/')[1]!;
    if (!req.url!.endsWith('/result.json')) return mask(job, res);
    const masks = [{ frame_id: '0', sensor_id: 'lidar', label_url: `${storage.url}/${maskPath(job)}` }];
    json(res, 200, { annotation_data: { masks } });
  });
  const api = await serve('127.0.0.1', (req, res) => {
    if (beforeApi?.(res)) return;
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/v1/projects/P/batch/B') {
      return json(res, 200, { success: true, data: { jobs: jobs.map((id) => ({ id })) } });
    }
    const job = /^\/v1\/projects\/P\/jobs\/(.+)$/.exec(url.pathname)?.[1];
    if (job) return json(res, 200, { success: true, data: { result: `${storage.url}/${job}/result.json` } });
    res.writeHead(302, { location: url.searchParams.get('url')! });
    res.end();
  });
  return { api, storage };
}
