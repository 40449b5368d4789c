// The transport under PlaymentClient: one undici Agent (a keep-alive pool per origin, `connections` sockets each),
// GET with timeouts and retries, bodies bounded and decoded, and the one rule about the key: x-api-key is added
// here, to requests for the API's origin, and to no other.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Agent, createAgent, request } from './undici-agent.js';
import { ACCEPT_ENCODING, readBody, type BodyMemory } from './body.js';
import { errorBodyError } from './envelope.js';
import { Deadline } from './deadline.js';
import { ApiError, bodySnippet, redactedCause, redactUrl } from './errors.js';
import { RateControl, type Outcome, type Permit, type RateStats } from './rate.js';
import { redact, redactUrlText, type TextSource } from './redact.js';
import { urlHoldsKey } from './key-in-url.js';
import { isRetryable, isThrottle, parseRetryAfter, retryDelay, type RetryOptions } from './retry.js';
import type { SpeedFloorOptions } from './speed-floor.js';

export interface RetryEvent {
  /** The failure about to be retried. */
  error: ApiError;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  /**
   * A refusal for the rate limit: it spends no retry, `delayMs` (the server's Retry-After, capped at maxDelayMs)
   * holds every request of the client, and the request goes again when the adapted rate allows.
   */
  throttled: boolean;
}

export interface TransportOptions {
  apiKey: string;
  /** `https://host[:port]`: the only origin that receives the key, and the one `maxRequestsPerSecond` applies to. */
  apiOrigin: string;
  connections: number;
  timeoutMs: number;
  /** Bound of one attempt as a whole (headers and body). */
  requestTimeoutMs: number;
  maxResponseBytes: number;
  /** The slowest a body may arrive (TOO_SLOW below it). */
  minSpeed: SpeedFloorOptions;
  retry: RetryOptions;
  maxRequestsPerSecond?: number;
  adaptiveRate: boolean;
  maxThrottledMs: number;
  onRetry?: (event: RetryEvent) => void;
}

/** Where a request goes: `path` is sent as is (ids in it are already encoded, and dot segments are not resolved). */
export interface Target {
  origin: string;
  path: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The decoded body; empty for a redirect, whose body is dumped. */
  body: Uint8Array;
}

export interface GetOptions {
  signal?: AbortSignal | undefined;
  /** To the API's origin, waiting requests start lowest priority first (see RateControl). Default 0. */
  priority?: number | undefined;
  /** Statuses that count as an answer; others are retried or thrown. Default: 2xx. */
  accept?: (status: number) => boolean;
  /** A limit for this body below maxResponseBytes. */
  maxBytes?: number | undefined;
  /** Counts the accepted body's bytes against a budget shared with other requests. */
  memory?: BodyMemory | undefined;
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const isRedirect = (status: number) => status >= 300 && status < 400;
// A redirect's body is drained (to reuse the connection) up to this many bytes and for this long, then cut off.
const REDIRECT_DRAIN_BYTES = 64 * 1024;
const REDIRECT_DRAIN_MS = 1000;
// An error body is read for its `error.code` and a snippet, not for its content: more than this is dropped.
const ERROR_BODY_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);

