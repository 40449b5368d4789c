// The core's decimal conversion (assembly/pcd-number.ts): correctly rounded to float64 (against V8's Number) and
// straight to float32 (against an exact BigInt reference), over the whole exponent range, halfway cases included;
// its power-of-five table against the generator; and the ascii paths that use it (64-bit integers, nan bits).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcdParseError, readPcd } from '../src/index.js';
import { seededRandom } from '../src/sim/mask-text.js';
import { tableSource } from '../assembly/pow5.gen.mjs';

interface NumberExports {
  decimalToF64(w: bigint, q: number, negative: number): number;
  decimalToF32(w: bigint, q: number, negative: number): number;
}
const core = new WebAssembly.Instance(
  new WebAssembly.Module(readFileSync(new URL('../build/core.wasm', import.meta.url))),
).exports as unknown as NumberExports;
const floatBits = new Uint32Array(1);
const float = new Float32Array(floatBits.buffer);
const bitsOf = (value: number) => ((float[0] = value), floatBits[0]!);
const fromBits = (bits: number) => ((floatBits[0] = bits), float[0]!);

/** The float32 nearest to w x 10^q (ties to even), by exact comparison with the candidates around the double's. */
function exactFloat32(w: bigint, q: number): number {
  const scale = (value: bigint, exponent: number): [bigint, bigint] =>
    exponent >= 0 ? [value * 10n ** BigInt(exponent), 1n] : [value, 10n ** BigInt(-exponent)];
  const [num, den] = scale(w, q);
  const start = Math.min(bitsOf(Number(`${w}e${q}`)), 0x7f7fffff);
  let best = -1;
  let bestDistance: [bigint, bigint] = [0n, 1n];
  for (const bits of [start - 1, start, start + 1]) {
    if (bits < 0 || bits > 0x7f7fffff) continue;
    const value = fromBits(bits);
    // value = m / 2^k exactly (float32 values are dyadic with at most 149 fractional bits).
    const m = BigInt(value * 2 ** 149);
    const distance: [bigint, bigint] = [num * 2n ** 149n - m * den, den * 2n ** 149n];
    if (distance[0] < 0n) distance[0] = -distance[0];
    const order = distance[0] * bestDistance[1] - bestDistance[0] * distance[1];
    if (best === -1 || order < 0n || (order === 0n && bits % 2 === 0)) {
      best = bits;
      bestDistance = distance;
    }
  }
  // Beyond the largest float by half its spacing or more: infinity.
  return num >= (2n ** 128n - 2n ** 103n) * den ? 0x7f800000 : best;
}

describe('decimal conversion in the core', () => {
  const random = seededRandom(99);
  const digits = (n: number) =>
    BigInt(
      Array.from({ length: n }, (_, i) => Math.floor(random() * 10) + (i === 0 ? 1 : 0))
        .join('')
        .slice(0, n),
    );

  it('float64: the double nearest, for up to 19 digits and any exponent', () => {
    const wrong: string[] = [];
    for (let t = 0; t < 100_000; t++) {
      const w = digits(1 + Math.floor(random() * 19));
      const q = Math.floor(random() * 700) - 360;
      if (!Object.is(core.decimalToF64(w, q, 0), Number(`${w}e${q}`))) wrong.push(`${w}e${q}`);
      if (!Object.is(core.decimalToF64(w, q, 1), -Number(`${w}e${q}`))) wrong.push(`-${w}e${q}`);
    }
    expect(wrong).toEqual([]);
  });

  it('float32: the float nearest the decimal (not the float nearest its double), subnormals and overflow included', () => {
    const wrong: string[] = [];
    const check = (w: bigint, q: number) => {
      if (bitsOf(core.decimalToF32(w, q, 0)) !== exactFloat32(w, q)) wrong.push(`${w}e${q}`);
    };
    for (let t = 0; t < 30_000; t++) check(digits(1 + Math.floor(random() * 19)), Math.floor(random() * 110) - 66);
    // 17 digits right at, just above and just below a midpoint between two floats.
    for (let t = 0; t < 10_000; t++) {
      const low = fromBits(Math.floor(random() * 0x7f000000));
      const midpoint = (low + fromBits(bitsOf(low) + 1)) / 2;
      for (const value of [midpoint, midpoint * (1 + 2 ** -50), midpoint * (1 - 2 ** -50)]) {
        const [mantissa, exponent] = value.toExponential(16).split('e');
        check(BigInt(mantissa!.replace('.', '')), Number(exponent) - 16);
      }
    }
    expect(wrong).toEqual([]);
    expect(core.decimalToF32(10000000596046448n, -16, 0)).toBe(1.0000001192092896);
    expect(core.decimalToF32(34028235677973367n, 22, 0)).toBe(Infinity);
    expect(core.decimalToF32(34028235677973366n, 22, 0)).toBe(3.4028234663852886e38);
  });

  it('its power-of-five table is what assembly/pow5.gen.mjs generates', () => {
    expect(readFileSync(new URL('../assembly/pow5.ts', import.meta.url), 'utf8')).toBe(tableSource());
  });
});

