// PCD `DATA ascii` in JS: one line per point, values separated by spaces, `count` values per field in FIELDS order.
// The reference parser: exact errors with offsets, and the numbers the WebAssembly parser leaves (see ascii.ts).
import type { PcdHeader } from './header.js';
import type { FieldLayout, PcdFieldArray } from './layout.js';
import { PcdParseError } from './pcd-error.js';

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
// 10^0..10^22 are exact doubles: a mantissa below 2^53 scaled by one of them rounds correctly (Clinger's fast path).
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

export const INTEGER_RANGES: Record<string, readonly [number, number]> = {
  U1: [0, 0xff],
  U2: [0, 0xffff],
  U4: [0, 0xffffffff],
  I1: [-0x80, 0x7f],
  I2: [-0x8000, 0x7fff],
  I4: [-0x80000000, 0x7fffffff],
};
const BIG_INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  U8: [0n, 0xffffffffffffffffn],
  I8: [-0x8000000000000000n, 0x7fffffffffffffffn],
};
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/;
// 10^25 is beyond every 64-bit integer: a larger exponent needs no BigInt power to be out of range.
const MAX_INTEGER_EXPONENT = 25;

/** The integer a decimal token denotes exactly (`12`, `-3.0`, `1.5e3`), or why it is none. */
function exactInteger(text: string): bigint | 'INVALID_NUMBER' | 'VALUE_OUT_OF_RANGE' {
  const match = DECIMAL.exec(text.toLowerCase());
  const fraction = match?.[3] ?? '';
  if (!match || `${match[2]}${fraction}` === '') return 'INVALID_NUMBER';
  let value = BigInt(`${match[2]}${fraction}`);
  let exponent = Number(match[4] ?? 0) - fraction.length;
  if (value === 0n) return 0n;
  for (; exponent < 0 && value % 10n === 0n; exponent++) value /= 10n;
  if (exponent < 0) return 'INVALID_NUMBER';
  if (exponent > MAX_INTEGER_EXPONENT) return 'VALUE_OUT_OF_RANGE';
  value *= 10n ** BigInt(exponent);
  return match[1] === '-' ? -value : value;
}

/** A value for a field of type `key`, or why the token is not one. */
export type ConvertedValue = number | bigint | 'INVALID_NUMBER' | 'VALUE_OUT_OF_RANGE';

/** The token bytes[start, end) as a value of a `key` (F4, U2, I8, ...) field: correctly rounded, range-checked. */
export function convertToken(bytes: Uint8Array, start: number, end: number, key: string): ConvertedValue {
  const big = BIG_INTEGER_RANGES[key];
  if (big) {
    const value = exactInteger(latin1(bytes, start, end));
    if (typeof value === 'string') return value;
    return value >= big[0] && value <= big[1] ? value : 'VALUE_OUT_OF_RANGE';
  }
  const value = parseNumber(bytes, start, end);
  if (value === undefined) return 'INVALID_NUMBER';
  if (key === 'F4') return toFloat32(value, bytes, start, end);
  const range = INTEGER_RANGES[key];
  if (range && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
    return Number.isInteger(value) ? 'VALUE_OUT_OF_RANGE' : 'INVALID_NUMBER';
  }
  return value;
}

const FLOAT32_MAX_MIDPOINT = 3.4028235677973366e38; // halfway between the largest float and 2^128

/**
 * The float nearest to the decimal token, given the double nearest to it. Rounding the double to float is the right
 * answer except when the double falls exactly halfway between two floats: then the decimal decides, exactly.
 */
function toFloat32(double: number, bytes: Uint8Array, start: number, end: number): number {
  const single = Math.fround(double);
  if (single === double || Number.isNaN(double)) return single;
  if (!Number.isFinite(single)) {
    if (Math.abs(double) !== FLOAT32_MAX_MIDPOINT) return single;
    return compareDecimal(bytes, start, end, double) * Math.sign(double) < 0
      ? Math.sign(double) * 3.4028234663852886e38
      : single;
  }
  const neighbour = single + 2 * (double - single);
  if (Math.fround(neighbour) !== neighbour) return single;
  // The double is a midpoint: the float on the decimal's side of it, or the even one of the two on a tie.
  const side = compareDecimal(bytes, start, end, double);
  if (side === 0) return evenFloat32(single) ? single : neighbour;
  return side > 0 === neighbour > single ? neighbour : single;
}

const float32Scratch = new Float32Array(1);
const float32Bits = new Uint32Array(float32Scratch.buffer);

function evenFloat32(value: number): boolean {
  float32Scratch[0] = value;
  return (float32Bits[0]! & 1) === 0;
}

