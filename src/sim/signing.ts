// Short-lived signed URLs, as the storage host behind the attachment endpoint issues them (an HMAC of path and expiry).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const EXPIRES = 'X-Sim-Expires';
const SIGNATURE = 'X-Sim-Signature';

export type SignatureCheck = 'valid' | 'missing' | 'invalid' | 'expired';

export class UrlSigner {
  readonly #secret = randomBytes(32);

  /** `origin + path` with an expiry (ms since the epoch) and its signature; a negative TTL gives an expired URL. */
  sign(origin: string, path: string, ttlMs: number): string {
    const expires = String(Date.now() + ttlMs);
    const query = new URLSearchParams({ [EXPIRES]: expires, [SIGNATURE]: this.#mac(path, expires) });
    return `${origin}${path}?${query}`;
  }

  check(path: string, query: URLSearchParams): SignatureCheck {
    const expires = query.get(EXPIRES);
    const signature = query.get(SIGNATURE);
    if (expires === null || signature === null) return 'missing';
    const expected = Buffer.from(this.#mac(path, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) < Date.now() ? 'expired' : 'valid';
  }

  #mac(path: string, expires: string): string {
    return createHmac('sha256', this.#secret).update(`${path}\n${expires}`).digest('hex');
  }
}
