// MaskDecoderPool on a caller's own Piscina, with a test-only worker (test/fixtures/pool-test-worker.mjs) that wraps
// the real one: proves the result buffer is moved, how decodes are batched, and what a crashed worker fails.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, decodeMask, InvalidArgumentError, MaskDecoderPool, PoolError } from '../src/index.js';
import { realisticMaskText } from '../src/sim/mask-text.js';
import { CRASH, HELD, HELD_FLAGS, PROBE, SLOW, SLOW_STARTED } from './fixtures/pool-test-worker.mjs';

const testWorker = fileURLToPath(new URL('./fixtures/pool-test-worker.mjs', import.meta.url));
const piscinas: Piscina[] = [];
afterEach(async () => {
  await Promise.all(piscinas.splice(0).map((piscina) => piscina.destroy()));
});

/** Set by the test worker when it starts a SLOW or HELD decode. */
const slowStarted = new Int32Array(new SharedArrayBuffer(4));
/** [0] set here to release a HELD decode; [1] set by the test worker once it has finished one. */
const heldFlags = new Int32Array(new SharedArrayBuffer(8));

/** Lets the worker's HELD decode go on. */
function release(): void {
  Atomics.store(heldFlags, 0, 1);
  Atomics.notify(heldFlags, 0);
}

/** The texts of the copied masks the test worker decoded, batch by batch (from its PROBE answer). */
function batchesSeen({ batchSizes, decoded }: { batchSizes: number[]; decoded: string[] }): string[][] {
  let start = 0;
  return batchSizes.map((size) => decoded.slice(start, (start += size)));
}

function testPiscina(threads: number): Piscina {
  const piscina = new Piscina({
    filename: testWorker,
    minThreads: threads,
    maxThreads: threads,
    workerData: { ...MaskDecoderPool.workerData(), [SLOW_STARTED]: slowStarted, [HELD_FLAGS]: heldFlags },
  });
  piscinas.push(piscina);
  return piscina;
}

