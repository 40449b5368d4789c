// The bar of the client: under injected faults every job of a multi-page batch is listed exactly once, every
// attachment arrives intact, the storage host never sees the key, and no error shows it.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, masksOf, PlaymentClient, type RetryEvent } from '../src/index.js';
import { startSimulator, type FaultKind, type Simulator } from '../src/sim/index.js';

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});

const decoder = new TextDecoder();

/** Lists the batch and fetches every result object and mask with `workers` jobs in flight; returns what it got. */
async function exportAll(sim: Simulator, client: PlaymentClient, workers: number) {
  const listed: string[] = [];
  const masks = new Map<string, string>();
  const jobs = client.batchJobs(sim.projectId, sim.batchId)[Symbol.asyncIterator]();
  // Workers share one iterator; each pulls the next job when it is free, so pages are fetched as needed.
  let pulling = Promise.resolve();
  const nextJob = () => {
    const next = pulling.then(() => jobs.next());
    // The next pull waits for this one, settled either way: a failed page rejects its caller, not the chain.
    pulling = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  };
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let step = await nextJob(); !step.done; step = await nextJob()) {
        listed.push(step.value.id);
        const result = await client.annotationResult(sim.projectId, step.value.id);
        for (const ref of masksOf(result)) {
          const bytes = await client.attachment(ref.labelUrl);
          masks.set(`${step.value.id}|${ref.frameId}|${ref.sensorId}`, decoder.decode(bytes));
        }
      }
    }),
  );
  return { listed, masks };
}

interface Scenario {
  seed: number;
  rate: number;
  kinds?: FaultKind[];
}

describe.each<Scenario>([
  { seed: 1, rate: 0.14, kinds: undefined },
  { seed: 2, rate: 0.14, kinds: undefined },
  { seed: 3, rate: 0.1, kinds: ['http500', 'http503', 'http429', 'retryable400', 'reset', 'expired', 'stall'] },
])('under injected faults (seed $seed, rate $rate)', ({ seed, rate, kinds }) => {
  it('lists every job exactly once and fetches every mask intact, never sending the key to storage', async () => {
    const sim = await startSimulator({
      seed,
      jobs: 37,
      pageSize: 6,
      frames: 3,
      sensors: 2,
      points: 3000,
      emptyLastPage: seed === 2,
      compression: seed === 1 ? 'gzip' : undefined,
      faults: { rate, seed, stallMs: 5000, retryAfterSeconds: 1, ...(kinds ? { kinds } : {}) },
    });
    const retries: RetryEvent[] = [];
    const client = new PlaymentClient({
      apiKey: sim.apiKey,
      baseUrl: sim.baseUrl,
      connections: 4,
      timeoutMs: 200,
      retry: { retries: 10, minDelayMs: 1, maxDelayMs: 20 },
      // One request in 14 refused at random, whatever the rate, would drive the adaptive rate down to its floor (as
      // random loss does TCP's): these faults test riding out failures; rate-limit.test.ts tests the adaptation.
      adaptiveRate: false,
      onRetry: (event) => retries.push(event),
    });
    closing.push(client, sim);
    // Every kind at least once, whatever order the requests reach the random draw in: the first ones are scripted.
    const expectedKinds = kinds ?? ['http500', 'http503', 'http429', 'retryable400', 'reset', 'expired'];
    for (const kind of expectedKinds) sim.faults.inject(kind as FaultKind);

    const { listed, masks } = await exportAll(sim, client, 6);

    expect(listed).toHaveLength(sim.dataset.jobs.length);
    expect(new Set(listed)).toEqual(new Set(sim.dataset.jobs.map((job) => job.id)));
    const expected = [...sim.dataset.expectedMasks()];
    expect(masks.size).toBe(expected.length);
    for (const mask of expected) {
      const got = masks.get(`${mask.jobId}|${mask.frameId}|${mask.sensorId}`);
      expect(got === sim.dataset.maskText(mask.jobIndex, mask.frame, mask.sensor)).toBe(true);
    }
    expect(sim.stats.storageRequestsWithKey).toBe(0);

    // The faults really happened, of every kind asked for, and were ridden out.
    const injected = sim.stats.faultsInjected;
    const requests = sim.stats.apiRequests + sim.stats.storageRequests;
    // Close to the rate asked for (a random draw per request; refused expired URLs add their own retries).
    expect(injected / requests).toBeGreaterThan(rate * 0.7);
    for (const kind of expectedKinds) {
      expect(sim.stats.faults[kind as FaultKind] ?? 0).toBeGreaterThan(0);
    }
    expect(retries.length).toBeGreaterThan(0);
    for (const { error } of retries) {
      expect(error).toBeInstanceOf(ApiError);
      expect(inspect(error, { depth: 10 }) + String(error.stack) + error.url).not.toContain(sim.apiKey);
    }
  }, 60_000);
});
