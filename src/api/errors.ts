import type { ErrorCodeOf } from '../errors/catalogue.js';
import { PlaymentMasksError } from '../errors.js';
import { redact, redactCutText } from './redact.js';

/**
 * Stable codes of ApiError (each in src/errors/catalogue.ts):
 * - `HTTP_STATUS`: a non-2xx answer without the API's JSON error envelope (a gateway page, a storage XML error...).
 * - `API_ERROR`: the API's JSON error envelope (`{ success: false, error: { code } }`), whatever the status;
 *   `apiCode` holds the vendor's `error.code`.
 * - `TIMEOUT`: no headers, or no body bytes, within `timeoutMs`; or the whole exchange not done within
 *   `requestTimeoutMs`.
 * - `TOO_SLOW`: the body arrived slower than `minBytesPerSecond` over `minSpeedWindowMs`; retried like a timeout.
 * - `KEY_IN_URL`: the server sent a URL on another origin than the API's that holds the API key (in its host, path
 *   or query, as is or percent-encoded): it is not requested, and not retried.
 * - `CONNECTION`: the connection failed, was reset, or the body was cut off mid-way.
 * - `REQUEST_FAILED`: the request could not be made for a reason a retry would not change (a TLS certificate refused,
 *   say); `cause` tells which.
 * - `RESPONSE_TOO_LARGE`: the body is over `maxResponseBytes` (or the call's `maxBytes`), as announced or once decoded.
 * - `BAD_ENCODING`: a Content-Encoding that is unknown or a compressed body that does not decode.
 * - `BAD_JSON`: an API answer that is not JSON. `BAD_RESPONSE`: JSON without the fields the docs promise.
 * - `BAD_REDIRECT`: the attachment endpoint did not redirect to a usable URL (none, malformed, or insecure).
 * - `REPEATED_PAGE_TOKEN`: the batch's pages loop back to a token already followed.
 * - `TOO_MANY_PAGES`: the batch has more than `maxPages` pages (a server handing out fresh tokens forever).
 * - `NO_RESULT`: the job has no result URL (not completed).
 * - `THROTTLED`: the API kept refusing the request for its rate limit for longer than `maxThrottledMs`; `cause` is
 *   the last refusal.
 * - `ABORTED`: the caller's AbortSignal fired.
 */
export type ApiErrorCode = ErrorCodeOf<'ApiError'>;

export interface ApiErrorDetails {
  /** The URL of the failed request, without its signature query (see redactUrl). */
  url: string;
  status?: number;
  /** The vendor's `error.code` from a JSON error body. */
  apiCode?: string;
  /** The start of the response body, for humans. */
  body?: string | undefined;
  /** Requests made for this call before giving up (1 when nothing was retried). */
  attempts?: number;
  /** How long the server asked to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** A call to the Playment API or its storage host failed. Never carries the API key or a URL signature. */
export class ApiError extends PlaymentMasksError {
  declare readonly code: ApiErrorCode;
  readonly url: string;
  // Declared, not defined: absent details stay absent instead of showing up as `undefined` properties.
  declare readonly status?: number;
  declare readonly apiCode?: string;
  declare readonly body?: string;
  declare readonly retryAfterMs?: number;
  /** Requests made for this call before giving up. */
  attempts: number;

  constructor(code: ApiErrorCode, message: string, details: ApiErrorDetails) {
    super(code, `${message} (${details.url})`, details.cause === undefined ? undefined : { cause: details.cause });
    this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
    if (details.apiCode !== undefined) this.apiCode = details.apiCode;
    if (details.body !== undefined) this.body = details.body;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts ?? 1;
  }
}

// Query parameters that authorise a request (AWS, GCS, Azure and generic names): their values are never shown.
const SECRET_PARAM = /sig|signature|credential|token|key|secret|auth|policy|expires/i;
const PAGE_TOKEN = 'page_token';

/**
 * The URL as errors show it: without credentials, and either without its query (`dropQuery`: storage URLs, whose
 * signature parameters have no fixed names) or with the values of authorising parameters replaced by `REDACTED`.
 * URLs nested in a parameter, such as the attachment endpoint's `url=`, lose their query. The batch endpoint's
 * page token is kept: it identifies a page, not a caller.
 */
export function redactUrl(url: string | URL, dropQuery = false): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  parsed.username = '';
  parsed.password = '';
  if (dropQuery) {
    if (parsed.search) parsed.search = '?REDACTED';
    return parsed.href;
  }
  for (const [name, value] of [...parsed.searchParams]) {
    if (name !== PAGE_TOKEN && SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'REDACTED');
    else if (/^https?:\/\//i.test(value)) parsed.searchParams.set(name, redactUrl(value, true));
  }
  return parsed.href;
}

const SNIPPET_CHARS = 200;

/**
 * The first characters of a body on one line, redacted (see redact.ts), for humans. A key that the window cuts off
 * leaves nothing of itself either.
 */
export function bodySnippet(bytes: Uint8Array, secret: string): string {
  const window = bytes.subarray(0, SNIPPET_CHARS * 4);
  // The key has no whitespace: collapsing it first changes no spelling of the key.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(window).replace(/\s+/g, ' ').trim();
  const redacted = window.length < bytes.length ? redactCutText(text, secret) : redact(text, secret);
  return redacted.slice(0, SNIPPET_CHARS);
}

/**
 * A copy of `error` fit to be an ApiError's cause: its name, and its message, code and own cause redacted. The stack
 * is left out: it repeats the message.
 */
export function redactedCause(error: unknown, secret: string, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redact(error, secret) : error;
  const copy = new Error(redact(error.message, secret));
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') Object.assign(copy, { code: redact(code, secret) });
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) copy.cause = redactedCause(error.cause, secret, depth + 1);
  return copy;
}

const MAX_CAUSE_DEPTH = 4;
