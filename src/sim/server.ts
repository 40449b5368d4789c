// The simulated Playment API: two real HTTP servers, the API origin (127.0.0.1) and the storage host behind the
// attachment redirect (127.0.0.2), serving a SimDataset with the API's behaviour and, on request, its failures.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveOptions } from '../options/check.js';
import type { OptionValues, ResolvedValues } from '../options/option.js';
import { isCompleted, pointCloudPath, resultPath, SimDataset, type DatasetOptions, type SimJob } from './dataset.js';
import type { FaultKind, Route } from './fault-kinds.js';
import { FaultPlan, type FaultOptions } from './faults.js';
import { KeyRateLimit } from './rate-limit.js';
import { StorageObjects } from './objects.js';
import { SIM_SERVER_OPTIONS } from './option-table.js';
import { apiErrorReply, deliver, jsonReply, storageErrorReply, type Reply } from './reply.js';
import { UrlSigner } from './signing.js';
import { emptyStats, type SimRequest, type SimStats } from './stats.js';

/**
 * The servers (SIM_SERVER_OPTIONS in option-table.ts), the batch they serve (DatasetOptions, or a `dataset`) and the
 * faults they inject.
 */
export interface SimulatorOptions extends DatasetOptions, OptionValues<typeof SIM_SERVER_OPTIONS> {
  /** A dataset to serve; otherwise one is made from the DatasetOptions fields. */
  dataset?: SimDataset;
  /** Faults injected at random (and `simulator.faults.inject()` for scripted ones). */
  faults?: FaultOptions;
}

type ServerSettings = ResolvedValues<typeof SIM_SERVER_OPTIONS>;

export interface Simulator {
  /** The API's base URL, for PlaymentClient's `baseUrl`. */
  readonly baseUrl: string;
  /** The storage host's origin. */
  readonly storageUrl: string;
  readonly apiKey: string;
  readonly projectId: string;
  readonly batchId: string;
  readonly dataset: SimDataset;
  /** Live counters. */
  readonly stats: SimStats;
  /** Every request, in arrival order, when started with `record: true`. */
  readonly requests: readonly SimRequest[];
  /** Scripted faults: `simulator.faults.inject('reset', { route: 'storage', count: 2 })`. */
  readonly faults: FaultPlan;
  /**
   * Generates every result object and mask (and point cloud, with `pointClouds: true`) now, into the cache as far as
   * `cacheBytes` allows, so that serving them costs no CPU while a benchmark measures.
   */
  preload(options?: { pointClouds?: boolean }): void;
  /** Labels job `jobIndex` again: from now on it serves a new result object and new masks. */
  relabel(jobIndex: number): void;
  /** Sets the status the batch lists for a job; only a completed job's result has a result URL (isCompleted()). */
  setStatus(jobIndex: number, status: string): void;
  /** The API's rate limit now, requests per second per key (0: none). */
  readonly rateLimit: number;
  /** Changes the rate limit from now on (0: none); the burst defaults to one second's worth again. */
  setRateLimit(rate: number, burst?: number): void;
  /** Stops both servers, dropping open connections. */
  close(): Promise<void>;
}

const WORKFLOW_ID = '51bb440c-f0ed-4286-8984-ea399cbc1f9w';
const GATEWAY_ERROR_PAGE = '<html><body><h1>500 Internal Server Error</h1></body></html>';