// undici and Node error codes that mean the exchange broke in transit: a new attempt may well succeed.
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const CONNECTION_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export class HttpTransport {
  readonly #options: TransportOptions;
  readonly #agent: Agent;
  // Paces the API's origin only: the storage host's signed URLs are not the API's budget.
  readonly #rate: RateControl;
  #closing: Promise<void> | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#agent = createAgent({
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs },
    });
    this.#rate = new RateControl({
      ceiling: options.maxRequestsPerSecond,
      adaptive: options.adaptiveRate,
      maxPauseMs: options.retry.maxDelayMs,
      minPauseMs: options.retry.minDelayMs,
    });
  }

  /** Requests to the API's origin so far, the throttled ones, and the rate the client settled on. */
  rateStats(): RateStats {
    return this.#rate.stats();
  }

  /** A GET retried as RetryOptions say; resolves with an accepted status, throws ApiError otherwise. */
  get(target: Target, options: GetOptions = {}): Promise<HttpResponse> {
    return this.retrying(target, options.signal, () => this.attempt(target, options));
  }

  /**
   * Runs `attempt` until it succeeds, fails for good, or the retries are spent, waiting between attempts. A request
   * the API refused for its rate limit is sent again when the rate control allows, spending no retry, until it has
   * been refused for `maxThrottledMs`. The error thrown is the last attempt's, with `attempts` set.
   */
  async retrying<T>(target: Target, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    const { retry, onRetry } = this.#options;
    let failures = 0;
    let refusals = 0;
    let refusedSince: number | undefined;
    for (let attempts = 1; ; attempts++) {
      try {
        return await attempt();
      } catch (thrown) {
        const error = this.#asApiError(thrown, target, signal);
        error.attempts = attempts;
        if (target.origin === this.#options.apiOrigin && isThrottle(error)) {
          refusedSince ??= performance.now();
          if (performance.now() - refusedSince >= this.#options.maxThrottledMs) throw this.#throttledError(error);
          // The request waits as long as the server asked (capped), or backs off when it did not say; where the
          // refusal tells of a limit, the rate control holds every other request too, then paces them.
          const delayMs = Math.min(error.retryAfterMs ?? retryDelay(refusals++, retry), retry.maxDelayMs);
          onRetry?.({ error, attempt: attempts, delayMs, throttled: true });
          await this.#wait(delayMs, target, signal);
          continue;
        }
        refusedSince = undefined;
        refusals = 0;
        if (++failures > retry.retries || !isRetryable(error)) throw error;
        const delayMs = retryDelay(failures - 1, retry, error.retryAfterMs);
        onRetry?.({ error, attempt: attempts, delayMs, throttled: false });
        await this.#wait(delayMs, target, signal);
      }
    }
  }

  async #wait(delayMs: number, target: Target, signal: AbortSignal | undefined): Promise<void> {
    if (delayMs <= 0) return;
    try {
      await sleep(delayMs, undefined, { signal });
    } catch (cause) {
      throw this.#asApiError(cause, target, signal);
    }
  }

  /**
   * One GET, not retried: the response with its body read, or an ApiError. The whole exchange, headers and body, is
   * bounded by `requestTimeoutMs`. To the API's origin, it starts when the rate control allows.
   */
  async attempt(target: Target, options: GetOptions = {}): Promise<HttpResponse> {
    const { signal } = options;
    if (signal?.aborted) throw aborted(this.shownUrl(target), signal);
    if (target.origin !== this.#options.apiOrigin) {
      if (urlHoldsKey(target.origin + target.path, this.#options.apiKey)) {
        const message = 'the server sent a URL on another origin that holds the API key: it was not requested';
        throw new ApiError('KEY_IN_URL', message, { url: this.shownUrl(target) });
      }
      return this.#bounded(target, options);
    }
    let permit: Permit;
    try {
      // A wait for a rate slot is not the server's slowness: the deadline starts after it.
      permit = await this.#rate.acquire(signal, options.priority);
    } catch (cause) {
      throw this.#asApiError(cause, target, signal);
    }
    try {
      const response = await this.#bounded(target, options);
      this.#rate.settle(permit, { kind: 'answered', headers: response.headers });
      return response;
    } catch (error) {
      this.#rate.settle(permit, outcomeOf(error));
      throw error;
    }
  }

  async #bounded(target: Target, options: GetOptions): Promise<HttpResponse> {
    const deadline = new Deadline(this.#options.requestTimeoutMs, options.signal);
    try {
      return await this.#exchange(target, options, deadline.signal);
    } catch (error) {
      throw this.#asApiError(error, target, options.signal, deadline);
    } finally {
      deadline.clear();
    }
  }

  async #exchange(target: Target, options: GetOptions, signal: AbortSignal): Promise<HttpResponse> {
    const accept = options.accept ?? isSuccess;
    // Redacting costs: the URL is worked out only for an error.
    const shownUrl = () => this.shownUrl(target);
    const toApi = target.origin === this.#options.apiOrigin;
    const headers: Record<string, string> = { 'accept-encoding': ACCEPT_ENCODING };
    if (toApi) headers['x-api-key'] = this.#options.apiKey;
    const { origin, path } = target;
    const response = await request(this.#agent, { origin, path, method: 'GET', headers, signal });
    const { statusCode: status, headers: responseHeaders, body } = response;
    if (isRedirect(status) && accept(status)) {
      // Only the Location matters. Draining a short body keeps the connection for the next request; a long or slow
      // one is cut off (the connection with it) rather than waited for.
      const drain = new Deadline(REDIRECT_DRAIN_MS, signal);
      await body.dump({ limit: REDIRECT_DRAIN_BYTES, signal: drain.signal }).catch(() => undefined);
      drain.clear();
      return { status, headers: responseHeaders, body: EMPTY };
    }
    const accepted = accept(status);
    const length = Number(responseHeaders['content-length']);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readBody(body, {
        maxBytes: accepted ? Math.min(options.maxBytes ?? Infinity, this.#options.maxResponseBytes) : ERROR_BODY_BYTES,
        memory: accepted ? options.memory : undefined,
        contentLength: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
        encoding: header(responseHeaders['content-encoding']),
        get url() {
          return shownUrl();
        },
        status,
        redact: (text) => this.redact(text),
        minSpeed: this.#options.minSpeed,
      });
    } catch (error) {
      // An oversized or undecodable error body is only lost detail: the status still decides. Anything else means
      // the exchange itself failed.
      const code = error instanceof ApiError ? error.code : undefined;
      const lostDetail = !accepted && (code === 'RESPONSE_TOO_LARGE' || code === 'BAD_ENCODING');
      if (!lostDetail) throw error;
    }
    if (accepted) return { status, headers: responseHeaders, body: bytes ?? EMPTY };
    throw statusError(status, responseHeaders, bytes, shownUrl(), this.#options.apiKey);
  }

  /** Closes the pools once requests in flight are done; later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#agent.close();
    return this.#closing;
  }

  /** The URL of `target` as errors show it: storage URLs lose their whole query (the signature); no key. */
  shownUrl(target: Target): string {
    return this.redactedUrl(target.origin + target.path, target.origin !== this.#options.apiOrigin);
  }

  /** Any URL as errors show it (see redactUrl), with the key redacted from its path and query. */
  redactedUrl(url: string, dropQuery: boolean): string {
    return redactUrlText(redactUrl(url, dropQuery), this.#options.apiKey);
  }

  /** `text` with the key redacted (see redact.ts). */
  redact(text: string, source?: TextSource): string {
    return redact(text, this.#options.apiKey, source);
  }

  #throttledError(last: ApiError): ApiError {
    const seconds = Math.round(this.#options.maxThrottledMs / 1000);
    return new ApiError('THROTTLED', `the API refused the request for its rate limit for ${seconds} s`, {
      url: last.url,
      ...(last.status === undefined ? {} : { status: last.status }),
      attempts: last.attempts,
      cause: last,
    });
  }

  #asApiError(error: unknown, target: Target, signal: AbortSignal | undefined, deadline?: Deadline): ApiError {
    const url = this.shownUrl(target);
    if (signal?.aborted) return error instanceof ApiError && error.code === 'ABORTED' ? error : aborted(url, signal);
    if (error instanceof ApiError) return error;
    if (deadline?.expired) {
      return new ApiError('TIMEOUT', `no complete response within requestTimeoutMs (${deadline.ms} ms)`, { url });
    }
    const code = (error as { code?: unknown } | null)?.code;
    const message = this.redact(String((error as Error | null)?.message ?? error));
    const cause = redactedCause(error, this.#options.apiKey);
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
      const waited = `no response within ${this.#options.timeoutMs} ms`;
      return new ApiError('TIMEOUT', `${waited}: ${message}`, { url, cause });
    }
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
      return new ApiError('CONNECTION', `connection failed: ${message}`, { url, cause });
    }
    // A TLS certificate refused, a header undici will not send...: trying again would fail the same way.
    return new ApiError('REQUEST_FAILED', `request failed: ${message}`, { url, cause });
  }
}

/** What the rate control learns from a failed request: a throttle, or a status that still counts as an answer. */
function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof ApiError) || error.status === undefined) return { kind: 'failed' };
  if (isThrottle(error)) return { kind: 'throttled', retryAfterMs: error.retryAfterMs };
  return { kind: 'answered', headers: {} };
}

function aborted(url: string, signal: AbortSignal): ApiError {
  return new ApiError('ABORTED', 'the request was aborted', { url, cause: signal.reason });
}

/**
 * The error for a status the caller did not accept: API_ERROR when the body is the API's JSON error envelope (its
 * `error.code` is what tells a transient failure from a final one), HTTP_STATUS otherwise.
 */
function statusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Uint8Array | undefined,
  url: string,
  apiKey: string,
): ApiError {
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  if (!body || body.length === 0) return new ApiError('HTTP_STATUS', `HTTP ${status}`, { url, status, retryAfterMs });
  const fromEnvelope = errorBodyError(body, { url, status, apiKey }, retryAfterMs);
  if (fromEnvelope) return fromEnvelope;
  const snippet = bodySnippet(body, apiKey);
  return new ApiError('HTTP_STATUS', `HTTP ${status}`, { url, status, body: snippet, retryAfterMs });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
