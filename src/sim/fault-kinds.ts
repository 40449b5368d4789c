// The faults the simulator can inject, and the routes each one applies to: the vocabulary its fault options
// (option-table.ts) and its fault plan (faults.ts) share.

/**
 * - `http500`: 500 with an HTML page (a gateway). `http503`: 503, empty body, Retry-After as an HTTP date.
 * - `http429`: 429 with a JSON body and Retry-After in seconds.
 * - `retryable400`: 400 with the API's `FS_0000` ("try again later") error body.
 * - `final400`: 400 with `invalid_request_error`.
 * - `reset`: headers and half the body, then the connection is destroyed. `stall`: the same, then silence for
 *   `stallMs` before the connection is destroyed.
 * - `expired`: the attachment endpoint redirects to an already expired signed URL; the storage host answers 403 as if
 *   the signature had expired.
 * - `badJson`: 200 with a body cut inside the JSON (with a matching Content-Length).
 */
export type FaultKind =
  | 'http500'
  | 'http503'
  | 'http429'
  | 'retryable400'
  | 'final400'
  | 'reset'
  | 'stall'
  | 'expired'
  | 'badJson';

/** What a request asks for: a batch page, a job result, an attachment redirect, or a file on the storage host. */
export type Route = 'batch' | 'job' | 'attachment' | 'storage';

/** The faults drawn by default: the transient ones a client must ride out. */
export const RANDOM_FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  'http500',
  'http503',
  'http429',
  'retryable400',
  'reset',
  'expired',
] as const);

const GATEWAY_FAULTS: FaultKind[] = ['http500', 'http503', 'http429', 'retryable400', 'final400'];
const API_FAULTS: FaultKind[] = [...GATEWAY_FAULTS, 'reset', 'stall', 'badJson'];

/** Every fault kind, and every route, for callers that list or check them (the options). */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([...API_FAULTS, 'expired'] as const);
export const FAULT_ROUTES: readonly Route[] = Object.freeze(['batch', 'job', 'attachment', 'storage'] as const);

/** The faults that make sense on each route (a redirect has no body to cut or to garble; storage has no API codes). */
export const ROUTE_FAULTS: Readonly<Record<Route, ReadonlySet<FaultKind>>> = Object.freeze({
  batch: new Set(API_FAULTS),
  job: new Set(API_FAULTS),
  attachment: new Set<FaultKind>([...GATEWAY_FAULTS, 'reset', 'expired']),
  storage: new Set<FaultKind>(['http500', 'http503', 'reset', 'stall', 'expired']),
});
