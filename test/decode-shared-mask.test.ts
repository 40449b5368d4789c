// decodeSharedMask: a mask in a SharedArrayBuffer (the pool's copy of a caller's bytes, at an offset below 8 that
// keeps their alignment) copied into the core at an address of the same alignment, then decoded whole. It must give
// decodeMask's outcome bit for bit: at every offset, every length (whole words and the bytes after the last one),
// bytes that are no text at all (bits that would not survive a copy as Float64 words), damaged masks (same code,
// offset, message) and legacy PCD masks.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ownCopy } from '../src/decode/mask.js';
import { decodeSharedMask } from '../src/decode/shared-mask.js';
import { decodeMask, MaskParseError, type DecodedMask } from '../src/index.js';
import { realisticMaskText } from '../src/sim/mask-text.js';
import { writePcd, type PcdWriterField } from '../src/sim/pcd-writer.js';
import { lidarCloud } from './fixtures/pcd-samples.js';

const encoder = new TextEncoder();

/** `bytes` at `offset` in a shared region larger than them, as the pool stages them, other bytes around them. */
function shared(bytes: Uint8Array, offset = 0): SharedArrayBuffer {
  const region = new SharedArrayBuffer(offset + bytes.length + 4096);
  const view = new Uint8Array(region);
  view.fill(0x39);
  view.set(bytes, offset);
  return region;
}

type Outcome = DecodedMask | { code: string; offset: number; message: string };

function outcome(decode: () => DecodedMask): Outcome {
  try {
    // Out of the core's memory before the next decode reuses it.
    return ownCopy(decode(), undefined);
  } catch (error) {
    if (!(error instanceof MaskParseError)) throw error;
    return { code: error.code, offset: error.offset, message: error.message };
  }
}

function expectLikeDecodeMask(bytes: Uint8Array, expectedPoints?: number, offset = 0): void {
  const expected = outcome(() => decodeMask(bytes, { expectedPoints }));
  const actual = outcome(() => decodeSharedMask(shared(bytes, offset), offset, bytes.length, expectedPoints));
  if (!('labels' in expected) || !('labels' in actual)) {
    expect(actual).toEqual(expected);
    return;
  }
  // Byte comparison: toEqual walks typed arrays element by element, far too slowly for large masks.
  expect(bytesOf(actual.labels).equals(bytesOf(expected.labels))).toBe(true);
  expect(bytesOf(actual.histogram).equals(bytesOf(expected.histogram))).toBe(true);
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

describe('decodeSharedMask', () => {
  it('gives what decodeMask gives for masks of every length around a whole number of words', () => {
    for (const points of [0, 1, 2, 3, 7, 8, 9, 100, 4096, 70_000]) {
      const text = realisticMaskText(points, points + 1);
      for (const extra of ['', ' ', '  ', '\n   ', '       ', '        ']) {
        expectLikeDecodeMask(encoder.encode(text + extra));
        expectLikeDecodeMask(encoder.encode(text + extra), points + 1);
      }
    }
  });

  it('gives what decodeMask gives at every offset in the region, however far the core must shift the input', () => {
    for (const points of [0, 5, 100, 70_000]) {
      const bytes = encoder.encode(realisticMaskText(points, points + 3));
      for (let offset = 0; offset < 8; offset++) {
        expectLikeDecodeMask(bytes, undefined, offset);
        expectLikeDecodeMask(bytes.subarray(0, bytes.length - 2), undefined, offset);
      }
    }
  });

  it('gives the same error code, offset and message for damaged masks, also past the last whole word', () => {
    for (const text of ['[1,, 2]', '[1, 2', '[', '', '[70000]', '[1, 2]x', '[1, 2, 3, 4, 5, 6, 7,]', '\u00ff[1]']) {
      expectLikeDecodeMask(encoder.encode(text));
    }
  });

  test.prop([fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 7 })], { numRuns: 300 })(
    'copies any bytes bit for bit, at any offset',
    (bytes, offset) => {
      expectLikeDecodeMask(bytes, undefined, offset);
      // The same bytes behind a valid start, so that the decoder reads far into them.
      expectLikeDecodeMask(Buffer.concat([encoder.encode('[1, 2, 3, '), bytes]), undefined, offset);
    },
  );

  it('keeps bytes whose 8-byte words are NaNs of every kind', () => {
    // After 16 bytes of mask, a word of `1,2,3,` and two bytes that make it a NaN (quiet, signalling, either sign):
    // the error is at its seventh byte, unless the copy changed the word (a canonical NaN zeroes the text).
    for (const [high, top] of [
      [0xf8, 0x7f],
      [0xf0, 0x7f],
      [0xff, 0xff],
      [0xf4, 0xff],
    ]) {
      const bytes = Buffer.concat([encoder.encode('[1, 2, 3, 4, 5, 1,2,3,'), Uint8Array.of(high!, top!)]);
      expectLikeDecodeMask(bytes);
      expect(outcome(() => decodeSharedMask(shared(bytes), 0, bytes.length, undefined))).toMatchObject({ offset: 22 });
    }
  });

  it('decodes a legacy PCD mask as decodeMask does', () => {
    const labels = [3, 1, 3, 0, 7];
    const label: PcdWriterField = { name: 'label_key', type: 'F', size: 4, values: labels };
    const file = writePcd([...lidarCloud(labels.length).slice(0, 3), label], labels.length, 'binary');
    expectLikeDecodeMask(file);
    expect(Array.from(decodeSharedMask(shared(file, 3), 3, file.length, undefined).labels)).toEqual(labels);
  });
});
