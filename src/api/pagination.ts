// Page tokens of the batch endpoint: opaque strings, possibly numbers above 2^53 that must never become numbers.
import { ApiError } from './errors.js';
import type { JsonObject } from './envelope.js';

// Tokens are numbers of about 19 digits; one goes into the next page's URL, so a huge one is refused.
const MAX_TOKEN_LENGTH = 4096;
const RAW_NUMERIC_TOKEN = /"next_page_token"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * The page's `next_page_token` as a string, or undefined on the last page (absent, null or empty). A server that
 * sends the token as a bare JSON number gets its digits read from the raw text, since JSON.parse has already rounded
 * anything above 2^53.
 */
export function nextPageToken(page: JsonObject, text: string, url: string): string | undefined {
  const token = page.next_page_token;
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token === 'string') {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new ApiError('BAD_RESPONSE', `data.next_page_token is over ${MAX_TOKEN_LENGTH} characters`, { url });
    }
    return token;
  }
  if (typeof token === 'number') {
    const raw = [...text.matchAll(RAW_NUMERIC_TOKEN)];
    if (raw.length === 1) return raw[0]![1];
    if (Number.isSafeInteger(token)) return String(token);
  }
  throw new ApiError('BAD_RESPONSE', 'data.next_page_token is neither a string nor a readable number', { url });
}

/**
 * The tokens followed in one walk: pages looping back end it (REPEATED_PAGE_TOKEN) instead of repeating it, and a
 * server handing out fresh tokens forever ends it after `maxPages` pages (TOO_MANY_PAGES). Tokens are kept as
 * digests, so the trail of a long walk stays small whatever the tokens' size.
 */
export class TokenTrail {
  readonly #seen = new Set<string>();
  readonly #maxPages: number;

  constructor(maxPages: number) {
    this.#maxPages = maxPages;
  }

  /** Called with the next page's token once a page is read. */
  follow(token: string, url: string): void {
    // node:crypto taken here, not when the package is imported.
    const digest = process.getBuiltinModule('node:crypto').createHash('sha256').update(token).digest('base64');
    if (this.#seen.has(digest)) {
      throw new ApiError('REPEATED_PAGE_TOKEN', 'the batch pages loop: a page token was already followed', { url });
    }
    // The first page had no token: `#seen.size + 1` pages are read.
    if (this.#seen.size + 1 >= this.#maxPages) {
      const message = `the batch has more than maxPages (${this.#maxPages}) pages`;
      throw new ApiError('TOO_MANY_PAGES', message, { url });
    }
    this.#seen.add(digest);
  }
}
