import { describe, expect, it } from 'vitest';
import { PcdParseError, readPcd, readPcdHeader, type PcdErrorCode } from '../src/index.js';
import { everyTypeCloud, FORMS, lidarCloud } from './fixtures/pcd-samples.js';
import { lzfCompress, writePcd, type PcdWriterField } from '../src/sim/pcd-writer.js';

const encode = (text: string) => new TextEncoder().encode(text);

function expectPcdError(input: Uint8Array, code: PcdErrorCode, offset?: number): PcdParseError {
  try {
    readPcd(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PcdParseError);
    const pcdError = error as PcdParseError;
    expect(pcdError.code).toBe(code);
    if (offset !== undefined) expect(pcdError.offset).toBe(offset);
    return pcdError;
  }
  return expect.unreachable(`expected PcdParseError ${code}`);
}

function expectFields(actual: Record<string, ArrayLike<number | bigint>>, fields: PcdWriterField[]): void {
  const named = fields.filter((field) => field.name !== '_');
  expect(Object.keys(actual)).toEqual(named.map((field) => field.name));
  for (const field of named) expect(Array.from<number | bigint>(actual[field.name]!)).toEqual(Array.from(field.values));
}

describe('readPcd round trips', () => {
  for (const form of FORMS) {
    // 1, 3 and 37 points put blocks after U1/I1/I2 fields on odd offsets in the decompressed data.
    for (const points of [0, 1, 3, 37, 1000]) {
      it(`${form}: every type, ${points} points`, () => {
        const fields = everyTypeCloud(points);
        const pcd = readPcd(writePcd(fields, points, form));
        expect(pcd.pointCount).toBe(points);
        expect(pcd.header.data).toBe(form);
        expectFields(pcd.fields, fields);
        expect(pcd.fields.x).toBeInstanceOf(Float32Array);
        expect(pcd.fields.time).toBeInstanceOf(Float64Array);
        expect(pcd.fields.i2).toBeInstanceOf(Int16Array);
        expect(pcd.fields.normal!.length).toBe(points * 3);
      });
    }
  }

  it('keeps NaN, infinities and -0 in every form', () => {
    const special = [Number.NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, 1.401298464324817e-45];
    const fields: PcdWriterField[] = [
      { name: 'f4', type: 'F', size: 4, values: Float32Array.from(special) },
      {
        name: 'f8',
        type: 'F',
        size: 8,
        values: [Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE],
      },
    ];
    for (const form of FORMS) {
      const pcd = readPcd(writePcd(fields, special.length, form));
      expect(Array.from<number | bigint>(pcd.fields.f4!)).toEqual(Array.from(Float32Array.from(special)));
      expect(Array.from<number | bigint>(pcd.fields.f8!)).toEqual(fields[1]!.values);
    }
  });

  it('reads organized clouds (WIDTH x HEIGHT), the header and CRLF line ends', () => {
    const fields = lidarCloud(12);
    for (const form of FORMS) {
      const pcd = readPcd(writePcd(fields, 12, form, { width: 4, height: 3, crlf: form === 'ascii' }));
      expect(pcd.header).toMatchObject({
        version: '0.7',
        width: 4,
        height: 3,
        points: 12,
        viewpoint: [0, 0, 0, 1, 0, 0, 0],
      });
      expect(pcd.header.fields.map((field) => `${field.name}:${field.type}${field.size}x${field.count}`)).toEqual([
        'x:F4x1',
        'y:F4x1',
        'z:F4x1',
        'intensity:F4x1',
      ]);
      expectFields(pcd.fields, fields);
    }
  });

  it('returns 8-byte aligned views on one buffer of its own, not on WebAssembly memory', () => {
    for (const form of FORMS) {
      const fields = everyTypeCloud(37);
      const first = readPcd(writePcd(fields, 37, form));
      const arrays = Object.values(first.fields);
      for (const array of arrays) {
        expect(array.buffer).toBe(arrays[0]!.buffer);
        expect(array.byteOffset % 8).toBe(0);
      }
      const copy = Array.from<number | bigint>(first.fields.x!);
      readPcd(writePcd(everyTypeCloud(37, 99), 37, form));
      expect(Array.from<number | bigint>(first.fields.x!)).toEqual(copy);
    }
  });

  it('accepts an ArrayBuffer and a Uint8Array at an odd offset', () => {
    const fields = lidarCloud(5);
    const file = writePcd(fields, 5, 'binary_compressed');
    expectFields(readPcd(file.slice().buffer).fields, fields);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    expectFields(readPcd(shifted.subarray(1)).fields, fields);
  });

  it('parses ascii numbers exactly: exponents, signs, long mantissas', () => {
    const values = [
      '1e3',
      '-2.5E-3',
      '+7',
      '.5',
      '5.',
      '0.1',
      '123456789012345678901234567890',
      '1e-320',
      '-nan',
      'INF',
    ];
    const file = encode(
      `FIELDS v\nSIZE 8\nTYPE F\nWIDTH ${values.length}\nHEIGHT 1\nDATA ascii\n${values.join('\n')}\n`,
    );
    const parsed = Array.from<number | bigint>(readPcd(file).fields.v!);
    expect(parsed).toEqual(
      values.map((text) => (/nan/i.test(text) ? Number.NaN : /inf/i.test(text) ? Infinity : Number(text))),
    );
  });
});

