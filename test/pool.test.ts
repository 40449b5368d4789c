import { getEventListeners } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  decodeMask,
  InvalidArgumentError,
  MaskDecoderPool,
  MaskParseError,
  PoolError,
  type DecodedMask,
} from '../src/index.js';
import { realisticMaskText } from '../src/sim/mask-text.js';

const encoder = new TextEncoder();
const pools: MaskDecoderPool[] = [];
afterAll(() => Promise.all(pools.map((pool) => pool.close())));

function openPool(options?: ConstructorParameters<typeof MaskDecoderPool>[0]): MaskDecoderPool {
  const pool = new MaskDecoderPool(options);
  pools.push(pool);
  return pool;
}

/**
 * `movedInput`: the byte length of an input given with `transfer: true`, whose buffer the worker fills with the
 * result when it has room (else the result gets a buffer of exactly its size).
 */
function expectSameMask(actual: DecodedMask, expected: DecodedMask, movedInput?: number): void {
  expect(actual.pointCount).toBe(expected.pointCount);
  // Byte comparison: toEqual walks typed arrays element by element, far too slowly for 200k labels.
  expect(bytesOf(actual.labels).equals(bytesOf(expected.labels))).toBe(true);
  expect(actual.histogram.length).toBe(expected.histogram.length);
  expect(bytesOf(actual.histogram).equals(bytesOf(expected.histogram))).toBe(true);
  // Both views on one buffer, from its first byte: of exactly their size, or the moved input that had room.
  expect(actual.labels.buffer).toBe(actual.histogram.buffer);
  expect(actual.labels.byteOffset).toBe(0);
  const size = actual.histogram.byteOffset + actual.histogram.byteLength;
  const inInput = movedInput !== undefined && movedInput >= size;
  expect(actual.labels.buffer.byteLength).toBe(inInput ? movedInput : size);
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('MaskDecoderPool options', () => {
  it.each([
    [{ threads: 0 }, 'options.threads must be an integer from 1 to 64'],
    [{ threads: 1.5 }, 'options.threads must be an integer from 1 to 64'],
    [{ threads: 65 }, 'options.threads must be an integer from 1 to 64'],
    [{ maxQueue: -1 }, 'options.maxQueue must be a non-negative integer or Infinity'],
    [{ maxQueue: Number.NaN }, 'options.maxQueue must be a non-negative integer or Infinity'],
    [{ piscina: {} }, 'options.piscina must be a Piscina'],
  ])('rejects %o', (options, message) => {
    expect(() => new MaskDecoderPool(options as never)).toThrow(new InvalidArgumentError(message));
  });

  it('defaults to one thread per available core and a queue of sixteen per thread', async () => {
    const { availableParallelism } = await import('node:os');
    const pool = openPool();
    expect(pool.threads).toBe(availableParallelism());
    expect(pool.maxQueue).toBe(16 * pool.threads);
  });

  it.each([
    [{ expectedPoints: -1 }, 'options.expectedPoints must be a non-negative integer'],
    [{ transfer: 'yes' }, 'options.transfer must be a boolean'],
    [{ signal: {} }, 'options.signal must be an AbortSignal'],
    [{ lookups: new Uint16Array(4) }, 'options.lookups must be an array of Uint16Array'],
    [{ lookups: [new Uint32Array(4)] }, 'options.lookups must be an array of Uint16Array'],
    [{ lookups: [[1, 2]] }, 'options.lookups must be an array of Uint16Array'],
  ])('decode() rejects %o', async (options, message) => {
    const pool = openPool({ threads: 1 });
    const error = await rejection(pool.decode('[1]', options as never));
    expect(error).toEqual(new InvalidArgumentError(message));
  });

  it('rejects an input that is not bytes or text', async () => {
    const pool = openPool({ threads: 1 });
    const error = await rejection(pool.decode([1, 2] as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('MaskDecoderPool.decode', () => {
  it('gives exactly what decodeMask gives, for many masks of every size and input kind at once', async () => {
    const pool = openPool({ threads: 2 });
    const sizes = [0, 1, 2, 63, 64, 65, 1000, 4096, 50_000, 200_000];
    const texts = sizes.flatMap((size, i) => [realisticMaskText(size, i + 1), realisticMaskText(size, i + 100)]);
    texts.push('[]', '[0]', '[65535, 0, 65535]');
    const inputs = texts.flatMap((text) => {
      const bytes = encoder.encode(text);
      // Views at an offset, word-aligned and not (staged at their own alignment).
      const [aligned, misaligned] = [8, 11].map((offset) => {
        const padded = new Uint8Array(bytes.length + 16);
        padded.set(bytes, offset);
        return padded.subarray(offset, offset + bytes.length);
      });
      return [text, bytes, bytes.slice().buffer, aligned!, misaligned!, Buffer.from(text)];
    });
    const results = await Promise.all(inputs.map((input) => pool.decode(input)));
    results.forEach((result, i) => expectSameMask(result, decodeMask(inputs[i]!)));
  });

  it('decodes 1,000 small masks submitted at once', async () => {
    const pool = openPool();
    const texts = Array.from({ length: 1000 }, (_, i) => realisticMaskText(1 + (i % 50) * 20, i + 1));
    const results = await Promise.all(texts.map((text) => pool.decode(encoder.encode(text))));
    results.forEach((result, i) => expectSameMask(result, decodeMask(texts[i]!)));
  });

  it('reads the input before returning: the caller may reuse its buffer at once', async () => {
    const pool = openPool({ threads: 1 });
    const bytes = encoder.encode('[7, 7, 7]');
    const decoded = pool.decode(bytes);
    bytes.set(encoder.encode('[1, 1, 1]'));
    expect(Array.from((await decoded).labels)).toEqual([7, 7, 7]);
    expect(bytes.byteLength).toBe(9);
  });

  it('reuses its shared regions from mask to mask without ever mixing two: each result is its own mask', async () => {
    const pool = openPool({ threads: 2, maxQueue: 6 });
    const texts = Array.from({ length: 120 }, (_, i) => realisticMaskText(((i * 7919) % 40) * 500, i + 1));
    const controller = new AbortController();
    let next = 0;
    // Eight decodes in flight at all times: each region freed by a settled decode is taken by the next one, while
    // the others are still being read by the workers; the caller overwrites its bytes as soon as decode() returns.
    const lane = async (): Promise<void> => {
      while (next < texts.length) {
        const i = next++;
        const bytes = encoder.encode(texts[i]!);
        const decoded = pool.decode(bytes, i % 17 === 5 ? { signal: controller.signal } : {});
        bytes.fill(0x39);
        if (i === 60) controller.abort();
        try {
          expectSameMask(await decoded, decodeMask(texts[i]!));
        } catch (error) {
          if (!(error instanceof AbortError)) throw error;
          expect(i % 17).toBe(5);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
  });

  it("maps the labels through each lookup in the worker: a key past a table gives 0; the tables stay the caller's", async () => {
    const pool = openPool({ threads: 2 });
    // Tables of every length around the largest key: shorter (keys past the end), exactly it, longer, empty.
    const tables = [0, 1, 17, 59, 60, 61, 65_536].map((length) => {
      const table = new Uint16Array(length);
      for (let key = 0; key < length; key++) table[key] = (key * 7919 + 13) % 65_536;
      return table;
    });
    const texts = [realisticMaskText(50_000, 3), realisticMaskText(1, 4), '[]', '[65535, 0, 65535]'];
    for (const text of texts) {
      const plain = decodeMask(text);
      const bytes = encoder.encode(text);
      const decoded = await pool.decode(bytes, { transfer: true, lookups: tables });
      expectSameMask(decoded, plain, text.length);
      expect(decoded.mapped).toHaveLength(tables.length);
      tables.forEach((table, t) => {
        // Computed here, independently, element by element.
        const expected = Uint16Array.from(plain.labels, (key) => (key < table.length ? table[key]! : 0));
        expect(bytesOf(decoded.mapped[t]!).equals(bytesOf(expected))).toBe(true);
      });
      // Moved, not copied: the mapped ids of every table share one buffer of exactly their size.
      expect(new Set(decoded.mapped.map((ids) => ids.buffer)).size).toBe(1);
      expect(decoded.mapped[0]!.buffer.byteLength).toBe(plain.pointCount * 2 * tables.length);
    }
    expect(tables.map((table) => table.length)).toEqual([0, 1, 17, 59, 60, 61, 65_536]);
    expect((await pool.decode('[1, 2]')).mapped).toEqual([]);
  });

  it('checks expectedPoints in the worker', async () => {
    const pool = openPool({ threads: 1 });
    expect((await pool.decode('[1, 2, 3]', { expectedPoints: 3 })).pointCount).toBe(3);
    const error = await rejection(pool.decode('[1, 2, 3]', { expectedPoints: 4 }));
    expect(error).toBeInstanceOf(MaskParseError);
    expect(error.message).toBe(rejectionOf(() => decodeMask('[1, 2, 3]', { expectedPoints: 4 })).message);
  });
});

describe('MaskDecoderPool transfer: true', () => {
  it('moves a whole Uint8Array buffer to the worker: detached when decode() returns', async () => {
    const pool = openPool({ threads: 1 });
    const text = realisticMaskText(10_000, 3);
    const bytes = encoder.encode(text);
    const decoded = pool.decode(bytes, { transfer: true });
    expect(bytes.byteLength).toBe(0);
    expect(bytes.buffer.byteLength).toBe(0);
    // The result came back in the buffer that was moved: no new buffer in the worker.
    expectSameMask(await decoded, decodeMask(text), text.length);
  });

  it('moves an ArrayBuffer', async () => {
    const pool = openPool({ threads: 1 });
    const buffer = encoder.encode('[4, 5]').buffer;
    const decoded = pool.decode(buffer, { transfer: true });
    expect(buffer.byteLength).toBe(0);
    expect(Array.from((await decoded).labels)).toEqual([4, 5]);
  });

  it('copies a Uint8Array that views part of a larger buffer (a pooled Buffer) and leaves it intact', async () => {
    const pool = openPool({ threads: 1 });
    const pooled = Buffer.from('[9, 8, 7]');
    expect(pooled.byteLength).toBeLessThan(pooled.buffer.byteLength);
    const neighbourhood = Buffer.from(pooled.buffer).toString('latin1');
    const decoded = pool.decode(pooled, { transfer: true });
    expect(pooled.toString()).toBe('[9, 8, 7]');
    expect(Buffer.from(pooled.buffer).toString('latin1')).toBe(neighbourhood);
    expect(Array.from((await decoded).labels)).toEqual([9, 8, 7]);
  });

  it('does not touch the input when it rejects up front', async () => {
    const pool = openPool({ threads: 1 });
    const bytes = encoder.encode('[1]');
    await rejection(pool.decode(bytes, { transfer: true, signal: AbortSignal.abort() }));
    expect(bytes.byteLength).toBe(3);
  });
});

describe('MaskDecoderPool errors across threads', () => {
  const badMasks = ['', '1, 2]', '[1,, 2]', '[1 2]', '[65536]', '[-1]', '[1.5]', '[01]', '[1, 2', '[1] x'];

  it('rejects with the MaskParseError decodeMask throws: same class, code, offset and message', async () => {
    const pool = openPool({ threads: 2 });
    for (const text of badMasks) {
      const expected = rejectionOf(() => decodeMask(text)) as MaskParseError;
      const actual = await rejection(pool.decode(text));
      expect(actual).toBeInstanceOf(MaskParseError);
      expect(actual.name).toBe('MaskParseError');
      expect(actual).toMatchObject({ code: expected.code, offset: expected.offset, message: expected.message });
    }
  });

  it('fails only the bad tasks among good ones', async () => {
    const pool = openPool({ threads: 2 });
    const texts = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? badMasks[i % badMasks.length]! : `[${i}]`));
    const settled = await Promise.allSettled(texts.map((text) => pool.decode(text)));
    settled.forEach((outcome, i) => {
      if (i % 3 === 0) expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(MaskParseError);
      else expect(outcome.status === 'fulfilled' && Array.from(outcome.value.labels)).toEqual([i]);
    });
  });
});

describe('MaskDecoderPool abort', () => {
  const big = realisticMaskText(2_000_000, 5);

  it('rejects at once when the signal has already fired', async () => {
    const pool = openPool({ threads: 1 });
    const reason = new Error('stop');
    const error = await rejection(pool.decode('[1]', { signal: AbortSignal.abort(reason) }));
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORTED', cause: reason });
  });

  it('drops a task waiting for room in the pool, the others go on', async () => {
    const pool = openPool({ threads: 1, maxQueue: 0 });
    const controller = new AbortController();
    const running = pool.decode(big);
    const waiting = pool.decode('[1]', { signal: controller.signal });
    const after = pool.decode('[2]');
    controller.abort();
    expect(await rejection(waiting)).toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect((await running).pointCount).toBe(2_000_000);
    expect(Array.from((await after).labels)).toEqual([2]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its abort listener once the task settles', async () => {
    const pool = openPool({ threads: 1 });
    const controller = new AbortController();
    await pool.decode('[1]', { signal: controller.signal });
    await rejection(pool.decode('[1,]', { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('MaskDecoderPool backpressure and close', () => {
  it('makes decodes beyond threads + maxQueue wait, in call order, instead of rejecting', async () => {
    const pool = openPool({ threads: 1, maxQueue: 0 });
    const order: number[] = [];
    const all = Array.from({ length: 50 }, (_, i) =>
      pool.decode(`[${i}]`).then((mask) => {
        order.push(mask.labels[0]!);
      }),
    );
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('close() waits for running and waiting decodes, then refuses new ones', async () => {
    const pool = new MaskDecoderPool({ threads: 2, maxQueue: 1 });
    const texts = Array.from({ length: 20 }, (_, i) => realisticMaskText(20_000, i + 1));
    const decoding = texts.map((text) => pool.decode(text));
    const settled: string[] = [];
    decoding.forEach((promise) => void promise.then(() => settled.push('decode')));
    await pool.close().then(() => settled.push('close'));
    expect(settled).toEqual([...Array(20).fill('decode'), 'close']);
    (await Promise.all(decoding)).forEach((mask, i) => expectSameMask(mask, decodeMask(texts[i]!)));
    const error = await rejection(pool.decode('[1]'));
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).code).toBe('POOL_CLOSED');
    await pool.close();
  });
});

function rejectionOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
