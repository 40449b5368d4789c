// Inputs that used to surface as bare TypeError / RangeError: detached buffers, and the largest valid masks.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMask, InvalidArgumentError, MaskDecoderPool, readPcd } from '../src/index.js';
import { allocateMaskResult } from '../src/core/allocate.js';

const pool = new MaskDecoderPool({ threads: 1 });
afterAll(() => pool.close());

const MASK = new TextEncoder().encode('[1,2,3]');

/** Inputs whose bytes were moved away (structuredClone with transfer: what pool.decode({ transfer: true }) does). */
function detachedInputs(): Array<[string, Uint8Array | ArrayBuffer]> {
  const moved = (buffer: ArrayBuffer) => {
    structuredClone(buffer, { transfer: [buffer] });
    return buffer;
  };
  const view = MASK.slice();
  moved(view.buffer as ArrayBuffer);
  return [
    ['an ArrayBuffer', moved(MASK.slice().buffer as ArrayBuffer)],
    ['a Uint8Array on one', view],
  ];
}

function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return expect.unreachable('the call should throw');
}

describe('detached buffers', () => {
  it.each(detachedInputs())('decodeMask refuses %s with InvalidArgumentError DETACHED_BUFFER', (_, input) => {
    const error = thrown(() => decodeMask(input));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'DETACHED_BUFFER', message: expect.stringMatching(/detached/) });
  });

  it.each(detachedInputs())('readPcd refuses %s with InvalidArgumentError DETACHED_BUFFER', (_, input) => {
    const error = thrown(() => readPcd(input));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'DETACHED_BUFFER' });
  });

  it.each(detachedInputs())('pool.decode rejects %s with InvalidArgumentError DETACHED_BUFFER', async (_, input) => {
    for (const transfer of [false, true]) {
      const error = await pool.decode(input, { transfer }).catch((rejected: unknown) => rejected);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: 'DETACHED_BUFFER' });
    }
  });

  it('pool.decode rejects a detached lookup table with InvalidArgumentError DETACHED_BUFFER', async () => {
    const table = new Uint16Array(8);
    structuredClone(table.buffer, { transfer: [table.buffer] });
    const error = await pool
      .decode(MASK, { lookups: [new Uint16Array(2), table] })
      .catch((rejected: unknown) => rejected);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'DETACHED_BUFFER', message: expect.stringMatching(/options\.lookups/) });
  });

  it('a buffer decoded once with transfer: true is refused the second time, and the pool goes on', async () => {
    const bytes = MASK.slice();
    expect((await pool.decode(bytes, { transfer: true })).pointCount).toBe(3);
    await expect(pool.decode(bytes, { transfer: true })).rejects.toMatchObject({ code: 'DETACHED_BUFFER' });
    expect((await pool.decode(MASK)).pointCount).toBe(3);
  });

  it('empty, not detached, inputs keep their parse errors', () => {
    expect(thrown(() => decodeMask(new ArrayBuffer(0)))).toMatchObject({ code: 'EMPTY_INPUT' });
    expect(thrown(() => readPcd(new Uint8Array(0)))).not.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('the largest masks', () => {
  // A valid mask of 2^31 - 1 bytes, `[0,0,...,0]`, has 2^30 - 1 points: 2^31 + 2 label bytes, over int32. The
  // buffer is allocated and never touched, so this costs address space, not memory.
  it.each([2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1])('lays out the result of %i points (no 32-bit overflow)', (points) => {
    const { labels, histogram } = allocateMaskResult(points, 2, undefined);
    expect(labels.length).toBe(points);
    expect(histogram.length).toBe(2);
    expect(histogram.byteOffset).toBeGreaterThanOrEqual(points * 2);
    expect(histogram.byteOffset % 4).toBe(0);
    expect(labels.buffer).toBe(histogram.buffer);
  });

  it('keeps the layout of small results (labels padded to 4 bytes, the histogram after them)', () => {
    for (const points of [0, 1, 2, 3, 4, 5]) {
      const { labels, histogram } = allocateMaskResult(points, 3, undefined);
      expect([labels.length, histogram.byteOffset]).toEqual([points, Math.ceil(points / 2) * 4]);
      expect(labels.buffer.byteLength).toBe(Math.ceil(points / 2) * 4 + 12);
    }
  });
});