describe('readPcd rejects malformed headers with a code and an offset', () => {
  const header = (lines: string[]) => encode(lines.join('\n') + '\n');
  const valid = [
    'VERSION .7',
    'FIELDS x y',
    'SIZE 4 4',
    'TYPE F F',
    'COUNT 1 1',
    'WIDTH 1',
    'HEIGHT 1',
    'POINTS 1',
    'DATA ascii',
    '1 2',
  ];
  const replace = (index: number, line: string) => valid.map((text, i) => (i === index ? line : text));
  const offsetOfLine = (lines: string[], index: number) =>
    lines.slice(0, index).join('\n').length + (index > 0 ? 1 : 0);

  it('reads the valid base case', () => {
    expect(Array.from<number | bigint>(readPcd(header(valid)).fields.y!)).toEqual([2]);
  });

  const cases: [string, string[], PcdErrorCode, number | undefined][] = [
    ['no DATA line', valid.slice(0, 8), 'HEADER_UNTERMINATED', undefined],
    ['unknown keyword', replace(0, 'VERSON .7'), 'UNKNOWN_KEYWORD', 0],
    ['duplicate keyword', replace(4, 'SIZE 4 4'), 'DUPLICATE_KEYWORD', offsetOfLine(valid, 4)],
    ['missing FIELDS', replace(1, '# no fields'), 'MISSING_KEYWORD', undefined],
    ['SIZE entries', replace(2, 'SIZE 4'), 'FIELD_COUNT_MISMATCH', offsetOfLine(valid, 2)],
    ['TYPE entries', replace(3, 'TYPE F F F'), 'FIELD_COUNT_MISMATCH', offsetOfLine(valid, 3)],
    ['COUNT entries', replace(4, 'COUNT 1'), 'FIELD_COUNT_MISMATCH', offsetOfLine(valid, 4)],
    ['F2', replace(2, 'SIZE 4 2'), 'UNSUPPORTED_TYPE', offsetOfLine(valid, 3) + 7],
    [
      'U3',
      replace(2, 'SIZE 3 4').map((l, i) => (i === 3 ? 'TYPE U F' : l)),
      'UNSUPPORTED_TYPE',
      offsetOfLine(valid, 3) + 5,
    ],
    ['type X', replace(3, 'TYPE F X'), 'UNSUPPORTED_TYPE', offsetOfLine(valid, 3) + 7],
    ['COUNT 0', replace(4, 'COUNT 1 0'), 'INVALID_VALUE', offsetOfLine(valid, 4) + 8],
    ['negative WIDTH', replace(5, 'WIDTH -1'), 'INVALID_VALUE', offsetOfLine(valid, 5) + 6],
    ['fractional HEIGHT', replace(6, 'HEIGHT 1.5'), 'INVALID_VALUE', offsetOfLine(valid, 6) + 7],
    ['WIDTH with two values', replace(5, 'WIDTH 1 1'), 'INVALID_VALUE', offsetOfLine(valid, 5)],
    ['POINTS is not WIDTH x HEIGHT', replace(7, 'POINTS 2'), 'POINTS_MISMATCH', offsetOfLine(valid, 7)],
    ['duplicate field', replace(1, 'FIELDS x x'), 'DUPLICATE_FIELD', offsetOfLine(valid, 1) + 9],
    ['DATA form', replace(8, 'DATA binary_lz4'), 'UNSUPPORTED_DATA', offsetOfLine(valid, 8) + 5],
    [
      'VIEWPOINT arity',
      [...valid.slice(0, 7), 'VIEWPOINT 0 0 0', ...valid.slice(7)],
      'INVALID_VALUE',
      offsetOfLine(valid, 7),
    ],
  ];
  for (const [name, lines, code, offset] of cases) {
    it(`${name} -> ${code}`, () => {
      expectPcdError(header(lines), code, offset);
    });
  }

  it('treats comments, blank lines and a missing COUNT, VERSION, VIEWPOINT or POINTS as valid', () => {
    const lines = ['# comment', '', 'FIELDS a', 'SIZE 2', 'TYPE U', 'WIDTH 2', 'HEIGHT 1', 'DATA ascii', '7', '65535'];
    const pcd = readPcd(header(lines));
    expect(pcd.header).toMatchObject({ version: undefined, points: 2, viewpoint: [0, 0, 0, 1, 0, 0, 0] });
    expect(Array.from<number | bigint>(pcd.fields.a!)).toEqual([7, 65535]);
  });
});

