// Faults the simulator injects: at random with a seeded generator (a rate), or scripted for the next matching requests.
import { seededRandom } from './mask-text.js';

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

export interface FaultOptions {
  /** Share of requests (0..1) given a random fault. Default 0. */
  rate?: number;
  /** Seed of the random choices. Default 1. */
  seed?: number;
  /** Kinds drawn from. Default RANDOM_FAULT_KINDS. */
  kinds?: readonly FaultKind[];
  /** Routes that get random faults. Default all. */
  routes?: readonly Route[];
  /** Retry-After of 429 and 503, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** How long a `stall` keeps the connection silent. Default 60000. */
  stallMs?: number;
  /**
   * Jobs (by index) whose result the API never serves: every request for it answers 400 `FS_0000` ("try again after
   * some time"), a server error that persists. Default none.
   */
  failingJobs?: readonly number[];
}

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

/** The FaultOptions that apply when not given (kinds: RANDOM_FAULT_KINDS, routes: all). */
export const FAULT_DEFAULTS = Object.freeze({ rate: 0, seed: 1, retryAfterSeconds: 1, stallMs: 60_000 });

/** Every fault kind, and every route, for callers that list or check them (the CLI's options). */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([...API_FAULTS, 'expired'] as const);
export const FAULT_ROUTES: readonly Route[] = Object.freeze(['batch', 'job', 'attachment', 'storage'] as const);

/** The faults that make sense on each route (a redirect has no body to cut or to garble; storage has no API codes). */
export const ROUTE_FAULTS: Readonly<Record<Route, ReadonlySet<FaultKind>>> = Object.freeze({
  batch: new Set(API_FAULTS),
  job: new Set(API_FAULTS),
  attachment: new Set<FaultKind>([...GATEWAY_FAULTS, 'reset', 'expired']),
  storage: new Set<FaultKind>(['http500', 'http503', 'reset', 'stall', 'expired']),
});

interface Scripted {
  kind: FaultKind;
  route: Route | undefined;
  remaining: number;
}

export class FaultPlan {
  readonly rate: number;
  readonly retryAfterSeconds: number;
  readonly stallMs: number;
  readonly #kinds: readonly FaultKind[];
  readonly #routes: ReadonlySet<Route>;
  readonly #random: () => number;
  readonly #scripted: Scripted[] = [];
  readonly #failingJobs: ReadonlySet<number>;

  constructor(options: FaultOptions = {}) {
    const { rate = FAULT_DEFAULTS.rate, seed = FAULT_DEFAULTS.seed } = options;
    const { kinds = RANDOM_FAULT_KINDS, routes = FAULT_ROUTES } = options;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('faults.rate must be a number from 0 to 1');
    this.rate = rate;
    this.retryAfterSeconds = options.retryAfterSeconds ?? FAULT_DEFAULTS.retryAfterSeconds;
    this.stallMs = options.stallMs ?? FAULT_DEFAULTS.stallMs;
    this.#kinds = kinds;
    this.#routes = new Set(routes);
    this.#random = seededRandom(seed);
    this.#failingJobs = new Set(options.failingJobs);
  }

  /** Whether every request for job `jobIndex`'s result fails (`failingJobs`). */
  failsForever(jobIndex: number): boolean {
    return this.#failingJobs.has(jobIndex);
  }

  /** Gives the next `count` requests on `route` (any route the fault applies to, when omitted) the fault `kind`. */
  inject(kind: FaultKind, options: { route?: Route; count?: number } = {}): void {
    const { route, count = 1 } = options;
    if (route && !ROUTE_FAULTS[route].has(kind)) {
      throw new RangeError(`fault '${kind}' does not apply to route '${route}'`);
    }
    this.#scripted.push({ kind, route, remaining: count });
  }

  /** The fault for a request on `route`, if any: scripted ones first, in order, then a random draw. */
  next(route: Route): FaultKind | undefined {
    const index = this.#scripted.findIndex((s) => (s.route ?? route) === route && ROUTE_FAULTS[route].has(s.kind));
    if (index >= 0) {
      const scripted = this.#scripted[index]!;
      if (--scripted.remaining === 0) this.#scripted.splice(index, 1);
      return scripted.kind;
    }
    if (this.rate === 0 || !this.#routes.has(route) || this.#random() >= this.rate) return undefined;
    const applicable = this.#kinds.filter((kind) => ROUTE_FAULTS[route].has(kind));
    return applicable.length === 0 ? undefined : applicable[Math.floor(this.#random() * applicable.length)];
  }
}
