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

interface Column {
  /** undefined for padding: parsed, then dropped. */
  array: PcdFieldArray | undefined;
  count: number;
  range: readonly [number, number] | undefined;
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
    range: INTEGER_RANGES[`${slot.field.type}${slot.field.size}`],
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
        const value = parseNumber(bytes, start, p);
        if (value === undefined) throw new PcdParseError('INVALID_NUMBER', start, quoteToken(bytes, start, p));
        if (column.range && !(Number.isInteger(value) && value >= column.range[0] && value <= column.range[1])) {
          const code = Number.isInteger(value) ? 'VALUE_OUT_OF_RANGE' : 'INVALID_NUMBER';
          throw new PcdParseError(code, start, `${quoteToken(bytes, start, p)} for an integer field`);
        }
        if (column.array) column.array[point * column.count + k] = value;
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
  if (digits === 0) return parseSpecial(bytes, i, end, negative);
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
