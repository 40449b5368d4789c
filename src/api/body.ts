// Reading a response body: bounded by maxResponseBytes before and after decoding, into memory the caller owns.
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions, type BrotliOptions } from 'node:zlib';
import { allocateUninitialized } from '../core/allocate.js';
import { ApiError } from './errors.js';

type Decoder = (bytes: Uint8Array, options: ZlibOptions & BrotliOptions) => Promise<Buffer>;

const gunzipAsync = promisify(gunzip) as Decoder;
const inflateAsync = promisify(inflate) as Decoder;
const inflateRawAsync = promisify(inflateRaw) as Decoder;
const brotliAsync = promisify(brotliDecompress) as Decoder;

// "deflate" is meant to be zlib-wrapped, but some servers send a raw stream: a zlib header has method 8 in its low
// nibble.
const inflateEither: Decoder = (bytes, options) =>
  (bytes.length > 0 && (bytes[0]! & 0x0f) === 0x08 ? inflateAsync : inflateRawAsync)(bytes, options);

const DECODERS: Record<string, Decoder> = {
  gzip: gunzipAsync,
  'x-gzip': gunzipAsync,
  br: brotliAsync,
  deflate: inflateEither,
};

/** The Accept-Encoding to send: every coding readBody() can undo. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

export interface BodySource extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ReadBodyOptions {
  maxBytes: number;
  contentLength?: number;
  /** The Content-Encoding header. */
  encoding?: string;
  /** For errors: the redacted URL (read only when an error is made: a getter may compute it), the status, and
   * the redaction of what the server sent. */
  readonly url: string;
  status: number;
  redact: (text: string) => string;
}

/**
 * All of `body`, decoded, as a Uint8Array that owns its whole ArrayBuffer (byteOffset 0), so it can be transferred to
 * a worker. A body announced or found to be over `maxBytes`, raw or decoded, is refused with RESPONSE_TOO_LARGE and
 * the connection is dropped rather than read to the end.
 */
export async function readBody(body: BodySource, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, contentLength, status } = options;
  const tooLarge = (what: string) =>
    new ApiError('RESPONSE_TOO_LARGE', `response body ${what} is over maxResponseBytes (${maxBytes})`, {
      url: options.url,
      status,
    });
  if (contentLength !== undefined && contentLength > maxBytes) {
    discard(body);
    throw tooLarge(`of ${contentLength} bytes`);
  }
  const raw = await collect(body, options, () => tooLarge('read so far'));
  return decode(raw, options, () => tooLarge('once decoded'));
}

async function collect(body: BodySource, options: ReadBodyOptions, tooLarge: () => ApiError): Promise<Uint8Array> {
  const { contentLength, status } = options;
  // With a known length the bytes land in their final buffer at once; otherwise chunks are joined at the end.
  const exact = contentLength === undefined ? undefined : new Uint8Array(allocateUninitialized(contentLength));
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    if (exact && total + chunk.length > exact.length) {
      discard(body);
      throw new ApiError('CONNECTION', 'the body is longer than its Content-Length', { url: options.url, status });
    }
    if (total + chunk.length > options.maxBytes) {
      discard(body);
      throw tooLarge();
    }
    if (exact) exact.set(chunk, total);
    else chunks.push(chunk);
    total += chunk.length;
  }
  // undici fails a body shorter than its Content-Length, so `exact` is full here.
  return exact ?? join(chunks, total);
}

async function decode(raw: Uint8Array, options: ReadBodyOptions, tooLarge: () => ApiError): Promise<Uint8Array> {
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
    try {
      bytes = await decoder(bytes, { maxOutputLength: options.maxBytes });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
      throw new ApiError('BAD_ENCODING', `the ${name} body does not decode`, { url: options.url, status, cause: error });
    }
  }
  return owned(bytes);
}

// Drops the connection under an unread body. undici reports that as an 'error' event a tick later: expected here.
function discard(body: BodySource): void {
  body.on('error', () => undefined);
  body.destroy();
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return owned(chunks[0]!);
  const out = new Uint8Array(allocateUninitialized(total));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

// Buffers from sockets and zlib may be slices of a larger (even shared) ArrayBuffer: copy those.
function owned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return new Uint8Array(bytes.buffer);
  const copy = new Uint8Array(allocateUninitialized(bytes.length));
  copy.set(bytes);
  return copy;
}
