import { InvalidArgumentError } from '../errors.js';
import type { RetryEvent } from './http.js';
import type { RetryOptions } from './retry.js';

export interface PlaymentClientOptions {
  /** Sent as x-api-key to `baseUrl`'s origin, and to no other. */
  apiKey: string;
  /** Default 'https://api.playment.io'. May carry a path prefix; no query or fragment. */
  baseUrl?: string;
  /** Sockets per origin (the API's, the storage host's). Default 32. */
  connections?: number;
  /** Default { retries: 5, minDelayMs: 200, maxDelayMs: 20000 }. */
  retry?: Partial<RetryOptions>;
  /**
   * Longest wait for the response headers, and between two chunks of a body, per attempt. Default 30000. undici
   * checks these with a resolution of about a second, so a wait under 1000 ms may last up to a second.
   */
  timeoutMs?: number;
  /**
   * Longest time one attempt may take as a whole: from sending the request to the last byte of the body, however
   * the bytes trickle in. Over it, the attempt fails with TIMEOUT and is retried like any timeout. Default 300000.
   */
  requestTimeoutMs?: number;
  /**
   * The slowest a response body may arrive, as curl's --speed-limit: fewer bytes than this per second on average
   * over `minSpeedWindowMs` fails the attempt with TOO_SLOW, retried like a timeout. 0 turns it off. Default 1024.
   */
  minBytesPerSecond?: number;
  /** The window `minBytesPerSecond` is averaged over, as curl's --speed-time. Default 15000. */
  minSpeedWindowMs?: number;
  /**
   * Most pages one walk of a batch may follow: a server handing out fresh page tokens forever ends the walk there
   * with TOO_MANY_PAGES. Default 10000.
   */
  maxPages?: number;
  /** Largest body accepted, both as received and once decoded. Default 256 MiB. */
  maxResponseBytes?: number;
  /**
   * Caps request starts to the API's origin (not the storage host), whatever rate the adaptive control would allow.
   * Default: no cap.
   */
  maxRequestsPerSecond?: number;
  /**
   * Find the rate the API accepts and run at it (default true): after the first request refused for the
   * rate limit, a token bucket paces requests to the API's origin at a rate that drops on every refusal and grows
   * back while requests are served. Refused requests are sent again without spending `retry.retries` either way, and
   * the server's Retry-After holds every request of the client.
   */
  adaptiveRate?: boolean;
  /** How long a request may go on being refused for the rate limit before it fails (THROTTLED). Default 300000. */
  maxThrottledMs?: number;
  /** Called before each retry, with the failure and the wait: for logs and progress. */
  onRetry?: (event: RetryEvent) => void;
}

