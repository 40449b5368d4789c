// The adaptive rate over long spans, in virtual time: clients of RateControl send through the simulator's own token
// bucket (KeyRateLimit), each request taking a round trip, for minutes that would take the suite minutes. What is
// measured is what the bar of the rate limit asks: the share of the limit spent and the share of requests refused.
// The same behaviour against a real server and real exports is in rate-limit.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateControl } from '../src/api/rate.js';
import { seededRandom } from '../src/sim/mask-text.js';
import { KeyRateLimit } from '../src/sim/rate-limit.js';

interface Run {
  /** Requests each client had answered. */
  served: number[];
  /** Requests each client had refused. */
  refused: number[];
  /** Answers per second of each span, when spans are asked for. */
  servedInSpan: number[];
}

interface Scenario {
  clients: number;
  limit: number;
  seconds: number;
  /** Requests each client keeps waiting for a start (an export has tens of jobs in flight). */
  workers?: number;
  roundTripMs?: number;
  /** Changes of the limit: at `atS` seconds, the new rate. */
  changes?: { atS: number; limit: number }[];
  /** Length of the spans `servedInSpan` counts over. */
  spanS?: number;
  /** When each client stops sending, in seconds (default: at the end). */
  stopAtS?: number[];
  /** Share of requests a gateway refuses at random (429, Retry-After 1 s), whatever the rate. */
  sporadic?: number;
}

interface Outcome extends Run {
  /** The rate each client held itself to at the end (null: none, no limit found). */
  rates: Array<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(scenario: Scenario): Promise<Outcome> {
  const {
    stopAtS = [],
    clients,
    limit,
    seconds,
    workers = 16,
    roundTripMs = 20,
    changes = [],
    spanS = seconds,
    sporadic = 0,
  } = scenario;
  const random = seededRandom(7);
  const bucket = new KeyRateLimit({ rate: limit });
  const start = performance.now();
  const end = start + seconds * 1000;
  const result: Outcome = {
    rates: [],
    served: Array(clients).fill(0),
    refused: Array(clients).fill(0),
    servedInSpan: Array(Math.ceil(seconds / spanS)).fill(0),
  };
  const loops: Promise<void>[] = [];
  const controls: RateControl[] = [];
  for (let client = 0; client < clients; client++) {
    const control = new RateControl({ ceiling: undefined, adaptive: true, maxPauseMs: 60_000, minPauseMs: 100 });
    controls.push(control);
    for (let worker = 0; worker < workers; worker++) {
      loops.push(
        (async () => {
          const stop = Math.min(end, start + (stopAtS[client] ?? seconds) * 1000);
          while (performance.now() < stop) {
            const permit = await control.acquire();
            await sleep(roundTripMs / 2);
            const refusedAtRandom = sporadic > 0 && random() < sporadic;
            const waitS = refusedAtRandom ? 1 : bucket.take('key');
            await sleep(roundTripMs / 2);
            if (waitS > 0) {
              result.refused[client]!++;
              // As the simulator answers: whole seconds, at least one.
              control.settle(permit, { kind: 'throttled', retryAfterMs: Math.max(1, Math.ceil(waitS)) * 1000 });
            } else {
              result.served[client]!++;
              const span = Math.floor((performance.now() - start) / 1000 / spanS);
              // Answers to requests started just before the end fall past the last span.
              if (span < result.servedInSpan.length) result.servedInSpan[span]! += 1 / spanS;
              control.settle(permit, { kind: 'answered', headers: {} });
            }
          }
        })(),
      );
    }
  }
  for (const change of changes) setTimeout(() => bucket.set({ rate: change.limit }), change.atS * 1000);
  await vi.advanceTimersByTimeAsync(seconds * 1000 + 60_000);
  await Promise.all(loops);
  result.rates = controls.map((control) => control.stats().ratePerSecond);
  return result;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const refusedShare = (result: Run) => sum(result.refused) / (sum(result.refused) + sum(result.served));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RateControl against a token bucket, in virtual time', () => {
  // One probe costs about one refusal whatever the limit, and the hold is bounded, so the lowest limits refuse most.
  it.each([
    [2, 0.045],
    [5, 0.03],
    [10, 0.03],
    [50, 0.03],
  ])(
    'one client under %i/s for 10 minutes: >= 95 percent of the limit, a share <= %s refused',
    async (limit, refused) => {
      const seconds = 600;
      const result = await run({ clients: 1, limit, seconds });
      expect(sum(result.served) / (limit * seconds)).toBeGreaterThanOrEqual(0.95);
      expect(refusedShare(result)).toBeLessThanOrEqual(refused);
    },
  );

  it.each([
    [2, 10],
    [3, 10],
    [2, 5],
  ])(
    '%i clients sharing %i/s for 10 minutes: >= 90 percent of it, <= 4 percent refused, none starved',
    async (clients, limit) => {
      const seconds = 600;
      const result = await run({ clients, limit, seconds });
      expect(sum(result.served) / (limit * seconds)).toBeGreaterThanOrEqual(0.9);
      expect(refusedShare(result)).toBeLessThanOrEqual(0.04);
      for (const served of result.served) expect(served).toBeGreaterThanOrEqual(sum(result.served) / clients / 2);
    },
  );

  it('takes up the share a client sharing the key leaves, within a minute', async () => {
    const result = await run({ clients: 2, limit: 10, seconds: 180, spanS: 30, stopAtS: [60] });
    // From 60 s one client is left; from 90 s on it spends the whole limit.
    for (const span of result.servedInSpan.slice(3)) expect(span).toBeGreaterThanOrEqual(9);
    expect(result.served[1]).toBeGreaterThan(result.served[0]! * 2);
  });

  it('follows a limit that rises from 10/s to 40/s and drops back, within half a minute each way', async () => {
    const result = await run({
      clients: 1,
      limit: 10,
      seconds: 240,
      spanS: 30,
      changes: [
        { atS: 60, limit: 40 },
        { atS: 150, limit: 10 },
      ],
    });
    // Spans of 30 s: [0, 60) at 10/s, [60, 90) finding 40/s, [90, 150) at it, [150, 180) back down, [180, 240).
    const spans = result.servedInSpan;
    expect(spans[1]).toBeGreaterThanOrEqual(9);
    expect(spans[3]).toBeGreaterThanOrEqual(36);
    expect(spans[4]).toBeGreaterThanOrEqual(36);
    expect(spans[6]).toBeGreaterThanOrEqual(9);
    expect(spans[7]).toBeGreaterThanOrEqual(9);
    expect(refusedShare(result)).toBeLessThanOrEqual(0.03);
  });

  it('takes 1% sporadic refusals at 800 requests/s for what they are: no limit, no slowdown', async () => {
    const seconds = 20;
    const clean = await run({ clients: 1, limit: 0, seconds });
    const faulty = await run({ clients: 1, limit: 0, seconds, sporadic: 0.01 });
    expect(sum(clean.served)).toBeGreaterThan(700 * seconds);
    expect(sum(faulty.refused)).toBeGreaterThan(100);
    // Refused requests are sent again at once here: only the refusals themselves cost.
    expect(sum(faulty.served)).toBeGreaterThanOrEqual(0.97 * sum(clean.served));
    expect(faulty.rates).toEqual([null]);
  });
});
