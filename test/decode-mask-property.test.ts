// Property tests on inputs nobody wrote: random valid masks decode exactly like JSON.parse, and random damage either
// still decodes exactly like JSON.parse or throws MaskParseError with the code and offset of the reference grammar.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decodeMask, MaskParseError } from '../src/index.js';
import { jsonParseLabels, referenceDecode, sameMask, startsLikePcd } from './decode-mask-reference.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const label = fc.oneof(
  fc.integer({ min: 0, max: 9 }),
  fc.integer({ min: 10, max: 99 }),
  fc.integer({ min: 100, max: 999 }),
  fc.integer({ min: 1000, max: 9999 }),
  fc.integer({ min: 10000, max: 65535 }),
);
/** Runs of equal labels, as in real masks, some of them long enough to fill SIMD blocks. */
const labels = fc
  .array(fc.tuple(label, fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 40 }))), { maxLength: 120 })
  .map((runs) => Uint16Array.from(runs.flatMap(([value, length]) => Array<number>(length).fill(value))));
const whitespace = fc.constantFrom('', '', ' ', ' ', '\n', '\r\n', '\t', '  ', ' \n ');

/** A valid mask text of the given labels with random JSON whitespace and an optional BOM. */
const maskText = labels.chain((values) =>
  fc
    .record({
      bom: fc.boolean(),
      before: whitespace,
      after: whitespace,
      gaps: fc.array(fc.tuple(whitespace, whitespace), { minLength: values.length + 1, maxLength: values.length + 1 }),
    })
    .map(({ bom, before, after, gaps }) => {
      const body = Array.from(values, (value, i) => `${i === 0 ? gaps[0]![1] : ''}${value}${gaps[i + 1]![0]}`).join(
        ',',
      );
      const inner = values.length === 0 ? gaps[0]![0] : `${body}`;
      return { text: `${bom ? '\uFEFF' : ''}${before}[${inner}]${after}`, values };
    }),
);

const interestingByte = fc.oneof(
  fc.constantFrom(...[...'0123456789, \n\t\r[]-+.eE'].map((char) => char.charCodeAt(0))),
  fc.integer({ min: 0, max: 255 }),
);
const edit = fc.record({
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat(),
  byte: interestingByte,
});

function applyEdits(bytes: Uint8Array, edits: { kind: string; at: number; byte: number }[]): Uint8Array {
  const out = Array.from(bytes);
  for (const { kind, at, byte } of edits) {
    const position = at % (out.length + 1);
    if (kind === 'insert') out.splice(position, 0, byte);
    else if (position < out.length) {
      if (kind === 'replace') out[position] = byte;
      else out.splice(position, 1);
    }
  }
  return Uint8Array.from(out);
}

describe('decodeMask properties', () => {
  test.prop([maskText], { numRuns: 3000 })('random valid masks decode exactly like JSON.parse', ({ text, values }) => {
    const viaJson = jsonParseLabels(text);
    expect(viaJson).toEqual(values);
    expect(sameMask(decodeMask(encoder.encode(text)), values)).toBe(true);
    expect(sameMask(decodeMask(text), values)).toBe(true);
  });

  test.prop([maskText, fc.array(edit, { minLength: 1, maxLength: 4 })], { numRuns: 10000 })(
    'damaged masks decode like JSON.parse or throw MaskParseError with the reference code and offset',
    ({ text }, edits) => {
      const bytes = applyEdits(encoder.encode(text), edits);
      fc.pre(!startsLikePcd(bytes)); // decodeMask hands PCD-like input to the legacy mask reader
      const expected = referenceDecode(bytes);
      let mask;
      try {
        mask = decodeMask(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(MaskParseError);
        const { code, offset } = error as MaskParseError;
        expect({ code, offset }).toEqual(expected);
        // Whatever JSON.parse accepts as labels and we reject is a sign, a fraction or an exponent.
        if (jsonParseLabels(decoder.decode(bytes)) !== undefined) {
          expect(['SIGNED_VALUE', 'NOT_AN_INTEGER']).toContain(code);
        }
        return;
      }
      expect('labels' in expected).toBe(true);
      const viaJson = jsonParseLabels(decoder.decode(bytes));
      expect(viaJson).toBeDefined();
      expect(sameMask(mask, viaJson!)).toBe(true);
    },
  );
});