export interface ResolvedClientOptions {
  apiKey: string;
  origin: string;
  /** The base URL's path without a trailing slash ('' for none). */
  pathPrefix: string;
  protocol: 'http:' | 'https:';
  connections: number;
  retry: RetryOptions;
  timeoutMs: number;
  requestTimeoutMs: number;
  minBytesPerSecond: number;
  minSpeedWindowMs: number;
  maxPages: number;
  maxResponseBytes: number;
  maxRequestsPerSecond: number | undefined;
  adaptiveRate: boolean;
  maxThrottledMs: number;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export const CLIENT_DEFAULTS = Object.freeze({
  baseUrl: 'https://api.playment.io',
  connections: 32,
  retry: Object.freeze({ retries: 5, minDelayMs: 200, maxDelayMs: 20_000 }),
  timeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  minBytesPerSecond: 1024,
  minSpeedWindowMs: 15_000,
  maxPages: 10_000,
  maxResponseBytes: 256 * 1024 * 1024,
  adaptiveRate: true,
  maxThrottledMs: 5 * 60_000,
});

/** The longest delay a Node.js timer keeps (a 32-bit count of milliseconds): a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks PlaymentClientOptions, filling in CLIENT_DEFAULTS; throws InvalidArgumentError naming the first bad one. */
export function resolveClientOptions(options: PlaymentClientOptions): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { apiKey, baseUrl = CLIENT_DEFAULTS.baseUrl, retry = {}, maxRequestsPerSecond, onRetry } = options;
  const keyProblem = apiKeyProblem(apiKey);
  if (keyProblem !== undefined) throw new InvalidArgumentError(`options.apiKey ${keyProblem}`);
  const base = parseBaseUrl(baseUrl);
  if (retry === null || typeof retry !== 'object') throw new InvalidArgumentError('options.retry must be an object');
  const resolvedRetry: RetryOptions = {
    retries: integer('retry.retries', retry.retries ?? CLIENT_DEFAULTS.retry.retries, 0),
    minDelayMs: integer('retry.minDelayMs', retry.minDelayMs ?? CLIENT_DEFAULTS.retry.minDelayMs, 0, MAX_TIMER_MS),
    maxDelayMs: integer('retry.maxDelayMs', retry.maxDelayMs ?? CLIENT_DEFAULTS.retry.maxDelayMs, 0, MAX_TIMER_MS),
  };
  if (resolvedRetry.maxDelayMs < resolvedRetry.minDelayMs) {
    throw new InvalidArgumentError('options.retry.maxDelayMs must be at least options.retry.minDelayMs');
  }
  const rate = maxRequestsPerSecond;
  if (rate !== undefined && !(typeof rate === 'number' && rate > 0 && Number.isFinite(rate))) {
    throw new InvalidArgumentError('options.maxRequestsPerSecond must be a positive number');
  }
  const adaptiveRate = options.adaptiveRate ?? CLIENT_DEFAULTS.adaptiveRate;
  if (typeof adaptiveRate !== 'boolean') throw new InvalidArgumentError('options.adaptiveRate must be a boolean');
  if (onRetry !== undefined && typeof onRetry !== 'function') {
    throw new InvalidArgumentError('options.onRetry must be a function');
  }
  return {
    apiKey,
    ...base,
    connections: integer('connections', options.connections ?? CLIENT_DEFAULTS.connections, 1),
    retry: resolvedRetry,
    timeoutMs: integer('timeoutMs', options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs, 1, MAX_TIMER_MS),
    requestTimeoutMs: integer(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      1,
      MAX_TIMER_MS,
    ),
    minBytesPerSecond: integer('minBytesPerSecond', options.minBytesPerSecond ?? CLIENT_DEFAULTS.minBytesPerSecond, 0),
    minSpeedWindowMs: integer(
      'minSpeedWindowMs',
      options.minSpeedWindowMs ?? CLIENT_DEFAULTS.minSpeedWindowMs,
      1,
      MAX_TIMER_MS,
    ),
    maxPages: integer('maxPages', options.maxPages ?? CLIENT_DEFAULTS.maxPages, 1),
    maxResponseBytes: integer('maxResponseBytes', options.maxResponseBytes ?? CLIENT_DEFAULTS.maxResponseBytes, 1),
    maxRequestsPerSecond,
    adaptiveRate,
    maxThrottledMs: integer('maxThrottledMs', options.maxThrottledMs ?? CLIENT_DEFAULTS.maxThrottledMs, 0),
    onRetry,
  };
}

/** What is wrong with an API key, as the end of a sentence naming it; undefined for a usable key. */
export function apiKeyProblem(apiKey: unknown): string | undefined {
  if (typeof apiKey !== 'string' || apiKey.length === 0) return 'must be a non-empty string';
  // A header value: visible ASCII only (undici refuses control characters, and the key must not split a header).
  if (!/^[\x21-\x7e]+$/.test(apiKey)) return 'must be printable ASCII without spaces';
  return undefined;
}

/** What is wrong with a base URL, as the end of a sentence naming it; undefined for a usable one. */
export function baseUrlProblem(baseUrl: unknown): string | undefined {
  let url: URL;
  try {
    url = new URL(String(baseUrl));
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (typeof baseUrl !== 'string' || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return 'must be an absolute http(s) URL';
  }
  if (url.search || url.hash || url.username || url.password) {
    return 'must not have credentials, a query or a fragment';
  }
  return undefined;
}

function parseBaseUrl(baseUrl: unknown): Pick<ResolvedClientOptions, 'origin' | 'pathPrefix' | 'protocol'> {
  const problem = baseUrlProblem(baseUrl);
  if (problem !== undefined) throw new InvalidArgumentError(`options.baseUrl ${problem}`);
  const url = new URL(baseUrl as string);
  return {
    origin: url.origin,
    // A path ending in the API's version (`https://host/v1`, as the vendor's docs write request URLs) names the
    // API's root: the version is not added again (never /v1/v1/...). Any other path is a prefix (a proxy).
    pathPrefix: url.pathname.replace(/\/+$/, '').replace(/\/v1$/, ''),
    protocol: url.protocol as 'http:' | 'https:',
  };
}

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(`options.${name} must be an integer ${range}`);
  }
  return value;
}
