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
