// The API's rate limit as the simulator enforces it: a token bucket per API key, refilled at `rate` per second up to
// `burst` tokens; a request that finds it empty is refused (429 + Retry-After) and takes no token.
import { resolveOptions } from '../options/check.js';
import { SIM_SERVER_OPTIONS } from './option-table.js';

/** The simulator's options that set it: `rate` is rateLimit, `burst` rateBurst. */
const LIMIT_OPTIONS = { rateLimit: SIM_SERVER_OPTIONS.rateLimit, rateBurst: SIM_SERVER_OPTIONS.rateBurst };

export interface RateLimitOptions {
  /** Requests per second per key; 0 for no limit. */
  rate: number;
  /** Tokens a full bucket holds: requests a key may send at once after a quiet spell. Default `max(1, rate)`. */
  burst?: number | undefined;
}

interface Bucket {
  tokens: number;
  refilled: number;
}

export class KeyRateLimit {
  #rate = 0;
  #burst = 1;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    this.set(options);
  }

  get rate(): number {
    return this.#rate;
  }

  /** Changes the limit from now on; buckets keep their tokens (up to the new burst). */
  set({ rate, burst }: RateLimitOptions): void {
    const { rateLimit, rateBurst } = resolveOptions(LIMIT_OPTIONS, { rateLimit: rate, rateBurst: burst });
    const size = rateBurst ?? Math.max(1, rateLimit);
    const now = performance.now();
    for (const bucket of this.#buckets.values()) this.#refill(bucket, now);
    this.#rate = rateLimit;
    this.#burst = size;
    for (const bucket of this.#buckets.values()) bucket.tokens = Math.min(bucket.tokens, size);
  }

  /** Takes a token for `key`: 0 when the request may go, otherwise the seconds until a token is there. */
  take(key: string): number {
    if (this.#rate === 0) return 0;
    const now = performance.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.#burst, refilled: now };
      this.#buckets.set(key, bucket);
    }
    this.#refill(bucket, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.#rate;
  }

  #refill(bucket: Bucket, now: number): void {
    if (this.#rate > 0)
      bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.refilled) * this.#rate) / 1000);
    bucket.refilled = now;
  }
}
