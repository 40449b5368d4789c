import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces request starts at least `1000 / perSecond` ms apart, in the order callers asked. A slot is booked before
 * waiting, so concurrent callers never start together; an aborted wait still spends its slot, which only errs on
 * the slow side.
 */
export class RateLimiter {
  readonly #intervalMs: number;
  #nextSlot = 0;

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may start its request; rejects with the signal's reason if it fires first. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#intervalMs;
    if (slot > now) await sleep(slot - now, undefined, { signal });
  }
}
