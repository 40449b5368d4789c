// The rate headers some APIs send with every answer: IETF's RateLimit-Remaining / RateLimit-Reset (delta seconds)
// and the older X-RateLimit-Remaining / X-RateLimit-Reset (delta seconds, or a Unix time in seconds).

export interface RateHeaders {
  /** Requests left in the current window. */
  remaining: number;
  /** Until the window resets, in milliseconds from now. */
  resetMs: number;
}

// A reset this large is a Unix time (seconds since 1970), not a delay: ~3 years of seconds.
const EPOCH_SECONDS_FROM = 100_000_000;

/** The remaining budget and its reset, when the answer carries both (IETF names first); otherwise undefined. */
export function parseRateHeaders(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): RateHeaders | undefined {
  for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
    const remaining = number(headers[`${prefix}remaining`]);
    const reset = number(headers[`${prefix}reset`]);
    if (remaining === undefined || reset === undefined) continue;
    const resetMs = reset >= EPOCH_SECONDS_FROM ? Math.max(0, reset * 1000 - nowMs) : reset * 1000;
    return { remaining, resetMs };
  }
  return undefined;
}

function number(value: string | string[] | undefined): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}
