// When to try a request again, and how long to wait first.
import type { ApiError } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number;
  /** Base of the exponential backoff. */
  minDelayMs: number;
  /** Cap of the backoff and of any Retry-After the server asks for. */
  maxDelayMs: number;
}

/** The API's `error.code` values documented as "try again after some time". */
export const TRANSIENT_API_CODES: ReadonlySet<string> = new Set(['FS_0000', 'FS_0008', 'api_error']);

const RETRYABLE_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'TOO_SLOW', 'CONNECTION', 'BAD_ENCODING']);

/**
 * Whether the API refused a request for its rate limit: a 429, or a 503 that says when to come back (Retry-After).
 * Such a request is sent again once the rate allows, without spending the retries meant for real failures. The
 * vendor's transient codes (FS_0000, FS_0008, api_error) and other 5xx are server errors, not refusals: they spend
 * retries and say nothing about the rate.
 */
export function isThrottle(error: ApiError): boolean {
  if (error.code !== 'HTTP_STATUS' && error.code !== 'API_ERROR') return false;
  if (error.status === 429) return true;
  return error.status === 503 && error.retryAfterMs !== undefined;
}

/** Whether a failed attempt may succeed if made again. */
export function isRetryable(error: ApiError): boolean {
  if (RETRYABLE_CODES.has(error.code)) return true;
  if (error.code === 'API_ERROR' && error.apiCode !== undefined && TRANSIENT_API_CODES.has(error.apiCode)) return true;
  if (error.code !== 'HTTP_STATUS' && error.code !== 'API_ERROR') return false;
  const status = error.status ?? 0;
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (0 for the first retry): exponential backoff with full jitter, so that
 * clients failing together do not retry together, or the server's Retry-After when it asks for longer; both capped
 * at `maxDelayMs`.
 */
export function retryDelay(retry: number, options: RetryOptions, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** retry);
  const backoff = Math.floor(random() * ceiling);
  return Math.min(options.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** A Retry-After header (delta-seconds or an HTTP date) in milliseconds from `now`, or undefined when unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month: anything without letters (such as "-1") is no date.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
