// The export's memory for bodies in flight: one byte budget shared by every result object, mask and point cloud being
// fetched, decoded or written, so memory follows the bytes in flight, not the number of requests.
import { AbortError } from '../errors.js';
import type { BodyMemory } from '../api/index.js';

interface Waiter {
  reservation: Reservation;
  bytes: number;
  grant: () => void;
}

/**
 * A byte budget. Each unit of work (a job's result object, a mask with its point cloud) opens a Reservation, grows
 * it as its bytes arrive and closes it when they are written. A reservation waits while the budget is spent, except
 * the oldest open one, which is always granted: every unit only ever waits for its own growth, so the oldest always
 * progresses and no set of half-read bodies can wait on each other for ever. Memory is thus bounded by the budget
 * plus one unit's bytes (each body is also bounded by its size limit).
 */
export class ByteBudget {
  readonly capacity: number;
  #used = 0;
  #peak = 0;
  // Insertion order is age: the first is the oldest.
  readonly #open = new Set<Reservation>();
  readonly #waiters: Waiter[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.#used;
  }

  /** The most bytes reserved at once so far. */
  get peak(): number {
    return this.#peak;
  }

  /** A new reservation, holding nothing yet; its waits end with AbortError when `signal` fires. */
  open(signal?: AbortSignal): Reservation {
    const reservation = new Reservation(this, signal);
    this.#open.add(reservation);
    return reservation;
  }

  /** @internal Queues `waiter`; its grant() is called (maybe at once) when its bytes are taken. */
  request(waiter: Waiter): void {
    this.#waiters.push(waiter);
    this.#pump();
  }

  /** @internal */
  cancel(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index !== -1) this.#waiters.splice(index, 1);
    this.#pump();
  }

  /** @internal */
  give(bytes: number): void {
    this.#used -= bytes;
    this.#pump();
  }

  /** @internal */
  closed(reservation: Reservation): void {
    this.#open.delete(reservation);
    this.#pump();
  }

  #take(bytes: number): void {
    this.#used += bytes;
    if (this.#used > this.#peak) this.#peak = this.#used;
  }

  #fits(waiter: Waiter): boolean {
    const [oldest] = this.#open;
    return this.#used + waiter.bytes <= this.capacity || waiter.reservation === oldest;
  }

  // First come, first served; the oldest reservation's waiter goes ahead of everyone.
  #pump(): void {
    const [oldest] = this.#open;
    const first = this.#waiters.findIndex((waiter) => waiter.reservation === oldest);
    if (first > 0) this.#waiters.unshift(...this.#waiters.splice(first, 1));
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!)) {
      const waiter = this.#waiters.shift()!;
      this.#take(waiter.bytes);
      waiter.grant();
    }
  }
}

/** One unit of work's share of a ByteBudget (a BodyMemory for the client's bodies). */
export class Reservation implements BodyMemory {
  readonly #budget: ByteBudget;
  readonly #signal: AbortSignal | undefined;
  #held = 0;
  #closed = false;

  constructor(budget: ByteBudget, signal: AbortSignal | undefined) {
    this.#budget = budget;
    this.#signal = signal;
  }

  /** Bytes this reservation holds. */
  get held(): number {
    return this.#held;
  }

  /** Resolves once `bytes` more are held; rejects with AbortError (holding nothing more) if the signal fires first. */
  reserve(bytes: number): Promise<void> {
    const signal = this.#signal;
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    if (this.#closed || bytes <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#budget.cancel(waiter);
        reject(new AbortError(signal?.reason));
      };
      const waiter: Waiter = {
        reservation: this,
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#held += bytes;
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#budget.request(waiter);
    });
  }

  /** Gives back `bytes` of what it holds. */
  release(bytes: number): void {
    const given = Math.min(bytes, this.#held);
    if (given <= 0) return;
    this.#held -= given;
    this.#budget.give(given);
  }

  /** Gives back everything; the reservation holds nothing more after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const held = this.#held;
    this.#held = 0;
    if (held > 0) this.#budget.give(held);
    this.#budget.closed(this);
  }
}
