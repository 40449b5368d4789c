// PlaymentClient's plain options, declared once: the client's types and checks (options.ts), the `export` command's
// flags for them and their help come from this table.
import { declareOptions } from '../options/option.js';

/** The longest delay a Node.js timer keeps (a 32-bit count of milliseconds): a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

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

/** The variable the command line reads the API key from: never an argument, never printed. */
export const API_KEY_VARIABLE = 'PLAYMENT_API_KEY';

/** What is wrong with an API key, as the end of a sentence naming it; undefined for a usable key. */
export function apiKeyProblem(apiKey: unknown): string | undefined {
  if (typeof apiKey !== 'string' || apiKey.length === 0) return 'must be a non-empty string';
  // A header value: visible ASCII only (undici refuses control characters, and the key must not split a header).
  if (!/^[\x21-\x7e]+$/.test(apiKey)) return 'must be printable ASCII without spaces';
  return undefined;
}

const seconds = { scale: 1000, value: 'S' } as const;

export const CLIENT_OPTIONS = declareOptions({
  /** Sent as x-api-key to `baseUrl`'s origin, and to no other. */
  apiKey: { kind: 'text', required: true, env: API_KEY_VARIABLE, check: apiKeyProblem, help: 'the API key' },
  /** Default 'https://api.playment.io'. May carry a path prefix; no query or fragment. */
  baseUrl: {
    kind: 'url',
    default: CLIENT_DEFAULTS.baseUrl,
    flag: 'base-url',
    value: 'URL',
    help:
      'the API: its origin with the scheme, or a URL ending in /v1 (the API root: https://host/v1); any other ' +
      'path is a prefix the requests go under (a proxy)',
  },
  /** Sockets per origin (the API's, the storage host's). Default 32. */
  connections: { kind: 'integer', min: 1, default: CLIENT_DEFAULTS.connections, help: 'sockets per origin' },
  /**
   * Longest wait for the response headers, and between two chunks of a body, per attempt. Default 30000. undici
   * checks these with a resolution of about a second, so a wait under 1000 ms may last up to a second.
   */
  timeoutMs: {
    kind: 'integer',
    min: 1,
    max: MAX_TIMER_MS,
    default: CLIENT_DEFAULTS.timeoutMs,
    help: 'longest wait for headers or the next chunk of a body',
  },
  /**
   * Longest time one attempt may take as a whole: from sending the request to the last byte of the body, however
   * the bytes trickle in. Over it, the attempt fails with TIMEOUT and is retried like any timeout. Default 300000.
   */
  requestTimeoutMs: {
    kind: 'integer',
    min: 1,
    max: MAX_TIMER_MS,
    default: CLIENT_DEFAULTS.requestTimeoutMs,
    flag: 'request-timeout-s',
    ...seconds,
    value: 'N',
    help:
      'longest one attempt at a request may take, from sending it to the last byte of the body, however slowly ' +
      'the bytes come; over it the attempt fails with TIMEOUT and is retried like any timeout',
  },
  /**
   * The slowest a response body may arrive, as curl's --speed-limit: fewer bytes than this per second on average
   * over `minSpeedWindowMs` fails the attempt with TOO_SLOW, retried like a timeout. 0 turns it off. Default 1024.
   */
  minBytesPerSecond: {
    kind: 'integer',
    min: 0,
    default: CLIENT_DEFAULTS.minBytesPerSecond,
    flag: 'speed-limit',
    value: 'BYTES',
    help:
      'slowest a response body may arrive, in bytes per second averaged over --speed-time; slower fails the ' +
      'attempt with TOO_SLOW, retried like a timeout (0: no floor)',
  },
  /** The window `minBytesPerSecond` is averaged over, as curl's --speed-time. Default 15000. */
  minSpeedWindowMs: {
    kind: 'integer',
    min: 1,
    max: MAX_TIMER_MS,
    default: CLIENT_DEFAULTS.minSpeedWindowMs,
    flag: 'speed-time',
    ...seconds,
    help: 'seconds over which --speed-limit is averaged',
  },
  /**
   * Most pages one walk of a batch may follow: a server handing out fresh page tokens forever ends the walk there
   * with TOO_MANY_PAGES. Default 10000.
   */
  maxPages: {
    kind: 'integer',
    min: 1,
    default: CLIENT_DEFAULTS.maxPages,
    flag: 'max-pages',
    value: 'N',
    help: 'most batch pages followed; a batch with more fails the export (TOO_MANY_PAGES)',
  },
  /** Largest body accepted, both as received and once decoded. Default 256 MiB. */
  maxResponseBytes: {
    kind: 'integer',
    min: 1,
    default: CLIENT_DEFAULTS.maxResponseBytes,
    help: 'largest body accepted, raw and decoded',
  },
  /**
   * Caps request starts to the API's origin (not the storage host), whatever rate the adaptive control would allow.
   * Default: no cap.
   */
  maxRequestsPerSecond: {
    kind: 'number',
    min: 0,
    aboveMin: true,
    shownDefault: 'no cap',
    flag: 'max-rps',
    value: 'N',
    help:
      'at most N requests per second to the API; without it the export finds the rate the API accepts and ' +
      'paces its requests near it, probing past it now and then (requests refused with 429 are sent again, never failing a job)',
  },
  /**
   * Find the rate the API accepts and run at it (default true): after the first request refused for the
   * rate limit, a token bucket paces requests to the API's origin at a rate that drops on every refusal and grows
   * back while requests are served. Refused requests are sent again without spending `retry.retries` either way, and
   * the server's Retry-After holds every request of the client.
   */
  adaptiveRate: { kind: 'flag', default: CLIENT_DEFAULTS.adaptiveRate, help: 'find the rate the API accepts' },
  /** How long a request may go on being refused for the rate limit before it fails (THROTTLED). Default 300000. */
  maxThrottledMs: {
    kind: 'integer',
    min: 0,
    default: CLIENT_DEFAULTS.maxThrottledMs,
    help: 'longest a request may go on being refused for the rate limit',
  },
});