describe('ascii values through the core and the JS fallback', () => {
  const cloud = (type: string, size: number, values: string[]) =>
    new TextEncoder().encode(
      `FIELDS v\nSIZE ${size}\nTYPE ${type}\nWIDTH ${values.length}\nHEIGHT 1\nPOINTS ${values.length}\nDATA ascii\n${values.join('\n')}\n`,
    );

  it('U8 and I8 as BigUint64Array and BigInt64Array, exact beyond 2^53, 20 digits included', () => {
    const unsigned = ['0', '18446744073709551615', '9007199254740993', '12345678901234567890', '1e3', '-0'];
    // Not plain digits, still integers: exact too (the JS fallback takes these from the core).
    unsigned.push('9007199254740992.0', '1.8446744073709551615e19', '184467440737095516150e-1');
    const u8 = readPcd(cloud('U', 8, unsigned)).fields.v;
    expect(u8).toBeInstanceOf(BigUint64Array);
    expect(Array.from(u8 as BigUint64Array)).toEqual([
      0n,
      18446744073709551615n,
      9007199254740993n,
      12345678901234567890n,
      1000n,
      0n,
      9007199254740992n,
      18446744073709551615n,
      18446744073709551615n,
    ]);
    const signed = ['-9223372036854775808', '9223372036854775807', '-9007199254740993', '42'];
    const i8 = readPcd(cloud('I', 8, signed)).fields.v;
    expect(i8).toBeInstanceOf(BigInt64Array);
    expect(Array.from(i8 as BigInt64Array)).toEqual([
      -9223372036854775808n,
      9223372036854775807n,
      -9007199254740993n,
      42n,
    ]);
  });

  it.each([
    ['U', 8, '18446744073709551616', 'VALUE_OUT_OF_RANGE'],
    ['U', 8, '-1', 'VALUE_OUT_OF_RANGE'],
    ['I', 8, '9223372036854775808', 'VALUE_OUT_OF_RANGE'],
    ['I', 8, '1.5', 'INVALID_NUMBER'],
    ['U', 4, '4294967296', 'VALUE_OUT_OF_RANGE'],
    ['I', 1, 'nan', 'INVALID_NUMBER'],
    ['F', 4, '.nan', 'INVALID_NUMBER'],
  ] as const)('%s%s %s -> %s', (type, size, value, code) => {
    const bytes = cloud(type, size, ['1', value]);
    expect(() => readPcd(bytes)).toThrow(PcdParseError);
    expect(() => readPcd(bytes)).toThrow(expect.objectContaining({ code, offset: bytes.length - value.length - 1 }));
  });

  it('nan, -nan, inf in any case, with the bits C gives them (quiet NaN, sign kept)', () => {
    const values = ['nan', '-nan', 'NaN', 'inf', '-Infinity', 'INF'];
    const f4 = readPcd(cloud('F', 4, values)).fields.v as Float32Array;
    expect(Array.from(new Uint32Array(f4.buffer, f4.byteOffset, 6))).toEqual([
      0x7fc00000, 0xffc00000, 0x7fc00000, 0x7f800000, 0xff800000, 0x7f800000,
    ]);
    const f8 = readPcd(cloud('F', 8, values)).fields.v as Float64Array;
    expect(Array.from(new BigUint64Array(f8.buffer, f8.byteOffset, 6))).toEqual([
      0x7ff8000000000000n,
      0xfff8000000000000n,
      0x7ff8000000000000n,
      0x7ff0000000000000n,
      0xfff0000000000000n,
      0x7ff0000000000000n,
    ]);
  });

  it('F4 with more than 19 significant digits (the JS fallback) is rounded straight to float32 too', () => {
    const values = [
      '1.00000005960464477539062500001', // just above the midpoint between 1 and the next float: up
      '1.00000005960464477539062499999', // just below: down
      '1.000000059604644775390625000000', // the midpoint itself: to even (1)
      '1.000000178813934326171875000000', // the midpoint above 1 + 2^-23: to even (1 + 2^-22)
      '340282356779733661637539395458142568448.0000000000001', // half past the largest float: infinity
    ];
    const f4 = readPcd(cloud('F', 4, values)).fields.v as Float32Array;
    expect(Array.from(f4)).toEqual([1 + 2 ** -23, 1, 1, 1 + 2 ** -22, Infinity]);
  });
});
