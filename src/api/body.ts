// Reading a response body: bounded by a size limit before and after decoding, counted against the caller's memory
// budget as it arrives, into memory the caller owns.
import type { Transform } from 'node:stream';
import { allocateUninitialized } from '../core/allocate.js';
import { AbortError } from '../errors.js';
import { ApiError } from './errors.js';
import { SpeedFloor, type SpeedFloorOptions } from './speed-floor.js';

// Decoded output arrives in chunks of this size: each is counted against the limit (and the caller's memory) before
// the next is made, so a bomb is stopped at the limit, not after it has been inflated whole.
const DECODED_CHUNK = 64 * 1024;

type Decoder = (first: number | undefined) => Transform;

// node:zlib (and the streams it brings) is taken when a compressed body arrives, not when the package is imported.
const zlib = () => process.getBuiltinModule('node:zlib');

const gunzipStream: Decoder = () => zlib().createGunzip({ chunkSize: DECODED_CHUNK });

const DECODERS: Record<string, Decoder> = {
  gzip: gunzipStream,
  'x-gzip': gunzipStream,
  br: () => zlib().createBrotliDecompress({ chunkSize: DECODED_CHUNK }),
  // "deflate" is meant to be zlib-wrapped, but some servers send a raw stream: a zlib header has method 8 in its low
  // nibble.
  deflate: (first) =>
    first !== undefined && (first & 0x0f) === 0x08
      ? zlib().createInflate({ chunkSize: DECODED_CHUNK })
      : zlib().createInflateRaw({ chunkSize: DECODED_CHUNK }),
};

/**
 * Memory for the bytes of bodies in flight, shared with other requests (see exportBatch's budget): `reserve` is
 * awaited before bytes are kept (it may wait for others to finish), `release` gives back what is no longer kept.
 */
export interface BodyMemory {
  reserve(bytes: number): Promise<void>;
  release(bytes: number): void;
}

/** The Accept-Encoding to send: every coding readBody() can undo. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

export interface BodySource extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ReadBodyOptions {
  maxBytes: number;
  /** Counts the bytes kept, raw and decoded; what it holds when the body is returned stays reserved. */
  memory?: BodyMemory | undefined;
  contentLength?: number;
  /** The Content-Encoding header. */
  encoding?: string;
  /** For errors: the redacted URL (read only when an error is made: a getter may compute it), the status, and
   * the redaction of what the server sent. */
  readonly url: string;
  status: number;
  redact: (text: string) => string;
  /** The slowest the body may arrive before it fails with TOO_SLOW (see SpeedFloor). */
  minSpeed?: SpeedFloorOptions | undefined;
}

/**
 * All of `body`, decoded, as a Uint8Array that owns its whole ArrayBuffer (byteOffset 0), so it can be transferred to
 * a worker. A body announced or found to be over `maxBytes`, raw or decoded, is refused with RESPONSE_TOO_LARGE and
 * the connection is dropped rather than read to the end. Bytes are reserved from `memory` before they are kept; on
 * failure all of them are released again, on success the returned body's bytes stay reserved.
 */
export async function readBody(body: BodySource, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, contentLength, status } = options;
  const tooLarge = (what: string) =>
    new ApiError('RESPONSE_TOO_LARGE', `response body ${what} is over the limit of ${maxBytes} bytes`, {
      url: options.url,
      status,
    });
  if (contentLength !== undefined && contentLength > maxBytes) {
    discard(body);
    throw tooLarge(`of ${contentLength} bytes`);
  }
  const memory = new Held(options.memory);
  try {
    const raw = await collect(body, options, memory, () => tooLarge('read so far'));
    return await decode(raw, options, memory, () => tooLarge('once decoded'));
  } catch (error) {
    memory.releaseAll();
    throw error;
  }
}

// What one body holds of the caller's memory, to give it all back if the body fails.
class Held {
  readonly #memory: BodyMemory | undefined;
  #bytes = 0;

  constructor(memory: BodyMemory | undefined) {
    this.#memory = memory;
  }

