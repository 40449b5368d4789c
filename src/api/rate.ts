// The request rate to the API's origin: found, not configured. Until the server first refuses a request for its rate
// limit, requests are held only by a window of requests in flight that grows with every answer (TCP's slow start, so
// an unlimited server is never held back for long). The first throttle switches to a token bucket whose fill rate
// follows CUBIC: cut to BETA times the rate the server was serving, then growing back, slowly near that rate and
// faster once past it, so the client spends its budget up to the limit and probes for a higher one without bursting.
// Where the curve meets the rate last refused it holds (rising only slightly) before it probes: a probe past a token
// bucket's limit costs a refusal, so the hold lengthens while more than TARGET_REFUSED of the client's recent requests
// were refused and shortens while fewer were. Retry-After and RateLimit-* headers pause or pace every request.
// Requests waiting for a start go lowest priority first (ties in arrival order): an export gives a job's requests the
// job's place in the batch, so that under a limit the budget finishes the jobs it started before it starts new ones.
// A refusal is taken for a limit only when it looks like one: a limit refuses more as the rate rises, while a
// gateway's sporadic 429s and 503s stay a small share whatever the rate, and cutting on each would drive the rate to
// its floor (as random loss does TCP's; BBR and the AWS SDKs' adaptive mode likewise ignore loss below a threshold).
// Before any limit is found, a refusal counts only when it comes close after another while the client was still
// opening its window (a server's burst running out refuses every request from then on), or when refusals are dense
// among the latest requests (a limit met later, at a steady rate); any other refusal waits alone.
import { parseRateHeaders } from './rate-headers.js';

export interface RateControlOptions {
  /** Never more than this many request starts per second (maxRequestsPerSecond). */
  ceiling: number | undefined;
  /** Find the server's rate (default); false keeps only the ceiling and the servers' pauses. */
  adaptive: boolean;
  /** The longest pause a Retry-After or RateLimit-Reset imposes (retry.maxDelayMs). */
  maxPauseMs: number;
  /** Base of the backoff after a throttle without Retry-After when not adaptive (retry.minDelayMs). */
  minPauseMs: number;
}

/** What the client has sent to the API's origin, and the rate it settled on. */
export interface RateStats {
  /** Requests sent to the API's origin (throttled ones included). */
  requests: number;
  /** Requests the API refused for its rate limit (429, 503 with Retry-After, 400 with a transient code). */
  throttled: number;
  /** The rate the client holds itself to, in requests per second; null while nothing holds it (no limit met). */
  ratePerSecond: number | null;
  /** The rate the API answered at over the last few seconds. */
  answeredPerSecond: number;
}

/** A granted start: hand it back to `settle()` with what came of the request. */
export interface Permit {
  readonly sentAt: number;
  /** Sent while more requests waited to start: the client was raising its rate. */
  readonly pressed: boolean;
}

/** How a request to the API's origin ended, for the rate control. */
export type Outcome =
  | { kind: 'answered'; headers: Record<string, string | string[] | undefined> }
  | { kind: 'throttled'; retryAfterMs: number | undefined }
  | { kind: 'failed' };

