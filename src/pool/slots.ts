import { AbortError } from '../errors.js';

/** A counting semaphore with a FIFO of abortable waiters: how MaskDecoderPool turns a full queue into waiting. */
export class Slots {
  #free: number;
  readonly #waiters = new Set<() => void>();

  constructor(size: number) {
    this.#free = size;
  }

  /** Takes a slot if one is free and nobody waits for one: true when it did. */
  tryAcquire(): boolean {
    if (this.#free === 0 || this.#waiters.size > 0) return false;
    this.#free--;
    return true;
  }

  /** Resolves once a slot is held; rejects with AbortError (and holds nothing) if `signal` fires first. */
  acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(grant);
        reject(new AbortError(signal?.reason));
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.add(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    const [next] = this.#waiters;
    if (next === undefined) {
      this.#free++;
      return;
    }
    this.#waiters.delete(next);
    next();
  }
}