  async reserve(bytes: number): Promise<void> {
    if (!this.#memory || bytes === 0) return;
    await this.#memory.reserve(bytes);
    this.#bytes += bytes;
  }

  release(bytes: number): void {
    if (!this.#memory || bytes === 0) return;
    this.#memory.release(bytes);
    this.#bytes -= bytes;
  }

  releaseAll(): void {
    this.release(this.#bytes);
  }
}

async function collect(
  body: BodySource,
  options: ReadBodyOptions,
  memory: Held,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  const { contentLength, status } = options;
  // With a known length the bytes land in their final buffer at once; otherwise chunks are joined at the end.
  if (contentLength !== undefined) await memory.reserve(contentLength);
  const exact = contentLength === undefined ? undefined : new Uint8Array(allocateUninitialized(contentLength));
  const chunks: Uint8Array[] = [];
  let total = 0;
  const floor = options.minSpeed && new SpeedFloor(options.minSpeed, () => discard(body, tooSlow(options)));
  try {
    for await (const chunk of body) {
      if (exact && total + chunk.length > exact.length) {
        discard(body);
        throw new ApiError('CONNECTION', 'the body is longer than its Content-Length', { url: options.url, status });
      }
      if (total + chunk.length > options.maxBytes) {
        discard(body);
        throw tooLarge();
      }
      floor?.add(chunk.length);
      if (exact) exact.set(chunk, total);
      else {
        // Not read on while the memory is not there: the socket waits (backpressure), and the wait is the reader's.
        const reserved = memory.reserve(chunk.length);
        await (floor ? floor.excusing(reserved) : reserved);
        chunks.push(chunk);
      }
      total += chunk.length;
    }
  } finally {
    floor?.stop();
  }
  // undici fails a body shorter than its Content-Length, so `exact` is full here.
  return exact ?? (await join(chunks, total, memory));
}

function tooSlow(options: ReadBodyOptions): ApiError {
  const { bytesPerSecond, windowMs } = options.minSpeed!;
  const message = `the body arrived at under ${bytesPerSecond} bytes/s over ${windowMs / 1000} s`;
  return new ApiError('TOO_SLOW', message, { url: options.url, status: options.status });
}

async function decode(
  raw: Uint8Array,
  options: ReadBodyOptions,
  memory: Held,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  const codings = (options.encoding ?? '')
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding.toLowerCase() !== 'identity');
  let bytes = raw;
  // Codings are listed in the order they were applied.
  for (const coding of codings.reverse()) {
    const name = coding.toLowerCase();
    const decoder = Object.hasOwn(DECODERS, name) ? DECODERS[name] : undefined;
    const { status } = options;
    if (!decoder) {
      const message = `unsupported Content-Encoding '${options.redact(coding)}'`;
      throw new ApiError('BAD_ENCODING', message, { url: options.url, status });
    }
    const stream = decoder(bytes[0]);
    stream.end(bytes);
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > options.maxBytes) throw tooLarge();
        await memory.reserve(chunk.length);
        chunks.push(chunk);
      }
    } catch (error) {
      stream.destroy();
      if (error instanceof ApiError || error instanceof AbortError) throw error;
      throw new ApiError('BAD_ENCODING', `the ${name} body does not decode`, {
        url: options.url,
        status,
        cause: error,
      });
    }
    // The encoded bytes are dropped once decoded.
    const encodedLength = bytes.length;
    bytes = await join(chunks, total, memory);
    memory.release(encodedLength);
  }
  return owned(bytes);
}

// Drops the connection under an unread body. undici reports that as an 'error' event a tick later: expected here.
// With `error`, a read waiting on the body rejects with it.
function discard(body: BodySource, error?: Error): void {
  body.on('error', () => undefined);
  body.destroy(error);
}

// One buffer for `chunks`: its bytes are reserved before the copy, the chunks' released after it.
async function join(chunks: Uint8Array[], total: number, memory: Held): Promise<Uint8Array> {
  if (chunks.length === 1) return owned(chunks[0]!);
  await memory.reserve(total);
  const out = new Uint8Array(allocateUninitialized(total));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  memory.release(total);
  return out;
}

// Buffers from sockets and zlib may be slices of a larger (even shared) ArrayBuffer: copy those.
function owned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return new Uint8Array(bytes.buffer);
  const copy = new Uint8Array(allocateUninitialized(bytes.length));
  copy.set(bytes);
  return copy;
}
