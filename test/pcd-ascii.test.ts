// DATA ascii is parsed by the WebAssembly core, which leaves some numbers to JS and gives malformed data up to the JS
// reference parser: whatever the input, readPcd must give exactly what the reference gives, values or error.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PcdParseError, readPcd } from '../src/index.js';
import { minimumAsciiBytes, parseAsciiData } from '../src/pcd/ascii-js.js';
import { parsePcdHeader } from '../src/pcd/header.js';
import { fieldLayout, fieldViews } from '../src/pcd/layout.js';
import { PcdParseError as ReferencePcdError } from '../src/pcd/pcd-error.js';

const encoder = new TextEncoder();
const HEAD = 'FIELDS a b c d _ e f g\nSIZE 4 8 1 2 4 4 8 8\nTYPE F F U I F U U I\nCOUNT 1 2 1 1 1 1 1 1\n';
const VALUES_PER_ROW = 9;

/** The JS reference parser alone: the fields as plain arrays, or the error's code and offset. */
function reference(bytes: Uint8Array): unknown {
  try {
    const header = parsePcdHeader(bytes);
    const layout = fieldLayout(header);
    if (bytes.length - header.dataOffset < minimumAsciiBytes(header)) {
      return { code: 'TRUNCATED_DATA', offset: bytes.length };
    }
    const fields = fieldViews(layout, new ArrayBuffer(layout.resultBytes));
    parseAsciiData(bytes, header, layout, fields);
    return Object.fromEntries(
      Object.entries(fields).map(([name, array]) => [name, Array.from<number | bigint>(array)]),
    );
  } catch (error) {
    if (!(error instanceof ReferencePcdError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

function actual(bytes: Uint8Array): unknown {
  try {
    const { fields } = readPcd(bytes);
    return Object.fromEntries(
      Object.entries(fields).map(([name, array]) => [name, Array.from<number | bigint>(array)]),
    );
  } catch (error) {
    if (!(error instanceof PcdParseError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

function file(rows: string[], points: number): Uint8Array {
  return encoder.encode(`${HEAD}WIDTH ${points}\nHEIGHT 1\nDATA ascii\n${rows.join('\n')}\n`);
}

const fastNumber = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.tuple(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => Math.fround(v).toPrecision(7)),
  fc.integer({ min: 0, max: 65535 }).map((v) => `${v}e0`),
);
const slowNumber = fc.oneof(
  fc.double().map(String),
  fc.constantFrom('nan', '-nan', 'inf', '-inf', 'Infinity', '1e-320', '123456789012345678901', '1e400', '-0'),
);
const badToken = fc.constantFrom('1.2.3', 'x', '+', '-', '.', '1e', '0x10', '1e+', '--1', '1,5');
const token = fc.oneof(
  { arbitrary: fastNumber, weight: 12 },
  { arbitrary: slowNumber, weight: 3 },
  { arbitrary: badToken, weight: 1 },
);
const row = fc
  .array(token, { minLength: VALUES_PER_ROW - 1, maxLength: VALUES_PER_ROW + 1 })
  .map((tokens) => tokens.join(' '));
// Values that fit their columns (a F4, b F8 x 2, c U1, d I2, _ F4, e U4, f U8, g I8), so that the core keeps the data.
const anyNumber = fc.oneof({ arbitrary: fastNumber, weight: 8 }, { arbitrary: slowNumber, weight: 1 });
const integerIn = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }).map(String),
    fc.integer({ min, max }).map((v) => `${v}.0`),
    fc.constant('-0'),
  );
const validRow = fc.tuple(
  anyNumber,
  anyNumber,
  anyNumber,
  integerIn(0, 255),
  integerIn(-32768, 32767),
  anyNumber,
  integerIn(0, 4294967295),
  fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), integerIn(0, 2 ** 53)),
  fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), integerIn(-(2 ** 53), 2 ** 53)),
);

describe('DATA ascii through the WebAssembly core', () => {
  test.prop([fc.array(row, { maxLength: 12 }), fc.integer({ min: 0, max: 13 })], { numRuns: 500 })(
    'gives what the JS reference parser gives, on any rows',
    (rows, points) => {
      const bytes = file(rows, points);
      expect(actual(bytes)).toEqual(reference(bytes));
    },
  );

  test.prop([fc.array(validRow, { minLength: 1, maxLength: 20 })], { numRuns: 300 })(
    'gives what the JS reference parser gives on well-formed rows',
    (rows) => {
      const bytes = file(
        rows.map((tokens) => tokens.join(' ')),
        rows.length,
      );
      expect(actual(bytes)).toEqual(reference(bytes));
    },
  );

  test.prop([fc.array(fc.double(), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 17 })], {
    numRuns: 200,
  })('reads doubles exactly, however many digits they are written with', (values, digits) => {
    const tokens = values.map((v) => (Number.isNaN(v) ? 'nan' : digits === 17 ? String(v) : v.toPrecision(digits)));
    const bytes = encoder.encode(
      `FIELDS v\nSIZE 8\nTYPE F\nWIDTH ${values.length}\nHEIGHT 1\nDATA ascii\n${tokens.join('\n')}\n`,
    );
    const expected = tokens.map((text) => (text === 'nan' ? Number.NaN : Number(text)));
    expect(Array.from<number | bigint>(readPcd(bytes).fields.v!)).toEqual(expected);
  });

  it('reads an organized cloud full of nan points', () => {
    const rows = Array.from({ length: 6000 }, (_, i) => (i % 3 === 0 ? '1.5 -2 3' : 'nan nan nan'));
    const bytes = encoder.encode(
      `FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 100\nHEIGHT 60\nDATA ascii\n${rows.join('\n')}\n`,
    );
    const x = readPcd(bytes).fields.x!;
    expect(x[0]).toBe(1.5);
    expect(x[1]).toBeNaN();
    expect(Array.from<number | bigint>(x).filter(Number.isNaN)).toHaveLength(4000);
  });

  it('reports an integer that only JS can read, out of range, at its offset', () => {
    const text = 'FIELDS n\nSIZE 4\nTYPE I\nWIDTH 2\nHEIGHT 1\nDATA ascii\n7\n1e30\n';
    expect(actual(encoder.encode(text))).toEqual({ code: 'VALUE_OUT_OF_RANGE', offset: text.indexOf('1e30') });
  });
});
