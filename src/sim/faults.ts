// Faults the simulator injects: at random with a seeded generator (a rate), or scripted for the next matching requests.
import { InvalidArgumentError } from '../errors.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { RANDOM_FAULT_KINDS, ROUTE_FAULTS, type FaultKind, type Route } from './fault-kinds.js';
import { seededRandom } from './mask-text.js';
import { FAULT_OPTIONS, faultRoutesProblem } from './option-table.js';

/** The faults drawn at random: the options of FAULT_OPTIONS (option-table.ts), and the jobs that always fail. */
export interface FaultOptions extends OptionValues<typeof FAULT_OPTIONS> {
  /**
   * Jobs (by index) whose result the API never serves: every request for it answers 400 `FS_0000` ("try again after
   * some time"), a server error that persists. Default none.
   */
  failingJobs?: readonly number[];
}

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
    const settings = resolveOptions(FAULT_OPTIONS, options);
    const problem = faultRoutesProblem(settings);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    const { rate, seed, kinds, routes, retryAfterSeconds, stallMs } = settings;
    this.rate = rate;
    this.retryAfterSeconds = retryAfterSeconds;
    this.stallMs = stallMs;
    this.#kinds = kinds ?? RANDOM_FAULT_KINDS;
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
      throw new InvalidArgumentError(`fault '${kind}' does not apply to route '${route}'`);
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
