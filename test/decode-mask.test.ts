import { describe, expect, it } from 'vitest';
import { decodeMask, InvalidArgumentError, MaskParseError, type DecodedMask } from '../src/index.js';
import { jsonParseLabels, referenceDecode, referenceHistogram, sameMask } from './decode-mask-reference.js';

const encoder = new TextEncoder();

// "Sample Mask File" of /work/shared/api-docs/job-result-object-and-masks.md, byte for byte.
const DOCS_SAMPLE = `[16, 58, 58, 58, 58, 1, 58, 1, 58, 1, 58, 1, 58, 1, 58, 1, 58, 1, 1, 58, 1, 1,
58, 1, 1, 58, 1, 1, 58, 1, 1, 58, 1, 1, 58, 1, 1, 1, 58, 1, 1, 1, 11, 1, 1, 1,
11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1,
11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1,
11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 1, 11, 1, 1, 11,
1, 1, 11, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 4,
4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1, 4, 1, 4, 4, 1, 4, 1, 4, 4, 1, 4, 4, 1, 4, 1, 4,
1, 4, 4, 4, 1, 4, 4, 4, 1, 4, 1, 4, 1, 4, 1, 1, 4, 1, 1, 1, 1, 4, 1, 1, 1, 1, 4,
1, 1, 1, 1, 4, 1, 4, 1, 4, 1, 4, 1, 1, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 4, 1, 4, 4,
1, 4, 1, 4, 4, 1]`;

function parseError(run: () => unknown): MaskParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MaskParseError);
    return error as MaskParseError;
  }
  throw new Error('expected a MaskParseError');
}

function expectMask(mask: DecodedMask, labels: ArrayLike<number>): void {
  expect(sameMask(mask, Uint16Array.from(labels))).toBe(true);
}

