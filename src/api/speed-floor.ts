// The slowest a body may arrive, as curl's --speed-limit/--speed-time: fewer than `bytesPerSecond` bytes on average
// over a window of `windowMs` fails the request (TOO_SLOW). undici's bodyTimeout sees only silence, and the deadline of
// the whole attempt is long: a body dripping a byte every few seconds would hold a request until then.

export interface SpeedFloorOptions {
  /** 0 turns the floor off. */
  bytesPerSecond: number;
  windowMs: number;
}

/**
 * Counts a body's bytes over consecutive windows and calls `fail` at the end of a window that brought too few. Time
 * the reader spends waiting for memory (its own backpressure, see `excusing`) is not the server's slowness: it
 * lengthens the window.
 */
export class SpeedFloor {
  readonly #options: SpeedFloorOptions;
  readonly #fail: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #bytes = 0;
  #windowStart = 0;
  #excusedMs = 0;
  #waitingSince: number | undefined;

  constructor(options: SpeedFloorOptions, fail: () => void) {
    this.#options = options;
    this.#fail = fail;
    if (options.bytesPerSecond > 0) this.#newWindow();
  }

  add(bytes: number): void {
    this.#bytes += bytes;
  }

  /** Awaits `wait` (the reader's own wait), leaving its time out of the window. */
  async excusing<T>(wait: Promise<T>): Promise<T> {
    const since = performance.now();
    this.#waitingSince = since;
    try {
      return await wait;
    } finally {
      this.#waitingSince = undefined;
      this.#excusedMs += performance.now() - since;
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #newWindow(): void {
    this.#windowStart = performance.now();
    this.#bytes = 0;
    this.#excusedMs = 0;
    this.#arm(this.#options.windowMs);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#check(), Math.max(1, Math.ceil(ms)));
  }

  #check(): void {
    const { bytesPerSecond, windowMs } = this.#options;
    // The reader is waiting for memory: nothing can arrive; look again a window later.
    if (this.#waitingSince !== undefined) return this.#arm(windowMs);
    const due = this.#windowStart + windowMs + this.#excusedMs;
    const now = performance.now();
    if (now < due) return this.#arm(due - now);
    if (this.#bytes < (bytesPerSecond * windowMs) / 1000) this.#fail();
    else this.#newWindow();
  }
}