/** The sign of (decimal token - finite double), compared exactly. */
function compareDecimal(bytes: Uint8Array, start: number, end: number, double: number): number {
  const match = DECIMAL.exec(latin1(bytes, start, end).toLowerCase())!;
  const fraction = match[3] ?? '';
  let numerator = BigInt(`${match[2]}${fraction}` || '0');
  if (match[1] === '-') numerator = -numerator;
  const exponent = Number(match[4] ?? 0) - fraction.length;
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  // double = mantissa x 2^binaryExponent, exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, double);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  if (biased !== 0) mantissa |= 1n << 52n;
  if (bits >> 63n) mantissa = -mantissa;
  const binaryExponent = (biased === 0 ? 1 : biased) - 1075;
  let left = numerator;
  let right = mantissa * denominator;
  if (binaryExponent >= 0) right <<= BigInt(binaryExponent);
  else left <<= BigInt(-binaryExponent);
  return left === right ? 0 : left > right ? 1 : -1;
}

interface Column {
  /** undefined for padding: parsed, then dropped. */
  array: PcdFieldArray | undefined;
  count: number;
  /** TYPE and SIZE: F4, U2, ... */
  key: string;
}

/** Minimum bytes of ascii data for this header: every value takes a digit and a separator. */
export function minimumAsciiBytes(header: PcdHeader): number {
  const valuesPerPoint = header.fields.reduce((sum, field) => sum + field.count, 0);
  return header.points === 0 ? 0 : header.points * valuesPerPoint * 2 - 1;
}

/** Parses the rows into `fields` (arrays of the layout, allocated by the caller). */
export function parseAsciiData(
  bytes: Uint8Array,
  header: PcdHeader,
  layout: FieldLayout,
  fields: Record<string, PcdFieldArray>,
): void {
  const columns: Column[] = layout.slots.map((slot) => ({
    array: slot.resultOffset < 0 ? undefined : fields[slot.field.name],
    count: slot.field.count,
    key: `${slot.field.type}${slot.field.size}`,
  }));
  const end = bytes.length;
  let p = header.dataOffset;
  for (let point = 0; point < header.points; point++) {
    while (p < end && isWhitespace(bytes[p]!)) p++;
    if (p === end) throw new PcdParseError('TRUNCATED_DATA', end, `${point} of ${header.points} points`);
    for (const column of columns) {
      for (let k = 0; k < column.count; k++) {
        while (p < end && isBlank(bytes[p]!)) p++;
        if (p === end) throw new PcdParseError('TRUNCATED_DATA', end, `point ${point} is cut short`);
        if (bytes[p] === LF) throw new PcdParseError('WRONG_VALUE_COUNT', p, `point ${point} has too few values`);
        const start = p;
        while (p < end && !isWhitespace(bytes[p]!)) p++;
        const value = convertToken(bytes, start, p, column.key);
        if (typeof value === 'string') {
          throw new PcdParseError(value, start, `${quoteToken(bytes, start, p)} for a ${column.key} field`);
        }
        if (column.array) column.array[point * column.count + k] = value as never;
      }
    }
    while (p < end && isBlank(bytes[p]!)) p++;
    if (p < end && bytes[p] !== LF) {
      throw new PcdParseError('WRONG_VALUE_COUNT', p, `point ${point} has too many values`);
    }
  }
  while (p < end && isWhitespace(bytes[p]!)) p++;
  if (p < end) throw new PcdParseError('TRAILING_DATA', p, `more rows than POINTS ${header.points}`);
}

/**
 * A decimal number (`-1.5`, `3`, `2.5e-3`), or nan/inf as C's printf writes them; undefined for anything else.
 * Correctly rounded: the fast path is exact, the rest goes through parseFloat.
 */
export function parseNumber(bytes: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const sign = bytes[i];
  const negative = sign === 0x2d;
  if (negative || sign === 0x2b) i++;
  const afterSign = i;
  let mantissa = 0;
  let exponent = 0;
  let digits = 0;
  for (; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  if (i < end && bytes[i] === 0x2e) {
    for (i++; i < end; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      exponent--;
      digits++;
    }
  }
  if (digits === 0) return parseSpecial(bytes, afterSign, end, negative);
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    const exponentNegative = bytes[i] === 0x2d;
    if (exponentNegative || bytes[i] === 0x2b) i++;
    let written = 0;
    let value = 0;
    for (; i < end; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) break;
      if (value < 100000) value = value * 10 + digit;
      written++;
    }
    if (written === 0) return undefined;
    exponent += exponentNegative ? -value : value;
  }
  if (i !== end) return undefined;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
    value = exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent]! : mantissa * EXACT_POWERS_OF_TEN[exponent]!;
  } else {
    return Number.parseFloat(latin1(bytes, start, end));
  }
  return negative ? -value : value;
}

function parseSpecial(bytes: Uint8Array, start: number, end: number, negative: boolean): number | undefined {
  if (end - start > 8) return undefined;
  const word = latin1(bytes, start, end).toLowerCase();
  if (word === 'nan') return Number.NaN;
  if (word === 'inf' || word === 'infinity') return negative ? -Infinity : Infinity;
  return undefined;
}

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CR;
}

export function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === TAB || byte === CR;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function quoteToken(bytes: Uint8Array, start: number, end: number): string {
  return JSON.stringify(latin1(bytes, start, Math.min(end, start + 40)));
}
