import { InvalidArgumentError } from '../errors.js';
import { fetchAttachment, type AttachmentEndpoint } from './attachments.js';
import type { BodyMemory } from './body.js';
import { envelopeData, type JsonObject } from './envelope.js';
import { ApiError } from './errors.js';
import { parseResultObject } from '../result/parse.js';
import { HttpTransport, type Target } from './http.js';
import { resolveClientOptions, type PlaymentClientOptions, type ResolvedClientOptions } from './options.js';
import { nextPageToken, TokenTrail } from './pagination.js';
import type { RateStats } from './rate.js';
import type { TextSource } from './redact.js';
import type { BatchJob, BatchPage, JobResult, ResultObject } from './types.js';

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Under a rate limit, requests waiting to start go lowest priority first; ties in the order they were made. Default
   * 0. exportBatch() gives each job's requests the job's place in the batch, so that an export finishes the jobs it
   * started before it spends the budget on new ones.
   */
  priority?: number;
}

export interface AttachmentCallOptions extends CallOptions {
  /** A limit for this body, raw and decoded, below the client's maxResponseBytes (RESPONSE_TOO_LARGE over it). */
  maxBytes?: number;
  /** Counts the body's bytes against a budget shared with other requests, as they arrive (see BodyMemory). */
  memory?: BodyMemory;
}

/**
 * A client for the Playment API: batch pages, job results and attachments, over one keep-alive undici pool per origin,
 * with retries, timeouts and bounded bodies. Every failure is an ApiError. The API key goes to `baseUrl`'s origin
 * and to no other: the storage host behind the attachment redirect never sees it.
 */
export class PlaymentClient {
  readonly #options: ResolvedClientOptions;
  readonly #transport: HttpTransport;
  readonly #attachments: AttachmentEndpoint;

