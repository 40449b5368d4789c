// The deadline of one attempt as a whole. undici's headersTimeout and bodyTimeout only bound the silence between
// two bytes: a body dripping one byte every few seconds never trips them. This bounds headers and whole body.

/** An AbortSignal that fires `ms` after creation (or with the caller's), and whether it was the deadline that fired. */
export class Deadline {
  readonly ms: number;
  /** For undici: the caller's signal or the deadline, whichever fires first. */
  readonly signal: AbortSignal;
  readonly #expiry = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(ms: number, callerSignal: AbortSignal | undefined) {
    this.ms = ms;
    this.#timer = setTimeout(() => this.#expiry.abort(new Error(`deadline of ${ms} ms`)), ms);
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.#expiry.signal]) : this.#expiry.signal;
  }

  get expired(): boolean {
    return this.#expiry.signal.aborted;
  }

  /** Stops the timer once the attempt has settled. */
  clear(): void {
    clearTimeout(this.#timer);
  }
}