describe('readPcd rejects bad data', () => {
  const fields = lidarCloud(20);

  for (const form of FORMS) {
    it(`${form}: a lying POINTS (with WIDTH) gives TRUNCATED_DATA or TRAILING_DATA, not a misread`, () => {
      // More points claimed than present: the data ends early.
      expectPcdError(
        writePcd(fields, 20, form, { width: 21, pointsLine: 21 }),
        form === 'binary_compressed' ? 'SIZE_MISMATCH' : 'TRUNCATED_DATA',
      );
      // Fewer points claimed: bytes are left over.
      expectPcdError(
        writePcd(fields, 20, form, { width: 19, pointsLine: 19 }),
        form === 'binary_compressed' ? 'SIZE_MISMATCH' : 'TRAILING_DATA',
      );
    });

    it(`${form}: every truncation is a PcdParseError`, () => {
      const file = writePcd(lidarCloud(6), 6, form);
      for (let length = 0; length < file.length; length++) {
        try {
          readPcd(file.subarray(0, length));
          // An ascii file cut inside its last number can still be a valid file; binary data cannot.
          expect(form).toBe('ascii');
        } catch (error) {
          expect(error).toBeInstanceOf(PcdParseError);
        }
      }
    });
  }

  it('ascii: a short row, a long row, a bad number, an out-of-range integer', () => {
    const head = 'FIELDS x n\nSIZE 4 1\nTYPE F I\nWIDTH 2\nHEIGHT 1\nPOINTS 2\nDATA ascii\n';
    const at = (text: string) => head.length + text.length;
    expectPcdError(encode(`${head}3   \n1 2\n`), 'WRONG_VALUE_COUNT', at('3   '));
    expectPcdError(encode(`${head}1 2 3\n4 5\n`), 'WRONG_VALUE_COUNT', at('1 2 '));
    expectPcdError(encode(`${head}1 2\n0x10 5\n`), 'INVALID_NUMBER', at('1 2\n'));
    expectPcdError(encode(`${head}1 2\n1.5.2 5\n`), 'INVALID_NUMBER', at('1 2\n'));
    expectPcdError(encode(`${head}1 128\n1 5\n`), 'VALUE_OUT_OF_RANGE', at('1 '));
    expectPcdError(encode(`${head}1 2.5\n1 5\n`), 'INVALID_NUMBER', at('1 '));
    expectPcdError(encode(`${head}1 2\n3 4\n5 6\n`), 'TRAILING_DATA', at('1 2\n3 4\n'));
    expectPcdError(encode(`${head}1 2\n`), 'TRUNCATED_DATA');
  });

  it('ascii: a huge COUNT with no points (a 90-byte file) reads as empty fields, without exhausting memory', () => {
    const file = encode('FIELDS x\nSIZE 4\nTYPE F\nCOUNT 100000000\nWIDTH 0\nHEIGHT 1\nPOINTS 0\nDATA ascii\n');
    const cloud = readPcd(file);
    expect(cloud.pointCount).toBe(0);
    expect(cloud.fields.x!.length).toBe(0);
  });

  it('binary_compressed: sizes that cannot be right', () => {
    const file = writePcd(fields, 20, 'binary_compressed');
    const dataOffset = readPcd(file).header.dataOffset;
    const withSizes = (compressed: number, raw: number, body = file.subarray(dataOffset + 8)) => {
      const out = new Uint8Array(dataOffset + 8 + body.length);
      out.set(file.subarray(0, dataOffset));
      const view = new DataView(out.buffer);
      view.setUint32(dataOffset, compressed, true);
      view.setUint32(dataOffset + 4, raw, true);
      out.set(body, dataOffset + 8);
      return out;
    };
    const compressedSize = file.length - dataOffset - 8;
    expectPcdError(withSizes(compressedSize, 20 * 16 + 1), 'SIZE_MISMATCH', dataOffset + 4);
    expectPcdError(withSizes(compressedSize + 1, 20 * 16), 'TRUNCATED_DATA', file.length);
    expectPcdError(withSizes(compressedSize - 1, 20 * 16), 'TRAILING_DATA', file.length - 1);
    expectPcdError(file.subarray(0, dataOffset + 7), 'TRUNCATED_DATA');
  });

  it.each(['binary', 'binary_compressed'] as const)(
    '%s: zero bytes and whitespace after the data (PCL page padding, a newline) are ignored, other bytes are not',
    (form) => {
      const file = writePcd(fields, 20, form);
      const expected = readPcd(file).fields;
      const withTail = (...parts: (Uint8Array | string)[]) =>
        Uint8Array.from([...file, ...parts.flatMap((part) => [...(typeof part === 'string' ? encode(part) : part)])]);
      for (const tail of [new Uint8Array(4000), '\n', '\r\n \t\n']) {
        expect(readPcd(withTail(tail)).fields).toEqual(expected);
      }
      expectPcdError(withTail('x'), 'TRAILING_DATA', file.length);
      expectPcdError(withTail(new Uint8Array(100), 'x', new Uint8Array(10)), 'TRAILING_DATA', file.length + 100);
    },
  );

  it('ascii: blank lines after the rows are ignored, a zero byte is not', () => {
    const file = writePcd(fields, 20, 'ascii');
    expect(readPcd(Uint8Array.from([...file, ...encode('\n\n \r\n')])).fields).toEqual(readPcd(file).fields);
    expectPcdError(Uint8Array.from([...file, 0]), 'TRAILING_DATA', file.length);
  });

  it('readPcdHeader reads the header alone, without the data (and checks it as readPcd does)', () => {
    const file = writePcd(fields, 20, 'binary_compressed');
    const header = readPcdHeader(file);
    expect(header).toEqual(readPcd(file).header);
    expect(readPcdHeader(file.subarray(0, header.dataOffset).slice().buffer)).toEqual(header);
    expect(() => readPcdHeader(writePcd(fields, 20, 'binary', { pointsLine: 21 }))).toThrow(
      expect.objectContaining({ code: 'POINTS_MISMATCH' }),
    );
  });

  it('rejects input that is not bytes', () => {
    expect(() => readPcd('FIELDS x' as unknown as Uint8Array)).toThrow(/Uint8Array/);
  });
});