// The cut: the new rate is this share of the rate the server was serving. Gentle, because the limit is a token
// bucket, not a queue that a cut must drain: a 0.7 cut (AIMD's) wastes ~15% of the budget, this one ~5%.
const BETA = 0.9;
// CUBIC's scaling constant, in requests/s per s^3: at 10/s, back at the last throttled rate 2.7 s after a cut (then
// the hold), and past it by a third 4 s later.
const CUBIC_C = 0.05;
// A cut never goes below this share of the rate it cuts: a short span of few answers (a pause just ended) must not
// drop the rate to nothing.
const DEEPEST_CUT = 0.5;
// Below the rate last refused, a throttle cuts again only where refusals are this dense since the last cut, and at
// least MIN_DENSE of them (a limit that dropped refuses most requests); sparse ones there are refusals a slower client would get too (a gateway's
// random 503s, a neighbour on the key spending its burst), and cutting on each would drive the rate to its floor, as
// random loss does TCP's.
const DENSE_REFUSALS = 0.25;
// Before a limit is found: a refusal tells of one when CLUSTER_REFUSALS of the latest CLUSTER_SPAN outcomes were
// refused while the window was opening, or DENSE_RECENT of the latest RECENT_SPAN (and at least MIN_DENSE) at any
// time. At 1% sporadic refusals, two within 8 requests come once in ~14 refusals, and only while the window opens;
// five within 20, once in ~25,000.
const CLUSTER_REFUSALS = 2;
const CLUSTER_SPAN = 8;
const RECENT_SPAN = 20;
const DENSE_RECENT = 0.25;
const MIN_DENSE = 3;
// The found rate never goes below this: a refusal after a few answers (a key shared with a busy client) is no
// measure of the limit, and the server's Retry-After still holds the client when the limit is lower.
const MIN_RATE = 1;
// The rate grows while the client waits for a token: the wait is computed again at least this often.
const MAX_TOKEN_WAIT_MS = 200;
const MAX_RATE = 1e6;
// The hold, set at each cut: doubled (from HOLD_MIN_MS, up to HOLD_MAX_MS) while more than TARGET_REFUSED of the
// requests of about the last REFUSED_SPAN_MS were refused, halved (to none) while fewer were. HOLD_MAX_MS is the
// longest a limit that rose goes unnoticed; longer holds would also leave the share of a client of the same key that
// stopped unused for longer.
const TARGET_REFUSED = 0.02;
const REFUSED_SPAN_MS = 60_000;
const HOLD_MIN_MS = 2000;
const HOLD_MAX_MS = 15_000;
// While held the rate still rises by this share of it per second: clients of one key that cut at once (each held
// below its share) take the room back, while a lone client held at its limit spends the server's burst slowly.
const HOLD_GROWTH = 0.01;
// Tokens the bucket holds: one to start at once after a quiet spell, one more to make up for a late timer.
const BUCKET_CAPACITY = 2;
// The window starts small and grows by half per round trip while small, then doubles per round trip: what a limit
// refuses at the start is what is in flight when the server's burst runs out, and common bursts (one second's worth of
// a 5-10/s limit) run out while the window is still small (4, 6, 9: 6-9 in flight then); an unlimited server opens it
// to the export's 64 jobs in 5 round trips. Starting at 2 took 2 round trips more (~3% of a 100-job export) for 2-4
// fewer refusals per export under a 10/s limit (bench/export-limited.bench.mjs).
const INITIAL_WINDOW = 4;
const SMALL_WINDOW = 8;
const SMALL_WINDOW_GROWTH = 0.5;
const WINDOW_GROWTH = 1;
// The rate the server serves is measured since the last cut: a whole cycle, pauses included, so that the burst the
// server's bucket saved up during a pause does not count twice (it is empty at both ends of the cycle). Over at most
// MAX_SPAN_MS, and at least MIN_SPAN_MS (at the first throttle, what was answered so far may be the server's burst).
const MIN_SPAN_MS = 1000;
const MAX_SPAN_MS = 30_000;
// The answered rate shown in stats: over the last few seconds.
const SHOWN_SPAN_MS = 5000;

interface Waiter {
  readonly priority: number;
  grant(permit: Permit): void;
}

export class RateControl {
  readonly #options: RateControlOptions;
  readonly #queue: Waiter[] = [];
  #requests = 0;
  #throttled = 0;
  #inFlight = 0;
  #window = INITIAL_WINDOW;
  #wMax = 0;
  #epoch = 0;
  #k = 0;
  #hold = 0;
  // Requests and refusals, each weighted by exp(-age / REFUSED_SPAN_MS).
  #recentRequests = 0;
  #recentThrottled = 0;
  #recentAt = 0;
  #lastCut = Number.NEGATIVE_INFINITY;
  // The first throttle: from then on the token bucket paces requests.
  #pacedSince = Number.POSITIVE_INFINITY;
  #answeredSinceCut = 0;
  #throttledSinceCut = 0;
  #firstRequest: number | undefined;
  #tokens = 1;
  #refilled = 0;
  #pausedUntil = 0;
  #hint: { rate: number; until: number } | undefined;
  #throttleStreak = 0;
  readonly #answers: number[] = [];
  // The latest RECENT_SPAN outcomes, oldest first: true for a refusal.
  readonly #outcomes: boolean[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #timerAt = 0;

  constructor(options: RateControlOptions) {
    this.#options = options;
  }

