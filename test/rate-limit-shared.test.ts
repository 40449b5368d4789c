// Several exports sharing one API key under a rate limit: all complete, the refused share bounded. Assertions are on
// request counts, never on how fast the machine is.
import { describe, expect, it } from 'vitest';
import { clientOf, exportWith, simulator } from './rate-limit-support.js';

describe('exports sharing one key under a rate limit', { timeout: 180_000 }, () => {
  it.each([2, 3])('%i exports sharing one key all complete, refused share bounded', async (count) => {
    const sim = await simulator({ jobs: 20, frames: 2, rateLimit: 15 });
    const summaries = await Promise.all(Array.from({ length: count }, () => exportWith(sim, clientOf(sim))));
    for (const summary of summaries) expect(summary.jobs).toMatchObject({ listed: 20, exported: 20, failed: 0 });
    const throttled = summaries.reduce((sum, summary) => sum + summary.api.throttled, 0);
    const requests = summaries.reduce((sum, summary) => sum + summary.api.requests, 0);
    expect(requests).toBe(sim.stats.apiRequests);
    expect(throttled).toBe(sim.stats.rateLimited);
    expect(throttled / requests).toBeLessThan(0.2);
  });
});