  constructor(options: PlaymentClientOptions) {
    this.#options = resolveClientOptions(options);
    const { apiKey, origin, pathPrefix, protocol, connections, timeoutMs, maxResponseBytes, retry } = this.#options;
    this.#transport = new HttpTransport({
      apiKey,
      apiOrigin: origin,
      connections,
      timeoutMs,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      maxResponseBytes,
      minSpeed: { bytesPerSecond: this.#options.minBytesPerSecond, windowMs: this.#options.minSpeedWindowMs },
      retry,
      maxRequestsPerSecond: this.#options.maxRequestsPerSecond,
      adaptiveRate: this.#options.adaptiveRate,
      maxThrottledMs: this.#options.maxThrottledMs,
      onRetry: this.#options.onRetry,
    });
    const path = `${pathPrefix}/v1/attachments`;
    this.#attachments = { transport: this.#transport, origin, path, protocol, maxRefreshes: retry.retries };
  }

  /**
   * The pages of a batch, in order, following `next_page_token` until it is absent or empty. A token already
   * followed ends the walk with REPEATED_PAGE_TOKEN, a page past `maxPages` with TOO_MANY_PAGES. Pages are fetched
   * one at a time, as the consumer asks.
   */
  async *batchPages(projectId: string, batchId: string, options: CallOptions = {}): AsyncGenerator<BatchPage, void> {
    const project = segment('projectId', projectId);
    const path = `${this.#options.pathPrefix}/v1/projects/${project}/batch/${segment('batchId', batchId)}`;
    const { signal, priority } = callOptions(options);
    const trail = new TokenTrail(this.#options.maxPages);
    let token = '';
    for (;;) {
      const target = this.#api(`${path}?${new URLSearchParams({ page_token: token })}`);
      const { data, text } = await this.#getData(target, signal, priority);
      const url = this.#transport.shownUrl(target);
      if (!Array.isArray(data.jobs) || !data.jobs.every(isJob)) {
        throw new ApiError('BAD_RESPONSE', 'the batch page has no jobs array of objects with a string id', { url });
      }
      const next = nextPageToken(data, text, url);
      const page = { ...data, jobs: data.jobs } as BatchPage;
      if (next === undefined) delete page.next_page_token;
      else page.next_page_token = next;
      yield page;
      if (next === undefined) return;
      trail.follow(next, url);
      token = next;
    }
  }

  /** The jobs of a batch, page after page. */
  async *batchJobs(projectId: string, batchId: string, options: CallOptions = {}): AsyncGenerator<BatchJob, void> {
    for await (const page of this.batchPages(projectId, batchId, options)) yield* page.jobs;
  }

  /** The `data` of a job's result: its status and the private `result` URL of its result object. */
  async jobResult(projectId: string, jobId: string, options: CallOptions = {}): Promise<JobResult> {
    const { signal, priority } = callOptions(options);
    return (await this.#getData(this.#jobTarget(projectId, jobId), signal, priority)).data as JobResult;
  }

  /**
   * The bytes behind a private attachment URL (a result object, a mask, a point cloud), decoded, in a Uint8Array
   * that owns its whole ArrayBuffer (transferable). A signed URL refused by the storage host is asked for again.
   */
  async attachment(url: string, options: AttachmentCallOptions = {}): Promise<Uint8Array> {
    if (typeof url !== 'string' || url.length === 0) throw new InvalidArgumentError('url must be a non-empty string');
    const { signal, priority, maxBytes, memory } = callOptions(options) as AttachmentCallOptions;
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 1)) {
      throw new InvalidArgumentError('options.maxBytes must be an integer >= 1');
    }
    if (memory !== undefined && !(typeof memory?.reserve === 'function' && typeof memory.release === 'function')) {
      throw new InvalidArgumentError('options.memory must have reserve() and release()');
    }
    return fetchAttachment(this.#attachments, url, { signal, priority, maxBytes, memory });
  }

  /** A job's result URL, from jobResult(); ApiError `NO_RESULT` when the job has none (it is not completed). */
  async resultUrl(projectId: string, jobId: string, options: CallOptions = {}): Promise<string> {
    const job = await this.jobResult(projectId, jobId, options);
    if (typeof job.result === 'string' && job.result !== '') return job.result;
    const url = this.#transport.shownUrl(this.#jobTarget(projectId, jobId));
    throw new ApiError('NO_RESULT', `the job has no result URL (status ${this.redact(String(job.status))})`, { url });
  }

  /**
   * A job's result object: resultUrl(), then the attachment behind it, parsed (ResultObjectError `BAD_RESULT_OBJECT`
   * when it is not a JSON object, as in the export).
   */
  async annotationResult(projectId: string, jobId: string, options: CallOptions = {}): Promise<ResultObject> {
    const resultUrl = await this.resultUrl(projectId, jobId, options);
    // Its shape (one of three documented ones) is describeResult()'s to read.
    return parseResultObject(await this.attachment(resultUrl, options)) as ResultObject;
  }

  /**
   * `text` without this client's API key, in any spelling, by the rule every error of the client follows (see
   * docs/api-client.md): for text to show or save that a server may have supplied (a job status, a message). `composed` text
   * is the library's own words around pieces already redacted.
   */
  redact(text: string, source: TextSource = 'server'): string {
    return this.#transport.redact(String(text), source);
  }

  /**
   * Requests sent to the API's origin so far (the storage host's are not counted), how many the API refused for its
   * rate limit, and the rate the client settled on (null while no limit holds it).
   */
  get stats(): RateStats {
    return this.#transport.rateStats();
  }

  /** Closes the connection pools once requests in flight are done. Calls made after it fail (REQUEST_FAILED). */
  close(): Promise<void> {
    return this.#transport.close();
  }

  #api(path: string): Target {
    return { origin: this.#options.origin, path };
  }

  #jobTarget(projectId: string, jobId: string): Target {
    const { pathPrefix } = this.#options;
    return this.#api(`${pathPrefix}/v1/projects/${segment('projectId', projectId)}/jobs/${segment('jobId', jobId)}`);
  }

  // An API call with its envelope checked inside the retry loop, so a 2xx reporting a transient error is retried too.
  #getData(
    target: Target,
    signal: AbortSignal | undefined,
    priority: number | undefined,
  ): Promise<{ data: JsonObject; text: string }> {
    const transport = this.#transport;
    return transport.retrying(target, signal, async () => {
      const response = await transport.attempt(target, { signal, priority });
      const { status } = response;
      const { apiKey } = this.#options;
      // The redacted URL is worked out only for an error.
      const origin = {
        get url() {
          return transport.shownUrl(target);
        },
        status,
        apiKey,
      };
      return envelopeData(response.body, origin);
    });
  }
}

/**
 * An id as one path segment: percent-encoded, dots included, so that `../x` or `a/b` stays inside its segment and
 * never names another endpoint. `.` and `..` are refused: RFC 3986 and WHATWG URL parsers resolve them as dot
 * segments even when percent-encoded (`%2E%2E`), so no spelling keeps them in their segment. So is an id with a lone
 * surrogate, which has no UTF-8 form.
 */
// In a /u pattern a surrogate pair is one code point: only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

function segment(name: string, id: string): string {
  if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`${name} must be a non-empty string`);
  if (id === '.' || id === '..') {
    throw new InvalidArgumentError(
      `${name} '${id}' is a dot segment, which servers resolve as a path step`,
      'INVALID_ID',
    );
  }
  if (LONE_SURROGATE.test(id)) {
    throw new InvalidArgumentError(`${name} has a lone surrogate: no URL can carry it`, 'INVALID_ID');
  }
  return encodeURIComponent(id).replace(/\./g, '%2E');
}

function isJob(job: unknown): job is BatchJob {
  return job !== null && typeof job === 'object' && typeof (job as { id?: unknown }).id === 'string';
}

function callOptions(options: CallOptions): CallOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('options.signal must be an AbortSignal');
  }
  const { priority } = options;
  if (priority !== undefined && !Number.isFinite(priority)) {
    throw new InvalidArgumentError('options.priority must be a finite number');
  }
  return options;
}