  /**
   * Resolves when a request may start, after every waiting request of a lower `priority` (and of the same one asked
   * for earlier); rejects with the signal's reason if it fires first.
   */
  acquire(signal?: AbortSignal, priority = 0): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        // Nothing left to wake for: a pending timer must not keep the process alive.
        if (this.#queue.length === 0) this.#stopTimer();
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        priority,
        grant: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Most requests arrive in priority order: the place is found from the end.
      let at = this.#queue.length;
      while (at > 0 && this.#queue[at - 1]!.priority > priority) at--;
      this.#queue.splice(at, 0, waiter);
      this.#pump();
    });
  }

  /** Takes back a permit with how its request ended: the window, the rate and the pauses follow from it. */
  settle(permit: Permit, outcome: Outcome): void {
    this.#inFlight--;
    const now = performance.now();
    if (outcome.kind !== 'failed') {
      this.#outcomes.push(outcome.kind === 'throttled');
      if (this.#outcomes.length > RECENT_SPAN) this.#outcomes.shift();
    }
    if (outcome.kind === 'answered') {
      this.#answers.push(now);
      this.#answeredSinceCut++;
      this.#throttleStreak = 0;
      if (!this.#paced) this.#window += this.#window < SMALL_WINDOW ? SMALL_WINDOW_GROWTH : WINDOW_GROWTH;
      this.#followHeaders(outcome.headers, now);
    } else if (outcome.kind === 'throttled') {
      this.#throttled++;
      this.#throttleStreak++;
      // The slow start's overshoot is no cost of probing: the hold weighs only requests sent at a found rate.
      if (permit.sentAt >= this.#pacedSince) {
        this.#decayRecent(now);
        this.#recentThrottled++;
      }
      this.#onThrottle(permit, outcome.retryAfterMs, now);
    }
    // While the window grows, answers of one round trip arrive together: the starts they free wait for the end of
    // this turn of the event loop, so that a refusal among them is seen before more requests go out.
    if (this.#paced) this.#pump();
    else this.#pumpSoon();
  }

  get #paced(): boolean {
    return Number.isFinite(this.#pacedSince);
  }

  stats(): RateStats {
    const now = performance.now();
    const rate = this.#rateAt(now);
    return {
      requests: this.#requests,
      throttled: this.#throttled,
      ratePerSecond: Number.isFinite(rate) ? rate : null,
      answeredPerSecond: this.#answeredPerSecond(now - SHOWN_SPAN_MS, now, SHOWN_SPAN_MS),
    };
  }

  #onThrottle(permit: Permit, retryAfterMs: number | undefined, now: number): void {
    const { adaptive, maxPauseMs, minPauseMs } = this.#options;
    this.#throttledSinceCut++;
    const limit = adaptive && this.#tellsOfLimit(permit, now);
    // One cut per round: a request sent before the last cut was refused at the old rate and says nothing new.
    if (limit && permit.sentAt >= this.#lastCut) this.#cut(now);
    // A refusal that does not tell of a limit holds only its own request (see HttpTransport).
    if (adaptive && !limit) return;
    if (retryAfterMs !== undefined) this.#pause(now + Math.min(retryAfterMs, maxPauseMs));
    else if (!adaptive) this.#pause(now + Math.min(maxPauseMs, minPauseMs * 2 ** (this.#throttleStreak - 1)));
  }

  #tellsOfLimit(permit: Permit, now: number): boolean {
    if (!this.#paced) {
      const refusals = (span: number) => this.#outcomes.slice(-span).filter(Boolean).length;
      const recent = refusals(RECENT_SPAN);
      const dense = recent >= MIN_DENSE && recent >= DENSE_RECENT * this.#outcomes.length;
      return dense || (permit.pressed && refusals(CLUSTER_SPAN) >= CLUSTER_REFUSALS);
    }
    if (this.#cubicRate(now) >= this.#wMax) return true;
    const refused = this.#throttledSinceCut;
    return refused >= MIN_DENSE && refused >= DENSE_REFUSALS * (refused + this.#answeredSinceCut);
  }

  #cut(now: number): void {
    const current = this.#paced ? this.#cubicRate(now) : Number.POSITIVE_INFINITY;
    const first = !Number.isFinite(this.#lastCut);
    const since = first ? (this.#firstRequest ?? now) : this.#lastCut;
    const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, now - since));
    const served = this.#answeredPerSecond(now - span, now, span);
    const floor = this.#paced ? DEEPEST_CUT * current : 0;
    const basis = Math.max(MIN_RATE, Math.min(current, Math.max(served, floor)));
    this.#decayRecent(now);
    if (this.#recentThrottled > TARGET_REFUSED * this.#recentRequests)
      this.#hold = Math.min(HOLD_MAX_MS, Math.max(HOLD_MIN_MS, 2 * this.#hold));
    else this.#hold = this.#hold > HOLD_MIN_MS ? this.#hold / 2 : 0;
    // CUBIC's fast convergence: a limit lower than the last one leaves room to other clients of the same key.
    this.#wMax = this.#paced && basis < this.#wMax ? (basis * (1 + BETA)) / 2 : basis;
    const start = Math.max(MIN_RATE, BETA * basis);
    this.#k = Math.cbrt(Math.max(0, this.#wMax - start) / CUBIC_C);
    this.#epoch = now;
    this.#lastCut = now;
    this.#answeredSinceCut = 0;
    this.#throttledSinceCut = 0;
    if (!this.#paced) {
      this.#pacedSince = now;
      this.#tokens = 0;
      this.#refilled = now;
    }
  }

  // RateLimit-Remaining/Reset (and X-RateLimit-*): nothing left pauses every request until the reset; what is left
  // is spread over the time until it.
  #followHeaders(headers: Record<string, string | string[] | undefined>, now: number): void {
    const limit = parseRateHeaders(headers, Date.now());
    if (!limit) return;
    const resetMs = Math.min(limit.resetMs, this.#options.maxPauseMs);
    if (limit.remaining === 0) this.#pause(now + resetMs);
    else this.#hint = { rate: (limit.remaining * 1000) / Math.max(resetMs, 1), until: now + resetMs };
  }

  #decayRecent(now: number): void {
    const kept = Math.exp((this.#recentAt - now) / REFUSED_SPAN_MS);
    this.#recentRequests *= kept;
    this.#recentThrottled *= kept;
    this.#recentAt = now;
  }

  #pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  // CUBIC's curve with the hold inserted where it meets the last throttled rate: a slow rise there, then the curve.
  #cubicRate(now: number): number {
    const sinceK = (now - this.#epoch) / 1000 - this.#k;
    const held = Math.min(Math.max(0, sinceK), this.#hold / 1000);
    const t = sinceK - held;
    const rate = this.#wMax * (1 + HOLD_GROWTH * held) + CUBIC_C * t * t * t;
    return Math.min(MAX_RATE, Math.max(MIN_RATE, rate));
  }

  // The rate requests may start at now: the smallest of the found rate, the ceiling and a header's hint.
  #rateAt(now: number): number {
    let rate = this.#paced ? this.#cubicRate(now) : Number.POSITIVE_INFINITY;
    if (this.#options.ceiling !== undefined) rate = Math.min(rate, this.#options.ceiling);
    if (this.#hint && now < this.#hint.until) rate = Math.min(rate, Math.max(MIN_RATE, this.#hint.rate));
    return rate;
  }

  // The answers since `since` (and within MAX_SPAN_MS), per second of `spanMs`.
  #answeredPerSecond(since: number, now: number, spanMs: number): number {
    const answers = this.#answers;
    let drop = 0;
    while (drop < answers.length && answers[drop]! < now - MAX_SPAN_MS) drop++;
    if (drop > 0) answers.splice(0, drop);
    let count = 0;
    for (let i = answers.length - 1; i >= 0 && answers[i]! >= since; i--) count++;
    return (count * 1000) / spanMs;
  }

  // Grants starts while the pause, the window and the bucket allow, then sleeps until the next one may go.
  #pump(): void {
    while (this.#queue.length > 0) {
      const now = performance.now();
      if (now < this.#pausedUntil) return this.#wakeAt(this.#pausedUntil);
      if (!this.#paced && this.#inFlight >= this.#window) return;
      const rate = this.#rateAt(now);
      if (Number.isFinite(rate)) {
        this.#tokens = Math.min(BUCKET_CAPACITY, this.#tokens + ((now - this.#refilled) * rate) / 1000);
        this.#refilled = now;
        if (this.#tokens < 1)
          return this.#wakeAt(now + Math.min(MAX_TOKEN_WAIT_MS, ((1 - this.#tokens) * 1000) / rate));
        this.#tokens -= 1;
      } else {
        this.#tokens = 1;
        this.#refilled = now;
      }
      this.#inFlight++;
      this.#requests++;
      if (this.#paced) {
        this.#decayRecent(now);
        this.#recentRequests++;
      }
      this.#firstRequest ??= now;
      const waiter = this.#queue.shift()!;
      waiter.grant({
        sentAt: now,
        pressed: this.#queue.length > 0 || (!this.#paced && this.#inFlight >= this.#window),
      });
    }
  }

  #pumpSoon(): void {
    this.#immediate ??= setImmediate(() => {
      this.#immediate = undefined;
      this.#pump();
    });
  }

  #wakeAt(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#stopTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(1, Math.ceil(at - performance.now())),
    );
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
