// A small vendor-shaped API for hostile cases the simulator does not model (bombs, deep nesting, hostile names): every
// body is the caller's choice, for tests and benchmarks. Two real origins on loopback, as the vendor has: the API
// (one batch page, job results, the attachment redirect) and a storage host serving the files behind private URLs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';

export interface Reply {
  /** The body as sent (already encoded when `encoding` is set). */
  body: Uint8Array | string;
  /** Content-Encoding. */
  encoding?: string;
}

export interface HostileJob {
  id: string;
  /** The raw JSON text of the job's `reference_id` in the batch page (default: a string). */
  referenceIdJson?: string;
  /** The job's result object. */
  result: Reply;
}

export interface HostileOptions {
  jobs: HostileJob[];
  /** Other files behind private URLs (masks, point clouds), by private URL. */
  files?: Map<string, Reply>;
  /** Called for every batch page request before it is answered: may hold it back. */
  beforeBatchPage?: () => Promise<void>;
}

export interface HostileServer {
  baseUrl: string;
  apiKey: string;
  projectId: string;
  batchId: string;
  /** The private URL under which a job's result object is served. */
  resultUrl(jobId: string): string;
  /** Private URLs fetched from storage so far. */
  fetched: string[];
  close(): Promise<void>;
}

const API_KEY = 'hostile-key-5f3a9c';
const PROJECT = 'P';
const BATCH = 'B';

export async function startHostileServer(options: HostileOptions): Promise<HostileServer> {
  const files = new Map(options.files);
  const resultUrl = (jobId: string) => `private://results/${encodeURIComponent(jobId)}.json`;
  for (const job of options.jobs) files.set(resultUrl(job.id), job.result);
  const fetched: string[] = [];

  const storage = await listen((request, response) => {
    const url = new URL(request.url ?? '/', 'http://storage');
    const privateUrl = url.searchParams.get('file') ?? '';
    fetched.push(privateUrl);
    const reply = files.get(privateUrl);
    if (!reply) return send(response, 404, 'no such file');
    send(response, 200, reply.body, reply.encoding);
  });
  const storageOrigin = origin(storage);

  const api = await listen(async (request, response) => {
    if (request.headers['x-api-key'] !== API_KEY) {
      return json(response, 401, { success: false, error: { code: 'unauthorized' } });
    }
    const url = new URL(request.url ?? '/', 'http://api');
    const path = url.pathname;
    if (path === `/v1/projects/${PROJECT}/batch/${BATCH}`) {
      await options.beforeBatchPage?.();
      // Built as text: a hostile reference_id may nest deeper than JSON.stringify goes.
      const jobs = options.jobs.map((job) => {
        const referenceId = job.referenceIdJson ?? JSON.stringify(`ref-${job.id}`);
        return `{"id":${JSON.stringify(job.id)},"reference_id":${referenceId}}`;
      });
      const text = `{"success":true,"data":{"id":"${BATCH}","jobs":[${jobs.join(',')}],"next_page_token":""}}`;
      return send(response, 200, text);
    }
    const jobMatch = /^\/v1\/projects\/P\/jobs\/([^/]+)$/.exec(path);
    if (jobMatch) {
      const id = decodeURIComponent(jobMatch[1]!);
      return json(response, 200, { success: true, data: { job_id: id, status: 'completed', result: resultUrl(id) } });
    }
    if (path === '/v1/attachments') {
      const target = `${storageOrigin}/file?${new URLSearchParams({ file: url.searchParams.get('url') ?? '' })}`;
      response.writeHead(302, { location: target, 'content-length': '0' });
      return response.end();
    }
    send(response, 404, 'not found');
  });

  return {
    baseUrl: origin(api),
    apiKey: API_KEY,
    projectId: PROJECT,
    batchId: BATCH,
    resultUrl,
    fetched,
    close: async () => {
      await Promise.all([api, storage].map(close));
    },
  };
}

function listen(handler: (request: IncomingMessage, response: ServerResponse) => unknown): Promise<Server> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch(() => response.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function origin(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function send(response: ServerResponse, status: number, body: Uint8Array | string, encoding?: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string> = { 'content-length': String(bytes.length) };
  if (encoding) headers['content-encoding'] = encoding;
  response.writeHead(status, headers);
  response.end(bytes);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, JSON.stringify(value));
}

export interface ResultMask {
  frameId: string;
  sensorId: string;
  /** The mask's private URL. */
  url: string;
  /** The private URL of the frame's point cloud for this sensor. */
  pointCloudUrl?: string;
}

/** A result object in the vendor's shape, as JSON text: the masks and the classes naming their label keys. */
export function resultText(masks: ResultMask[], classes: Array<{ key: number; label: string }> = []): string {
  const frameIds = [...new Set(masks.map((mask) => mask.frameId))];
  return JSON.stringify({
    annotation_data: {
      annotations: classes.map(({ key, label }) => ({ label, label_key: key, type: 'segmentation3d' })),
      frames: frameIds.map((id) => ({ _id: id })),
      masks: masks.map((mask) => ({ frame_id: mask.frameId, sensor_id: mask.sensorId, label_url: mask.url })),
    },
    sensor_data: {
      frames: frameIds.map((id) => ({
        frame_id: id,
        sensors: masks
          .filter((mask) => mask.frameId === id && mask.pointCloudUrl)
          .map((mask) => ({ sensor_id: mask.sensorId, data_url: mask.pointCloudUrl })),
      })),
    },
  });
}

const MiB = 1024 * 1024;

/**
 * A decompression bomb: `head`, then `unit` repeated to about `bytes`, then `tail`, compressed (gzip, or brotli at a
 * quick quality) as it is made, so that the decoded size is never held.
 */
export async function compressedBomb(
  coding: 'gzip' | 'br',
  head: string,
  unit: string,
  bytes: number,
  tail: string,
): Promise<Buffer> {
  const stream =
    coding === 'gzip'
      ? createGzip({ level: 9 })
      : createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor(MiB / unit.length))));
  stream.write(head);
  for (let written = 0; written < bytes; written += block.length) {
    if (!stream.write(block)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end(tail);
  await ended;
  return Buffer.concat(out);
}

/**
 * A PCD bomb: `DATA binary_compressed` x y z (F4) whose LZF stream is valid and expands to just under 1 GiB (one
 * literal byte, then back references of 264 bytes each), for ~89.5M points. The stream is ~12 MB; gzipped, ~12 KiB.
 */
export function lzfBombPcd(): Buffer {
  const points = Math.floor(2 ** 30 / 12);
  const raw = points * 12;
  const tokens = Math.floor((raw - 1) / 264);
  const rest = raw - 1 - tokens * 264;
  const lzf = Buffer.alloc(2 + tokens * 3 + 3);
  lzf[0] = 0; // a literal run of one byte: 0
  for (let t = 0; t < tokens; t++) lzf.set([0xe0, 255, 0], 2 + t * 3); // copy 7 + 255 + 2 bytes from 1 back
  lzf.set([0xe0, rest - 2 - 7, 0], 2 + tokens * 3);
  const header = Buffer.from(
    `VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH ${points}\nHEIGHT 1\n` +
      `VIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${points}\nDATA binary_compressed\n`,
  );
  const sizes = Buffer.alloc(8);
  sizes.writeUInt32LE(lzf.length, 0);
  sizes.writeUInt32LE(raw, 4);
  return Buffer.concat([header, sizes, lzf]);
}
