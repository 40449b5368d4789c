// The API's JSON envelope: `{ data: {...}, success: true }`, or `{ success: false, error: { code, message } }`.
import { ApiError, bodySnippet } from './errors.js';
import { redact } from './redact.js';
import { TRANSIENT_API_CODES } from './retry.js';

export type JsonObject = Record<string, unknown>;

/** Where a body came from, for errors: the redacted URL, the status, and the key to mask in snippets. */
export interface BodyOrigin {
  url: string;
  status: number;
  apiKey: string;
}

interface ErrorEnvelope {
  code: string;
  message?: string;
}

const decoder = new TextDecoder();
// The vendor's message and code, redacted, are shown up to this length.
const MESSAGE_CHARS = 200;
// The error codes the vendor documents (errors-limits-and-legacy-masks.md, and the simulator's not_found).
const DOCUMENTED_CODES: ReadonlySet<string> = new Set([
  ...TRANSIENT_API_CODES,
  'auth-failure',
  'unauthorized',
  'invalid_request_error',
  'not_found',
]);

/** A body that must be a JSON object: BAD_JSON when it is not JSON, BAD_RESPONSE when it is not an object. */
function parseObject(body: Uint8Array, origin: BodyOrigin): { value: JsonObject; text: string } {
  const text = decoder.decode(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not kept as the cause: V8 quotes the body in a SyntaxError's message, key and all.
    throw bodyError('BAD_JSON', 'the response is not valid JSON', body, origin);
  }
  if (!isObject(value)) throw bodyError('BAD_RESPONSE', 'the response is not a JSON object', body, origin);
  return { value, text };
}

/**
 * The `data` object of an API answer. An envelope that reports a failure despite a 2xx status is an API_ERROR with
 * its code; one without `data` is a BAD_RESPONSE.
 */
export function envelopeData(body: Uint8Array, origin: BodyOrigin): { data: JsonObject; text: string } {
  const { value, text } = parseObject(body, origin);
  const failure = errorEnvelope(value) ?? (value.success === false ? { code: 'unknown' } : undefined);
  if (failure) throw apiError(failure, body, origin);
  const { data } = value;
  if (!isObject(data)) throw bodyError('BAD_RESPONSE', 'the response has no data object', body, origin);
  return { data, text };
}

/** The API_ERROR of an error body, or undefined when the body is not the API's JSON error envelope. */
export function errorBodyError(body: Uint8Array, origin: BodyOrigin, retryAfterMs?: number): ApiError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    return undefined;
  }
  const failure = errorEnvelope(value);
  return failure && apiError(failure, body, origin, retryAfterMs);
}

function errorEnvelope(value: unknown): ErrorEnvelope | undefined {
  const error = isObject(value) ? value.error : undefined;
  if (!isObject(error) || typeof error.code !== 'string') return undefined;
  return typeof error.message === 'string' ? { code: error.code, message: error.message } : { code: error.code };
}

function apiError(failure: ErrorEnvelope, body: Uint8Array, origin: BodyOrigin, retryAfterMs?: number): ApiError {
  const { url, status, apiKey } = origin;
  const detail = failure.message ? `: ${redact(failure.message, apiKey).slice(0, MESSAGE_CHARS)}` : '';
  // A documented code is the vendor's word, not an echo: kept as is, whatever a short key has in common with it.
  const apiCode = DOCUMENTED_CODES.has(failure.code)
    ? failure.code
    : redact(failure.code, apiKey).slice(0, MESSAGE_CHARS);
  return new ApiError('API_ERROR', `HTTP ${status}, API error ${apiCode}${detail}`, {
    url,
    status,
    apiCode,
    body: bodySnippet(body, apiKey),
    retryAfterMs,
  });
}

function bodyError(code: 'BAD_JSON' | 'BAD_RESPONSE', message: string, body: Uint8Array, origin: BodyOrigin): ApiError {
  const { url, status, apiKey } = origin;
  return new ApiError(code, message, { url, status, body: bodySnippet(body, apiKey) });
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