/** Starts the simulated API and storage host; resolves once both listen. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  // Every option checked before a port is taken.
  const settings = resolveOptions(SIM_SERVER_OPTIONS, options);
  const dataset = options.dataset ?? new SimDataset(options);
  const faults = new FaultPlan(options.faults);
  const rateLimit = new KeyRateLimit({ rate: settings.rateLimit, burst: settings.rateBurst });
  const apiServer = createServer();
  const storageServer = createServer();
  await listen(apiServer, settings.host, settings.port);
  try {
    const storagePort = settings.storagePort;
    const storageHost = settings.storageHost ?? '127.0.0.2';
    await listen(storageServer, storageHost, storagePort).catch((error: NodeJS.ErrnoException) => {
      // A distinct port is a distinct origin too: only the default address falls back.
      if (settings.storageHost !== undefined || error.code !== 'EADDRNOTAVAIL') throw error;
      return listen(storageServer, settings.host, storagePort);
    });
  } catch (error) {
    apiServer.close();
    throw error;
  }
  const simulator = new RunningSimulator(dataset, settings, faults, rateLimit, [apiServer, storageServer]);
  apiServer.on('request', (req, res) => simulator.handleApi(req, res).catch((error) => internalError(res, error)));
  storageServer.on('request', (req, res) =>
    simulator.handleStorage(req, res).catch((error) => internalError(res, error)),
  );
  apiServer.on('connection', () => simulator.stats.apiConnections++);
  storageServer.on('connection', () => simulator.stats.storageConnections++);
  return simulator;
}

class RunningSimulator implements Simulator {
  readonly baseUrl: string;
  readonly storageUrl: string;
  readonly apiKey: string;
  readonly dataset: SimDataset;
  readonly stats = emptyStats();
  readonly requests: SimRequest[] = [];
  readonly faults: FaultPlan;
  readonly #settings: ServerSettings;
  readonly #servers: Server[];
  readonly #objects: StorageObjects;
  readonly #signer = new UrlSigner();
  readonly #stalls = new Set<NodeJS.Timeout>();
  readonly #rateLimit: KeyRateLimit;
  #apiInFlight = 0;

  constructor(
    dataset: SimDataset,
    settings: ServerSettings,
    faults: FaultPlan,
    rateLimit: KeyRateLimit,
    servers: [api: Server, storage: Server],
  ) {
    this.dataset = dataset;
    this.#settings = settings;
    this.#servers = servers;
    this.baseUrl = origin(servers[0]);
    this.storageUrl = origin(servers[1]);
    this.apiKey = settings.apiKey ?? `sim-key-${dataset.seed}`;
    this.faults = faults;
    this.#rateLimit = rateLimit;
    this.#objects = new StorageObjects(dataset, this.storageUrl, settings.cacheBytes);
  }

  get projectId(): string {
    return this.dataset.projectId;
  }

  get batchId(): string {
    return this.dataset.batchId;
  }

  async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const at = performance.now();
    const withKey = req.headers['x-api-key'] === this.apiKey;
    const { path, query } = splitTarget(req.url ?? '/');
    const target = apiRoute(path);
    const route = target?.route ?? 'unknown';
    this.stats.apiRequests++;
    this.stats.routes[route]++;
    this.stats.apiInFlightPeak = Math.max(this.stats.apiInFlightPeak, ++this.#apiInFlight);
    res.once('close', () => this.#apiInFlight--);
    const waitSeconds = this.#rateLimit.take(String(req.headers['x-api-key'] ?? ''));
    await this.#latency();
    let reply: Reply;
    let fault: FaultKind | undefined;
    if (waitSeconds > 0) {
      this.stats.rateLimited++;
      const retryAfter = { 'retry-after': String(Math.max(1, Math.ceil(waitSeconds))) };
      reply = apiErrorReply(429, 'rate_limit_exceeded', 'too many requests', retryAfter);
    } else if (!withKey) {
      this.stats.unauthorized++;
      reply = apiErrorReply(401, 'auth-failure', 'missing or invalid x-api-key');
    } else if (!target) {
      reply = apiErrorReply(404, 'not_found', 'no such endpoint');
    } else {
      const failing = target.route === 'job' && this.faults.failsForever(this.dataset.job(target.jobId!)?.index ?? -1);
      fault = failing ? 'retryable400' : this.faults.next(target.route);
      reply = this.#faultReply(fault) ?? this.#apiAnswer(target, query, fault);
    }
    this.#send(req, res, 'api', route, at, withKey, reply, fault);
  }

  async handleStorage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const at = performance.now();
    const carriesKey = (value: unknown) => String(value).includes(this.apiKey);
    const withKey = 'x-api-key' in req.headers || Object.values(req.headers).some(carriesKey);
    this.stats.storageRequests++;
    this.stats.routes.storage++;
    if (withKey) this.stats.storageRequestsWithKey++;
    await this.#latency();
    const { path, query } = splitTarget(req.url ?? '/');
    const fault = this.faults.next('storage');
    let reply = this.#faultReply(fault);
    if (!reply) {
      reply = this.#storageAnswer(path, query, fault);
      if (reply.status === 403) this.stats.accessDenied++;
    }
    this.#send(req, res, 'storage', 'storage', at, withKey, reply, fault);
  }

  #storageAnswer(path: string, query: URLSearchParams, fault: FaultKind | undefined): Reply {
    const signature = fault === 'expired' ? 'expired' : this.#signer.check(path, query);
    if (signature === 'expired') return storageErrorReply(403, 'AccessDenied', 'Request has expired');
    if (signature !== 'valid') return storageErrorReply(403, 'AccessDenied', 'Access Denied');
    const object = this.#objects.get(path);
    this.stats.filesGenerated = this.#objects.generated;
    if (!object) return storageErrorReply(404, 'NoSuchKey', 'The specified key does not exist.');
    if (fault !== 'reset' && fault !== 'stall') this.stats.storageBytes += object.bytes.length;
    return { status: 200, headers: { 'content-type': object.contentType }, body: object.bytes };
  }

  preload({ pointClouds = false }: { pointClouds?: boolean } = {}): void {
    for (const job of this.dataset.jobs) this.#objects.get(resultPath(job.index));
    for (const mask of this.dataset.expectedMasks()) {
      this.#objects.get(mask.path);
      if (pointClouds) this.#objects.get(pointCloudPath(mask.jobIndex, mask.frame, mask.sensor));
    }
    this.stats.filesGenerated = this.#objects.generated;
  }

  relabel(jobIndex: number): void {
    this.dataset.relabel(jobIndex);
    this.#objects.forgetJob(jobIndex);
  }

  setStatus(jobIndex: number, status: string): void {
    this.dataset.setStatus(jobIndex, status);
  }

  get rateLimit(): number {
    return this.#rateLimit.rate;
  }

  setRateLimit(rate: number, burst?: number): void {
    this.#rateLimit.set({ rate, burst });
  }

  async close(): Promise<void> {
    for (const timer of this.#stalls) clearTimeout(timer);
    this.#stalls.clear();
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      ),
    );
  }

  #apiAnswer(target: ApiTarget, query: URLSearchParams, fault: FaultKind | undefined): Reply {
    const { dataset } = this;
    if (target.route !== 'attachment' && target.projectId !== dataset.projectId) {
      return apiErrorReply(404, 'not_found', 'no such project');
    }
    let reply: Reply;
    if (target.route === 'batch') reply = this.#batchPage(target.batchId!, query.get('page_token') ?? '');
    else if (target.route === 'job') reply = this.#jobResult(dataset.job(target.jobId!));
    else reply = this.#attachment(query.get('url'), fault === 'expired');
    if (fault === 'badJson' && typeof reply.body === 'string') {
      reply = { ...reply, body: reply.body.slice(0, reply.body.length >> 1) };
    }
    return reply;
  }

  #batchPage(batchId: string, token: string): Reply {
    const { dataset } = this;
    if (batchId !== dataset.batchId) return apiErrorReply(404, 'not_found', 'no such batch');
    const page = dataset.pageOfToken(token);
    if (page === undefined) return apiErrorReply(400, 'invalid_request_error', 'invalid page token');
    const { jobs, nextToken } = dataset.page(page);
    const loopsBack = this.#settings.loopPageTokens && nextToken === undefined && dataset.pageCount > 1;
    const data: Record<string, unknown> = {
      id: dataset.batchId,
      project_id: dataset.projectId,
      name: dataset.batchName,
      jobs: jobs.map((job) => ({
        id: job.id,
        reference_id: job.referenceId,
        status: dataset.status(job.index),
        frames: dataset.frames,
        annotations: dataset.frames * dataset.sensors,
      })),
    };
    if (loopsBack) data.next_page_token = dataset.pageToken(1);
    else if (nextToken !== undefined) data.next_page_token = nextToken;
    return jsonReply(200, { data, success: true });
  }

  #jobResult(job: SimJob | undefined): Reply {
    if (!job) return apiErrorReply(404, 'not_found', 'no such job');
    const { dataset } = this;
    const status = dataset.status(job.index);
    const data: Record<string, unknown> = {
      project_id: dataset.projectId,
      reference_id: job.referenceId,
      job_id: job.id,
      batch_id: dataset.batchId,
      status,
      work_flow_id: WORKFLOW_ID,
      priority_weight: 5,
      tag: WORKFLOW_ID,
    };
    // A job still being labelled has no result yet.
    if (isCompleted(status)) data.result = this.storageUrl + resultPath(job.index);
    return jsonReply(200, { data, success: true });
  }

  #attachment(url: string | null, expired: boolean): Reply {
    const prefix = `${this.storageUrl}/`;
    const path = url?.startsWith(prefix) ? splitTarget(url.slice(this.storageUrl.length)).path : undefined;
    if (!path || !this.#objects.has(path)) return apiErrorReply(404, 'not_found', 'no such attachment');
    this.stats.redirects++;
    const ttl = expired ? -1000 : this.#settings.signatureTtlMs;
    return { status: 302, headers: { location: this.#signer.sign(this.storageUrl, path, ttl) } };
  }

  /** The answer a fault puts in place of the real one, or undefined for faults that alter the real one. */
  #faultReply(fault: FaultKind | undefined): Reply | undefined {
    const seconds = this.faults.retryAfterSeconds;
    switch (fault) {
      case 'http500':
        return { status: 500, headers: { 'content-type': 'text/html' }, body: GATEWAY_ERROR_PAGE };
      case 'http503':
        return { status: 503, headers: { 'retry-after': new Date(Date.now() + seconds * 1000).toUTCString() } };
      case 'http429':
        return apiErrorReply(429, 'rate_limit_exceeded', 'too many requests', { 'retry-after': String(seconds) });
      case 'retryable400':
        return apiErrorReply(400, 'FS_0000', 'Something went wrong, please try again after some time');
      case 'final400':
        return apiErrorReply(400, 'invalid_request_error', 'the request is invalid');
      default:
        return undefined;
    }
  }

  #send(
    req: IncomingMessage,
    res: ServerResponse,
    origin: 'api' | 'storage',
    route: Route | 'unknown',
    at: number,
    withKey: boolean,
    reply: Reply,
    fault: FaultKind | undefined,
  ): void {
    if (fault) {
      this.stats.faultsInjected++;
      this.stats.faults[fault] = (this.stats.faults[fault] ?? 0) + 1;
    }
    if (this.#settings.record) {
      const { status } = reply;
      this.requests.push({ origin, route, url: req.url ?? '', at, withKey, status, ...(fault ? { fault } : {}) });
    }
    deliver(req, res, reply, {
      compression: this.#settings.compression,
      cut: fault === 'reset' || fault === 'stall' ? fault : undefined,
      stallMs: this.faults.stallMs,
      track: (timer) => this.#stalls.add(timer),
    });
  }

  async #latency(): Promise<void> {
    if (this.#settings.latencyMs > 0) await sleep(this.#settings.latencyMs);
  }
}

interface ApiTarget {
  route: Exclude<Route, 'storage'>;
  projectId?: string;
  batchId?: string;
  jobId?: string;
}

/** The endpoint a request path names. Segments are split before decoding, so an encoded '/' stays inside its id. */
function apiRoute(path: string): ApiTarget | undefined {
  let segments: string[];
  try {
    segments = path.split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.length === 3 && segments[1] === 'v1' && segments[2] === 'attachments') return { route: 'attachment' };
  if (segments.length !== 6 || segments[1] !== 'v1' || segments[2] !== 'projects') return undefined;
  const [, , , projectId, kind, id] = segments as [string, string, string, string, string, string];
  if (kind === 'batch') return { route: 'batch', projectId, batchId: id };
  if (kind === 'jobs') return { route: 'job', projectId, jobId: id };
  return undefined;
}

function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const mark = target.indexOf('?');
  return mark < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/** A bug in the simulator answers 500 (or drops the connection mid-answer) instead of crashing the process. */
function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'text/plain' });
  res.end(`simulator error: ${String((error as Error | null)?.message ?? error)}`);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function origin(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address}:${port}`;
}