describe('LZF streams (decompressed in the WebAssembly core)', () => {
  /** A PCD of `raw` U1 points whose compressed block is exactly `stream`. */
  const withStream = (stream: number[] | Uint8Array, raw: number) => {
    const head = encode(`FIELDS b\nSIZE 1\nTYPE U\nWIDTH ${raw}\nHEIGHT 1\nPOINTS ${raw}\nDATA binary_compressed\n`);
    const out = new Uint8Array(head.length + 8 + stream.length);
    out.set(head);
    const view = new DataView(out.buffer);
    view.setUint32(head.length, stream.length, true);
    view.setUint32(head.length + 4, raw, true);
    out.set(stream, head.length + 8);
    return { file: out, streamStart: head.length + 8 };
  };
  const decompress = (stream: number[], raw: number) =>
    Array.from<number | bigint>(readPcd(withStream(stream, raw).file).fields.b!);

  it('decodes known vectors: literals, overlapping runs, long matches', () => {
    expect(decompress([2, 97, 98, 99], 3)).toEqual([97, 98, 99]);
    // 'a', then a back reference of 5 at distance 1: an overlapping run.
    expect(decompress([0, 97, (3 << 5) | 0, 0], 6)).toEqual([97, 97, 97, 97, 97, 97]);
    // 'ab', then 7 bytes at distance 2 (overlapping, period 2).
    expect(decompress([1, 97, 98, (5 << 5) | 0, 1], 9)).toEqual([97, 98, 97, 98, 97, 98, 97, 98, 97]);
    // Length byte: 7 + 255 + 2 = 264 bytes at distance 1.
    expect(decompress([0, 5, 7 << 5, 255, 0], 265)).toEqual(new Array(265).fill(5));
    // Non-overlapping copy from 4 back.
    expect(decompress([3, 1, 2, 3, 4, (1 << 5) | 0, 3], 7)).toEqual([1, 2, 3, 4, 1, 2, 3]);
  });

  it('round-trips the test compressor around literal and match length boundaries', () => {
    for (const length of [1, 2, 3, 31, 32, 33, 64, 263, 264, 265, 266, 8192, 8193, 9000]) {
      const data = Uint8Array.from({ length }, (_, i) => (i % 97 < 40 ? 0 : (i * 31) & 0xff));
      expect(decompress(Array.from(lzfCompress(data)), length)).toEqual(Array.from(data));
    }
  });

  const faults: [string, number[], number, PcdErrorCode, number][] = [
    ['literal past the input', [5, 1, 2], 6, 'LZF_INPUT_OVERRUN', 0],
    ['back reference missing its distance', [0, 1, 1 << 5], 4, 'LZF_INPUT_OVERRUN', 2],
    ['long back reference missing its length', [0, 1, 7 << 5], 10, 'LZF_INPUT_OVERRUN', 2],
    ['literal past the output', [3, 1, 2, 3, 4], 3, 'LZF_OUTPUT_OVERRUN', 0],
    ['back reference past the output', [0, 1, 1 << 5, 0], 3, 'LZF_OUTPUT_OVERRUN', 2],
    ['back reference before the start', [0, 1, 1 << 5, 1], 4, 'LZF_BAD_BACKREFERENCE', 2],
    ['back reference first', [1 << 5, 0], 3, 'LZF_BAD_BACKREFERENCE', 0],
    ['stream shorter than the raw size', [1, 1, 2], 3, 'LZF_SHORT_OUTPUT', 3],
  ];
  for (const [name, stream, raw, code, at] of faults) {
    it(`${name} -> ${code}`, () => {
      const { file, streamStart } = withStream(stream, raw);
      expectPcdError(file, code, streamStart + at);
    });
  }

  it('rejects a raw size no LZF stream of that length can produce, before allocating it', () => {
    expectPcdError(withStream([0, 1], 177).file, 'SIZE_MISMATCH');
  });
});