describe('decodeMask: the docs sample', () => {
  it('decodes the sample mask file exactly like JSON.parse', () => {
    const expected = jsonParseLabels(DOCS_SAMPLE)!;
    expect(expected.length).toBe(285);
    const mask = decodeMask(encoder.encode(DOCS_SAMPLE));
    expectMask(mask, expected);
    expect(mask.pointCount).toBe(285);
    expect(mask.histogram.length).toBe(59);
    expect([mask.histogram[1], mask.histogram[4], mask.histogram[11], mask.histogram[16], mask.histogram[58]]).toEqual([
      137, 109, 21, 1, 17,
    ]);
    expect(mask.histogram.reduce((sum, count) => sum + count, 0)).toBe(285);
  });

  it('returns labels and histogram as views on one buffer of exactly their size', () => {
    const mask = decodeMask(DOCS_SAMPLE);
    expect(mask.labels.buffer).toBe(mask.histogram.buffer);
    expect(mask.labels.byteOffset).toBe(0);
    expect(mask.histogram.byteOffset + mask.histogram.byteLength).toBe(mask.labels.buffer.byteLength);
    expect(mask.labels.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('decodeMask: valid inputs', () => {
  const cases: [string, string, number[]][] = [
    ['empty array', '[]', []],
    ['empty array with whitespace', ' \t\r\n[ \n\t\r ] \r\n', []],
    ['one zero', '[0]', [0]],
    ['the largest label', '[65535]', [65535]],
    ['every digit count', '[9,99,999,9999,65535,10,100,1000,10000]', [9, 99, 999, 9999, 65535, 10, 100, 1000, 10000]],
    ['no spaces', '[1,2,3]', [1, 2, 3]],
    ['whitespace everywhere', '\n[\t1 ,\r\n2\t,  3 ]\n', [1, 2, 3]],
    ['CRLF line breaks', '[1,\r\n2,\r\n3]', [1, 2, 3]],
    ['a UTF-8 BOM', '\uFEFF[1, 2]', [1, 2]],
    ['a BOM then whitespace', '\uFEFF \n[7]', [7]],
    ['zeros next to numbers', '[0,10,0,100,0]', [0, 10, 0, 100, 0]],
  ];
  it.each(cases)('%s', (_, text, labels) => {
    expectMask(decodeMask(encoder.encode(text)), labels);
    expectMask(decodeMask(text), labels);
  });

  it('gives an empty histogram for an empty mask and one entry per label up to the largest', () => {
    expect(decodeMask('[]').histogram.length).toBe(0);
    const mask = decodeMask('[65535, 0, 65535]');
    expect(mask.histogram.length).toBe(65536);
    expect(mask.histogram[0]).toBe(1);
    expect(mask.histogram[65535]).toBe(2);
  });
});

describe('decodeMask: invalid inputs give a code and the byte offset of the fault', () => {
  const cases: [string, string | Uint8Array, string, number][] = [
    ['empty input', '', 'EMPTY_INPUT', 0],
    ['whitespace only', ' \t\r\n ', 'EMPTY_INPUT', 5],
    ['a BOM only', '\uFEFF', 'EMPTY_INPUT', 3],
    ['a bare number', '1', 'EXPECTED_ARRAY', 0],
    ['an object', '{}', 'EXPECTED_ARRAY', 0],
    ['a BOM after whitespace', ' \uFEFF[1]', 'EXPECTED_ARRAY', 1],
    ['two BOMs', '\uFEFF\uFEFF[1]', 'EXPECTED_ARRAY', 3],
    ['a leading NUL', '\0[1]', 'EXPECTED_ARRAY', 0],
    ['missing closing bracket', '[1, 2', 'UNEXPECTED_END', 5],
    ['missing closing bracket after a comma', '[1, 2,', 'UNEXPECTED_END', 6],
    ['only an opening bracket', '[', 'UNEXPECTED_END', 1],
    ['extra comma before the end', '[1, 2,]', 'EXPECTED_VALUE', 6],
    ['leading comma', '[,1]', 'EXPECTED_VALUE', 1],
    ['double comma', '[1,,2]', 'EXPECTED_VALUE', 3],
    ['missing comma', '[1 2]', 'EXPECTED_COMMA_OR_END', 3],
    ['a nested array', '[[1]]', 'EXPECTED_VALUE', 1],
    ['a string', '["1"]', 'EXPECTED_VALUE', 1],
    ['null', '[null]', 'EXPECTED_VALUE', 1],
    ['Infinity', '[Infinity]', 'EXPECTED_VALUE', 1],
    ['a form feed (not JSON whitespace)', '[1,\f2]', 'EXPECTED_VALUE', 3],
    ['a NUL between values', '[1,\0 2]', 'EXPECTED_VALUE', 3],
    ['a NUL after a value', '[1\0]', 'EXPECTED_COMMA_OR_END', 2],
    ['hex', '[0x10]', 'EXPECTED_COMMA_OR_END', 2],
    ['65536', '[1, 65536]', 'VALUE_OUT_OF_RANGE', 4],
    ['a 6-digit value', '[100000]', 'VALUE_OUT_OF_RANGE', 1],
    ['a 20-digit value', '[7, 99999999999999999999]', 'VALUE_OUT_OF_RANGE', 4],
    ['a minus sign', '[1, -1]', 'SIGNED_VALUE', 4],
    ['minus zero', '[-0]', 'SIGNED_VALUE', 1],
    ['a plus sign', '[+1]', 'SIGNED_VALUE', 1],
    ['a fraction', '[1, 2.5]', 'NOT_AN_INTEGER', 5],
    ['an integral fraction', '[1.0]', 'NOT_AN_INTEGER', 2],
    ['an exponent', '[1e3]', 'NOT_AN_INTEGER', 2],
    ['an upper-case exponent', '[2E1]', 'NOT_AN_INTEGER', 2],
    ['a leading zero', '[1, 01]', 'LEADING_ZERO', 4],
    ['two zeros', '[00]', 'LEADING_ZERO', 1],
    ['a closing bracket too many', '[1]]', 'TRAILING_DATA', 3],
    ['a second array', '[1][2]', 'TRAILING_DATA', 3],
    ['text after the array', '[1] x', 'TRAILING_DATA', 4],
    ['a NUL after the array', '[1]\0', 'TRAILING_DATA', 3],
    ['invalid UTF-8 after the array', new Uint8Array([0x5b, 0x31, 0x5d, 0xff]), 'TRAILING_DATA', 3],
    ['a non-ASCII character (offsets count UTF-8 bytes)', '[1,\u00e9 2]', 'EXPECTED_VALUE', 3],
    ['a non-ASCII character later on', '[1, 2]\u00e9', 'TRAILING_DATA', 6],
  ];
  it.each(cases)('%s', (_, input, code, offset) => {
    const bytes = typeof input === 'string' ? encoder.encode(input) : input;
    for (const form of [bytes, input]) {
      const error = parseError(() => decodeMask(form));
      expect([error.code, error.offset]).toEqual([code, offset]);
      expect(error.name).toBe('MaskParseError');
      expect(error.message).toContain(`at byte ${offset}`);
    }
    // The table agrees with the reference grammar, which the property tests use for inputs nobody wrote.
    expect(referenceDecode(bytes)).toEqual({ code, offset });
  });

  it('keeps working after an error, with a clean histogram', () => {
    parseError(() => decodeMask('[1, 2, 3, 4, 5, x]'));
    expectMask(decodeMask('[5, 5]'), [5, 5]);
  });
});

describe('decodeMask: input forms', () => {
  const text = '[3, 1, 4, 1, 5, 9, 2, 6]';
  const labels = [3, 1, 4, 1, 5, 9, 2, 6];

  it('reads a Uint8Array that views part of a larger buffer from its own offset', () => {
    const big = Buffer.alloc(4096, 0x78); // 'x' around the mask: reading outside the view would fail
    big.write(text, 1000, 'latin1');
    const view = big.subarray(1000, 1000 + text.length);
    expect(view.byteOffset).toBe(1000);
    expectMask(decodeMask(view), labels);
    const pooled = Buffer.from(text);
    expectMask(decodeMask(pooled), labels);
  });

  it('reads an ArrayBuffer and a string', () => {
    expectMask(decodeMask(encoder.encode(text).buffer as ArrayBuffer), labels);
    expectMask(decodeMask(text), labels);
  });

  it('does not modify the input', () => {
    const bytes = encoder.encode(text);
    const copy = bytes.slice();
    decodeMask(bytes);
    expect(bytes).toEqual(copy);
  });

  it('refuses input over 2 GiB before copying anything', () => {
    const huge = new Uint8Array(2 ** 31 + 1); // untouched pages: no physical memory
    huge[0] = 0x5b;
    const error = parseError(() => decodeMask(huge));
    expect([error.code, error.offset]).toEqual(['TOO_LARGE', 2 ** 31]);
  });

  it('refuses exactly 2 GiB too: the core counts bytes in an i32 (it reported a negative offset there)', () => {
    const huge = new Uint8Array(2 ** 31); // untouched pages: no physical memory
    huge[0] = 0x5b;
    const error = parseError(() => decodeMask(huge));
    expect([error.code, error.offset]).toEqual(['TOO_LARGE', 2 ** 31]);
  });

  it('rejects other input types with InvalidArgumentError', () => {
    for (const input of [null, undefined, 42, {}, new Uint16Array(4), [1, 2]]) {
      expect(() => decodeMask(input as unknown as string)).toThrow(InvalidArgumentError);
    }
  });
});

describe('decodeMask: options', () => {
  it('writes the labels into `out` and returns a view on it', () => {
    const out = new Uint16Array(10).fill(7777);
    const mask = decodeMask('[1, 2, 3]', { out });
    expect(mask.labels.buffer).toBe(out.buffer);
    expect(Array.from(mask.labels)).toEqual([1, 2, 3]);
    expect(Array.from(out)).toEqual([1, 2, 3, 7777, 7777, 7777, 7777, 7777, 7777, 7777]);
    expect(Array.from(mask.histogram)).toEqual([0, 1, 1, 1]);
  });

  it('writes into an `out` that is itself a view at an offset', () => {
    const backing = new Uint16Array(8).fill(9);
    const out = backing.subarray(2, 6);
    decodeMask('[4, 5, 6, 7]', { out });
    expect(Array.from(backing)).toEqual([9, 9, 4, 5, 6, 7, 9, 9]);
  });

  it('rejects an `out` that is too small, leaving it untouched', () => {
    const out = new Uint16Array(2).fill(5);
    expect(() => decodeMask('[1, 2, 3]', { out })).toThrow(InvalidArgumentError);
    expect(Array.from(out)).toEqual([5, 5]);
    expect(() => decodeMask('[1]', { out: new Uint8Array(4) as unknown as Uint16Array })).toThrow(InvalidArgumentError);
  });

  it('checks expectedPoints', () => {
    expect(decodeMask('[1, 2, 3]', { expectedPoints: 3 }).pointCount).toBe(3);
    expect(decodeMask('[]', { expectedPoints: 0 }).pointCount).toBe(0);
    const error = parseError(() => decodeMask('[1, 2, 3]', { expectedPoints: 4 }));
    expect(error.code).toBe('POINT_COUNT_MISMATCH');
    expect(error.message).toContain('3 points, expected 4');
    for (const expectedPoints of [-1, 1.5, Number.NaN, '3']) {
      expect(() => decodeMask('[1]', { expectedPoints: expectedPoints as number })).toThrow(InvalidArgumentError);
    }
    expect(() => decodeMask('[1]', null as unknown as object)).toThrow(InvalidArgumentError);
  });

  it('reports a parse error before a count mismatch', () => {
    expect(parseError(() => decodeMask('[1, 2', { expectedPoints: 9 })).code).toBe('UNEXPECTED_END');
  });
});

describe('decodeMask: agrees with the reference grammar', () => {
  it('on every prefix of the docs sample', () => {
    const bytes = encoder.encode(DOCS_SAMPLE);
    for (let length = 0; length <= bytes.length; length++) {
      const input = bytes.subarray(0, length);
      const expected = referenceDecode(input);
      let actual: unknown;
      try {
        actual = { labels: decodeMask(input).labels };
      } catch (error) {
        actual = { code: (error as MaskParseError).code, offset: (error as MaskParseError).offset };
      }
      expect(actual).toEqual(expected);
    }
  });

  it('checks its own histogram helper', () => {
    expect(Array.from(referenceHistogram([2, 0, 2]))).toEqual([1, 0, 2]);
  });
});
