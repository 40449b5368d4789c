// Page tokens of the batch endpoint: opaque strings, possibly numbers above 2^53 that must never become numbers.
import { ApiError } from './errors.js';
import type { JsonObject } from './envelope.js';

const RAW_NUMERIC_TOKEN = /"next_page_token"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * The page's `next_page_token` as a string, or undefined on the last page (absent, null or empty). A server that
 * sends the token as a bare JSON number gets its digits read from the raw text, since JSON.parse has already rounded
 * anything above 2^53.
 */
export function nextPageToken(page: JsonObject, text: string, url: string): string | undefined {
  const token = page.next_page_token;
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token === 'string') return token;
  if (typeof token === 'number') {
    const raw = [...text.matchAll(RAW_NUMERIC_TOKEN)];
    if (raw.length === 1) return raw[0]![1];
    if (Number.isSafeInteger(token)) return String(token);
  }
  throw new ApiError('BAD_RESPONSE', 'data.next_page_token is neither a string nor a readable number', { url });
}

/** Remembers the tokens followed in one walk, so that pages looping back end the walk instead of repeating it. */
export class TokenTrail {
  readonly #seen = new Set<string>();

  follow(token: string, url: string): void {
    if (this.#seen.has(token)) {
      const message = `the batch pages loop: page token ${token} was already followed`;
      throw new ApiError('REPEATED_PAGE_TOKEN', message, { url });
    }
    this.#seen.add(token);
  }
}
