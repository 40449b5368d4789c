// A rate limit that changes mid-export: the client follows it down and finds it again when it rises. Assertions are
// on request counts and the client's rate, never on how fast the machine is.
import { describe, expect, it } from 'vitest';
import { clientOf, exportWith, refused, simulator } from './rate-limit-support.js';

describe('an export under a rate limit that changes', { timeout: 180_000 }, () => {
  it('follows a limit that drops from 20/s to 5/s mid-export and rises again', async () => {
    const sim = await simulator({ jobs: 60, frames: 2, rateLimit: 20 });
    const client = clientOf(sim);
    const served = () => sim.stats.apiRequests - sim.stats.rateLimited;
    const phases: { at: number; rate: number | null }[] = [];
    const watcher = (async () => {
      const until = async (done: () => boolean) => {
        while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await until(() => served() >= 60);
      sim.setRateLimit(5);
      const dropped = served();
      await until(() => served() >= dropped + 40);
      phases.push({ at: sim.requests.length, rate: client.stats.ratePerSecond });
      sim.setRateLimit(20);
    })();
    const summary = await exportWith(sim, client);
    await watcher;
    expect(summary.jobs.failed).toBe(0);
    expect(summary.masks).toBe(120);
    // Down: after 40 requests served under 5/s, the client holds itself near 5/s.
    expect(phases[0]!.rate).not.toBeNull();
    expect(phases[0]!.rate!).toBeLessThan(8);
    // Up again: the client found the higher limit (its rate grew past 5/s) and was refused for probing above it.
    const after = sim.requests.slice(phases[0]!.at).filter((r) => r.origin === 'api');
    expect(after.filter((r) => r.status === 200 || r.status === 302).length).toBeGreaterThan(20);
    expect(summary.api.rate_per_s!).toBeGreaterThan(8);
    expect(refused(sim).length / sim.stats.apiRequests).toBeLessThan(0.2);
  });
});
