import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeMask, MaskParseError, PcdParseError } from '../src/index.js';
import { FORMS, lidarCloud } from './fixtures/pcd-samples.js';
import { writePcd, type PcdWriterField } from '../src/sim/pcd-writer.js';
import { generateMaskLabels } from '../src/sim/mask-text.js';

const maskText = (labels: ArrayLike<number>) => `[${Array.from(labels).join(',')}]`;

/** The legacy layout: x y z and the label key as a float, one row per point. */
function legacyMask(
  labels: ArrayLike<number>,
  form: (typeof FORMS)[number] = 'ascii',
  labelType: Partial<PcdWriterField> = {},
): Uint8Array {
  const points = labels.length;
  const fields: PcdWriterField[] = [
    ...lidarCloud(points).slice(0, 3),
    { name: 'label_key', type: 'F', size: 4, values: Array.from(labels), ...labelType },
  ];
  return writePcd(fields, points, form);
}

function plain(mask: { labels: Uint16Array; histogram: Uint32Array; pointCount: number }) {
  return { labels: Array.from(mask.labels), histogram: Array.from(mask.histogram), pointCount: mask.pointCount };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error');
}

describe('decodeMask on legacy PCD masks', () => {
  const labels = generateMaskLabels({ points: 3000, seed: 5, classes: [0, 1, 4, 16, 58, 65535] });

  for (const form of FORMS) {
    it.each(['binary', 'binary_compressed'] as const)('reads a %s mask with PCL page padding after it', (form) => {
      const labels = generateMaskLabels({ points: 300, seed: 5 });
      const file = legacyMask(labels, form);
      const padded = new Uint8Array(Math.ceil(file.length / 4096) * 4096 + 4096);
      padded.set(file);
      expect(plain(decodeMask(padded))).toEqual(plain(decodeMask(maskText(labels))));
      padded[padded.length - 1] = 0x41;
      const error = caught(() => decodeMask(padded)) as MaskParseError;
      expect(error).toBeInstanceOf(MaskParseError);
      expect(error.code).toBe('INVALID_LEGACY_MASK');
      expect((error.cause as PcdParseError).code).toBe('TRAILING_DATA');
    });

    it(`${form}: gives the same DecodedMask as the text form`, () => {
      expect(plain(decodeMask(legacyMask(labels, form)))).toEqual(plain(decodeMask(maskText(labels))));
    });
  }

  it('accepts a string, an ArrayBuffer, a BOM and leading blank lines, and float64 or integer label columns', () => {
    const expected = plain(decodeMask(maskText(labels)));
    const file = legacyMask(labels);
    const text = new TextDecoder().decode(file);
    expect(plain(decodeMask(text))).toEqual(expected);
    expect(plain(decodeMask(file.slice().buffer))).toEqual(expected);
    expect(plain(decodeMask(`\uFEFF\n  ${text}`))).toEqual(expected);
    expect(plain(decodeMask(legacyMask(labels, 'binary', { size: 8 })))).toEqual(expected);
    expect(plain(decodeMask(legacyMask(labels, 'binary_compressed', { type: 'U', size: 2 })))).toEqual(expected);
  });

  it('is detected from a header that starts with VERSION or FIELDS as well as a comment', () => {
    const text = new TextDecoder().decode(legacyMask([3, 1, 3]));
    const withoutComment = text.slice(text.indexOf('VERSION'));
    expect(plain(decodeMask(withoutComment)).labels).toEqual([3, 1, 3]);
    expect(plain(decodeMask(withoutComment.slice(withoutComment.indexOf('FIELDS')))).labels).toEqual([3, 1, 3]);
  });

  it('honours expectedPoints and out like the text form', () => {
    const file = legacyMask([2, 0, 2]);
    const mismatch = caught(() => decodeMask(file, { expectedPoints: 4 }));
    expect(mismatch).toBeInstanceOf(MaskParseError);
    expect((mismatch as MaskParseError).code).toBe('POINT_COUNT_MISMATCH');
    const out = new Uint16Array(5);
    const mask = decodeMask(file, { out, expectedPoints: 3 });
    expect(mask.labels.buffer).toBe(out.buffer);
    expect(Array.from(out)).toEqual([2, 0, 2, 0, 0]);
    expect(Array.from(mask.histogram)).toEqual([1, 0, 2]);
    expect(() => decodeMask(file, { out: new Uint16Array(2) })).toThrow(/options.out/);
  });

  it('rejects label keys that are not integers 0..65535 with the offset of the value', () => {
    const cases: [number, string][] = [
      [1.5, 'NOT_AN_INTEGER'],
      [Number.NaN, 'NOT_AN_INTEGER'],
      [-1, 'SIGNED_VALUE'],
      [65536, 'VALUE_OUT_OF_RANGE'],
    ];
    for (const [bad, code] of cases) {
      const file = legacyMask([4, 4, bad, 4]);
      const error = caught(() => decodeMask(file)) as MaskParseError;
      expect(error).toBeInstanceOf(MaskParseError);
      expect(error.code).toBe(code);
      expect(error.message).toContain('point 2');
      // The offset is that of the third row's fourth value: the bad label as written.
      const text = new TextDecoder().decode(file);
      const row = text.slice(error.offset).split('\n')[0]!;
      expect(row).toBe(Number.isNaN(bad) ? 'nan' : String(bad));

      const binary = legacyMask([4, 4, bad, 4], 'binary');
      const binaryError = caught(() => decodeMask(binary)) as MaskParseError;
      expect(binaryError.code).toBe(code);
      const dataOffset = binary.length - 4 * 16;
      expect(binaryError.offset).toBe(dataOffset + 2 * 16 + 12);
    }
  });

  it('throws MaskParseError INVALID_LEGACY_MASK for a PCD without label_key or a malformed one', () => {
    const noLabels = writePcd(lidarCloud(2), 2, 'ascii');
    const missing = caught(() => decodeMask(noLabels)) as MaskParseError;
    expect(missing).toBeInstanceOf(MaskParseError);
    expect(missing.code).toBe('INVALID_LEGACY_MASK');
    expect(missing.message).toContain('label_key');
    const file = legacyMask([1, 2, 3], 'binary');
    const truncated = caught(() => decodeMask(file.subarray(0, -1))) as MaskParseError;
    expect(truncated).toBeInstanceOf(MaskParseError);
    expect(truncated.code).toBe('INVALID_LEGACY_MASK');
    expect(truncated.cause).toBeInstanceOf(PcdParseError);
    expect((truncated.cause as PcdParseError).code).toBe('TRUNCATED_DATA');
    expect(truncated.offset).toBe((truncated.cause as PcdParseError).offset);
  });

  it('still parses JSON masks, including ones with leading whitespace', () => {
    expect(plain(decodeMask(' \n[1, 2]')).labels).toEqual([1, 2]);
  });
});

describe('fuzzed legacy masks', () => {
  const file = legacyMask([4, 0, 16, 16, 58, 1, 1, 1]);
  const edit = fc.record({
    at: fc.nat(),
    byte: fc.constantFrom(0x20, 0x0a, 0x2d, 0x2e, 0x30, 0x35, 0x39, 0x65, 0x6e, 0x41),
  });
  test.prop([fc.array(edit, { minLength: 1, maxLength: 4 })], { numRuns: 300 })(
    'decode or throw a typed parse error',
    (edits) => {
      const bytes = file.slice();
      for (const { at, byte } of edits) bytes[at % bytes.length] = byte;
      try {
        const mask = decodeMask(bytes);
        expect(mask.histogram.reduce((sum, count) => sum + count, 0)).toBe(mask.pointCount);
      } catch (error) {
        if (!(error instanceof MaskParseError)) throw error;
      }
    },
  );
});
