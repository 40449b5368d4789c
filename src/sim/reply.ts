// Writing a simulated answer: optionally compressed, and optionally broken the way networks break (cut or stalled).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Compression } from './option-table.js';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export interface DeliveryOptions {
  /** Compress the body with this coding when the request accepts it. */
  compression?: Compression | undefined;
  /** `reset`: half the body, then the connection is destroyed; `stall`: half the body, then silence for `stallMs`. */
  cut?: 'reset' | 'stall' | undefined;
  stallMs: number;
  /** Keeps a stall's timer so that closing the simulator can cancel it. */
  track(timer: NodeJS.Timeout): void;
}

const COMPRESS: Record<Compression, (bytes: Uint8Array) => Uint8Array> = {
  gzip: (bytes) => gzipSync(bytes),
  br: (bytes) => brotliCompressSync(bytes),
  deflate: (bytes) => deflateSync(bytes),
};

const encoder = new TextEncoder();

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** The API's error envelope. */
export function apiErrorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { success: false, error: { code, message } }, headers);
}

/** An S3-style XML error of the storage host. */
export function storageErrorReply(status: number, code: string, message: string): Reply {
  const error = `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${error}`;
  return { status, headers: { 'content-type': 'application/xml' }, body };
}

export function deliver(req: IncomingMessage, res: ServerResponse, reply: Reply, options: DeliveryOptions): void {
  let body = typeof reply.body === 'string' ? encoder.encode(reply.body) : (reply.body ?? new Uint8Array(0));
  const headers: Record<string, string> = { ...reply.headers };
  const coding = options.compression;
  if (coding && body.length > 0 && acceptsCoding(req, coding)) {
    body = COMPRESS[coding](body);
    headers['content-encoding'] = coding;
  }
  headers['content-length'] = String(body.length);
  if (options.cut && body.length === 0) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(reply.status, headers);
  if (!options.cut) {
    res.end(body);
    return;
  }
  const half = body.subarray(0, Math.floor(body.length / 2));
  if (options.cut === 'reset') {
    // Let the half body leave first, then drop the connection.
    res.write(half, () => res.socket?.destroy());
    return;
  }
  res.write(half);
  const timer = setTimeout(() => res.socket?.destroy(), options.stallMs);
  timer.unref();
  options.track(timer);
}

function acceptsCoding(req: IncomingMessage, coding: Compression): boolean {
  const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  return accepted.split(',').some((part) => part.trim().split(';')[0] === coding);
}