describe('MaskDecoderPool with a caller-supplied Piscina', () => {
  it('moves the result buffer out of the worker: detached there, whole here', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    const text = realisticMaskText(100_000, 7);
    const mask = await pool.decode(text);
    const bytes = (view: Uint16Array) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    expect(bytes(mask.labels).equals(bytes(decodeMask(text).labels))).toBe(true);
    const worker = await piscina.run({ probe: PROBE });
    expect(worker.bytesWhenReturned).toBe(mask.labels.buffer.byteLength);
    expect(worker.bytesNow).toBe(0);
  });

  it('hands a moved input buffer back with the result, so the worker holds no memory between tasks', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    const bytes = new TextEncoder().encode(realisticMaskText(50_000, 3));
    const mask = await pool.decode(bytes, { transfer: true });
    expect(mask.pointCount).toBe(50_000);
    expect((await piscina.run({ probe: PROBE })).inputBytesNow).toBe(0);
  });

  it('gives the worker a copied input in shared memory, never a buffer of its own', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    for (const input of [new TextEncoder().encode('[1, 2]'), '[3, 4]', new TextEncoder().encode('[5]').buffer]) {
      await pool.decode(input);
      const { inputShared } = await piscina.run({ probe: PROBE });
      expect(inputShared).toBe(true);
    }
  });

  it('fails only the task whose worker crashed, with PoolError WORKER_FAILED, and replaces the worker', async () => {
    const piscina = testPiscina(2);
    const pool = new MaskDecoderPool({ piscina });
    const texts = Array.from({ length: 30 }, (_, i) => (i === 10 ? CRASH : realisticMaskText(5_000, i + 1)));
    const settled = await Promise.allSettled(texts.map((text) => pool.decode(text)));
    settled.forEach((outcome, i) => {
      if (i === 10) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as PoolError;
        expect(error).toBeInstanceOf(PoolError);
        expect(error.code).toBe('WORKER_FAILED');
        expect(error.message).toMatch(/exited with code: 70/);
      } else {
        expect(outcome.status === 'fulfilled' && outcome.value.pointCount).toBe(5_000);
      }
    });
    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => pool.decode(`[${i}]`)));
    expect(after.map((mask) => mask.labels[0])).toEqual([0, 1, 2, 3]);
    expect(piscina.threads.length).toBe(2);
  });

  it('aborts a task handed to a worker behind a running one: rejected at once, skipped there', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina, maxQueue: 4 });
    const controller = new AbortController();
    Atomics.store(slowStarted, 0, 0);
    heldFlags.fill(0);
    const running = pool.decode(HELD);
    // Once the held one is running, the next decode goes in a batch of its own, into piscina's queue.
    while (Atomics.load(slowStarted, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = pool.decode('[3]', { signal: controller.signal });
    while (piscina.queueSize === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await queued.catch((error: unknown) => error)).toBeInstanceOf(AbortError);
    release();
    expect(Array.from((await running).labels)).toEqual([1, 2]);
    expect(Array.from((await pool.decode('[4]')).labels)).toEqual([4]);
    const seen = await piscina.run({ probe: PROBE });
    expect(seen.skipped).toEqual(['[3]']);
    expect(seen.decoded).toEqual([HELD, '[4]']);
  });

  it('rejects a running task at once when aborted; its worker finishes it, drops it and goes on', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    await pool.decode('[0]');
    const before = piscina.threads[0]!.threadId;
    const controller = new AbortController();
    Atomics.store(slowStarted, 0, 0);
    heldFlags.fill(0);
    const running = pool.decode(HELD, { signal: controller.signal });
    while (Atomics.load(slowStarted, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await running.catch((error: unknown) => error)).toBeInstanceOf(AbortError);
    // Rejected while the worker is still held in the decode: the caller did not wait for the worker.
    expect(Atomics.load(heldFlags, 1)).toBe(0);
    release();
    expect(Array.from((await pool.decode('[3, 4]')).labels)).toEqual([3, 4]);
    expect(Atomics.load(heldFlags, 1)).toBe(1);
    expect(piscina.threads.map((thread) => thread.threadId)).toEqual([before]);
  });

  it('fails the moved masks of a crashed batch with it, and decodes its copied masks again, alone', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina, maxQueue: 64 });
    const moved = (text: string) => pool.decode(new TextEncoder().encode(text), { transfer: true });
    // The slow decode goes at once; the nine that follow wait for the end of this turn and go together, in one
    // batch that the worker starts once the slow one is done.
    const busy = [pool.decode(SLOW), pool.decode('[0]')];
    const crashed = Promise.allSettled([moved('[1]'), pool.decode('[2]'), pool.decode(CRASH), moved('[4]')]);
    const later = Array.from({ length: 4 }, (_, i) => pool.decode(`[${5 + i}]`));
    const settled = await crashed;
    const codes = settled.map((outcome) =>
      outcome.status === 'rejected' ? (outcome.reason as PoolError).code : Array.from(outcome.value.labels),
    );
    expect(codes).toEqual(['WORKER_FAILED', [2], 'WORKER_FAILED', 'WORKER_FAILED']);
    expect((await Promise.all([...busy, ...later])).map((mask) => Array.from(mask.labels))).toEqual([
      [1, 2],
      [0],
      [5],
      [6],
      [7],
      [8],
    ]);
    expect(Array.from((await pool.decode('[5]')).labels)).toEqual([5]);
  });

  it("posts a decode started while a thread is free at once: the worker starts it within the caller's turn", async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    await pool.decode('[0]');
    Atomics.store(slowStarted, 0, 0);
    const running = pool.decode(SLOW);
    // This turn goes on (as while a caller copies its next masks): the worker has the decode and starts it.
    const deadline = performance.now() + 10_000;
    while (Atomics.load(slowStarted, 0) === 0 && performance.now() < deadline);
    expect(Atomics.load(slowStarted, 0)).toBe(1);
    expect(Array.from((await running).labels)).toEqual([1, 2]);
  });

  it('batches decodes that wait: exact results in order, one message for several masks', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina, maxQueue: 64 });
    const texts = Array.from({ length: 60 }, (_, i) => realisticMaskText(1_000 + i, i + 1));
    const masks = await Promise.all(texts.map((text) => pool.decode(text)));
    masks.forEach((mask, i) => {
      const expected = decodeMask(texts[i]!);
      expect(
        Buffer.from(mask.labels.buffer, 0, mask.labels.byteLength).equals(
          Buffer.from(expected.labels.buffer, expected.labels.byteOffset, expected.labels.byteLength),
        ),
      ).toBe(true);
      expect(Array.from(mask.histogram)).toEqual(Array.from(expected.histogram));
    });
    const { batchSizes, decoded } = await piscina.run({ probe: PROBE });
    expect(decoded).toEqual(texts);
    expect(batchSizes.reduce((sum: number, size: number) => sum + size, 0)).toBe(60);
    expect(Math.max(...batchSizes)).toBe(16);
  });

  it('posts a large mask to a free lane at once, alone, while small masks wait and travel together', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    await pool.decode('[0]');
    // Masks of more than 1 MiB of text; the thread is busy with SLOW, its second lane free.
    const large = [realisticMaskText(400_000, 1), realisticMaskText(400_000, 2)];
    const small = ['[1]', '[2]', '[3]'];
    const texts = [SLOW, ...large, ...small];
    const masks = await Promise.all(texts.map((text) => pool.decode(text)));
    masks.slice(1).forEach((mask, i) => {
      expect(Array.from(mask.labels)).toEqual(Array.from(decodeMask(texts[i + 1]!).labels));
    });
    const names = new Map(large.map((text, i) => [text, `large ${i + 1}`]));
    const batches = batchesSeen(await piscina.run({ probe: PROBE })).map((batch) =>
      batch.map((text) => names.get(text) ?? text),
    );
    // The first large mask took the free lane within the caller's turn, alone; the second one found it taken and
    // waited, and went with the small ones once a lane was free.
    expect(batches).toEqual([['[0]'], [SLOW], ['large 1'], ['large 2', '[1]', '[2]', '[3]']]);
  });

  it('fails only the bad mask of a batch, with its own code; aborting one waiting mask drops only it', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina, maxQueue: 64 });
    const controller = new AbortController();
    const texts = Array.from({ length: 40 }, (_, i) => (i === 20 ? '[1,, 2]' : `[${i}]`));
    const settled = Promise.allSettled(
      texts.map((text, i) => pool.decode(text, i === 30 ? { signal: controller.signal } : {})),
    );
    controller.abort();
    const outcomes = await settled;
    outcomes.forEach((outcome, i) => {
      if (i === 20) {
        expect(outcome.status === 'rejected' && outcome.reason).toMatchObject({ code: 'EXPECTED_VALUE', offset: 3 });
      } else if (i === 30) {
        expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(AbortError);
      } else {
        expect(outcome.status === 'fulfilled' && Array.from(outcome.value.labels)).toEqual([i]);
      }
    });
    const { batchSizes, decoded } = await piscina.run({ probe: PROBE });
    expect(decoded).toEqual(texts.filter((_, i) => i !== 30));
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('leaves the caller Piscina running after close()', async () => {
    const piscina = testPiscina(1);
    const pool = new MaskDecoderPool({ piscina });
    expect(pool.threads).toBe(1);
    await pool.decode('[1]');
    await pool.close();
    expect((await piscina.run({ probe: PROBE })).bytesNow).toBe(0);
  });

  it("stays within the Piscina's own queue limit: waits instead of failing", async () => {
    const piscina = new Piscina({ filename: testWorker, minThreads: 1, maxThreads: 1, maxQueue: 1 });
    piscinas.push(piscina);
    const pool = new MaskDecoderPool({ piscina, maxQueue: 8 });
    expect(pool.maxQueue).toBe(1);
    const masks = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.decode(`[${i}]`)));
    expect(masks.map((mask) => mask.labels[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('refuses threads with a Piscina, and a Piscina without a filename', () => {
    const piscina = testPiscina(1);
    expect(() => new MaskDecoderPool({ piscina, threads: 2 })).toThrow(InvalidArgumentError);
    const bare = new Piscina({ minThreads: 0 });
    piscinas.push(bare);
    expect(() => new MaskDecoderPool({ piscina: bare })).toThrow(
      'options.piscina must be created with filename: MaskDecoderPool.workerFilename',
    );
  });
});

describe('MaskDecoderPool from the CommonJS build', () => {
  it('finds its worker and decodes', () => {
    const dist = fileURLToPath(new URL('../cjs/index.cjs', import.meta.url));
    const script = `
      const { MaskDecoderPool } = require(${JSON.stringify(dist)});
      const pool = new MaskDecoderPool({ threads: 1 });
      pool.decode('[5, 6, 5]').then((mask) => {
        process.stdout.write(JSON.stringify([Array.from(mask.labels), mask.histogram[5]]));
        return pool.close();
      });`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(output)).toEqual([[5, 6, 5], 2]);
  });
});
