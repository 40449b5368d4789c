// The deadline of one attempt as a whole. undici's headersTimeout and bodyTimeout only bound the silence between
// two bytes: a body dripping one byte every few seconds never trips them. This bounds headers and whole body.

/**
 * An AbortSignal that fires `ms` after creation or when the caller's signal does, whichever comes first, and
 * whether it was the deadline. Its timer and its listener on the caller's signal go with clear().
 */
export class Deadline {
  readonly ms: number;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#callerSignal!.reason);
  #expired = false;

  constructor(ms: number, callerSignal: AbortSignal | undefined) {
    this.ms = ms;
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#controller.abort(new Error(`deadline of ${ms} ms`));
    }, ms);
    // Checked up front by the caller; a listener, not AbortSignal.any(), whose dependants pile up on a long-lived
    // signal (the export's) until collected.
    callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** For undici: aborts on the caller's signal or at the deadline. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#expired;
  }

  /** Once the attempt has settled: stops the timer and leaves the caller's signal as it was. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
