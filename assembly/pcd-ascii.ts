// PCD `DATA ascii` rows parsed straight into the field arrays. The JS side lays out a table with, per value of a row,
// where the value of point 0 goes, the bytes between points and the element type. Numbers with at most 2^53 as
// mantissa and a decimal exponent within 22 are exact here (Clinger's fast path); any other number token is left
// for the JS side (its offset and value index go to the exception list). Returns 0, or -1 on anything else: the JS
// side then parses the data itself, which reports the exact fault.

const TYPE_F4: u32 = 0;
const TYPE_F8: u32 = 1;
const TYPE_U1: u32 = 2;
const TYPE_U2: u32 = 3;
const TYPE_U4: u32 = 4;
const TYPE_I1: u32 = 5;
const TYPE_I2: u32 = 6;
const TYPE_I4: u32 = 7;
// TYPE_SKIP (8): padding, parsed and dropped.

const TABLE_ENTRY_BYTES: usize = 12;
const EXCEPTION_BYTES: usize = 8;
const MAX_EXACT_MANTISSA: u64 = 1 << 53;
// Mantissas stop growing here: a longer one is an exception anyway.
const MANTISSA_LIMIT: u64 = 100_000_000_000_000_000;
const FAILED: i32 = -1;

const POWERS_OF_TEN: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

let exceptions: i32 = 0;

/** Number tokens the last parseAscii left for the JS side. */
export function asciiExceptions(): i32 {
  return exceptions;
}

// @ts-ignore: decorator
@inline function isBlank(c: u32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0d;
}

// @ts-ignore: decorator
@inline function isWhitespace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x09 || c == 0x0d;
}

export function parseAscii(
  inPtr: usize,
  inLen: i32,
  points: i32,
  valuesPerPoint: i32,
  tablePtr: usize,
  exceptionPtr: usize,
  exceptionCapacity: i32,
): i32 {
  exceptions = 0;
  const end = inPtr + <usize>inLen;
  let p = inPtr;
  for (let i: usize = 0; i < <usize>points; i++) {
    while (p < end && isWhitespace(load<u8>(p))) p++;
    for (let j: usize = 0; j < <usize>valuesPerPoint; j++) {
      while (p < end && isBlank(load<u8>(p))) p++;
      if (p == end || load<u8>(p) == 0x0a) return FAILED;
      const start = p;
      let c = <u32>load<u8>(p);
      const negative = c == 0x2d;
      if (negative || c == 0x2b) p++;
      let mantissa: u64 = 0;
      let exponent: i32 = 0;
      let digits: i32 = 0;
      let exact = true;
      while (p < end) {
        const digit = <u32>load<u8>(p) - 0x30;
        if (digit > 9) break;
        if (mantissa < MANTISSA_LIMIT) mantissa = mantissa * 10 + digit;
        else exact = false;
        digits++;
        p++;
      }
      if (p < end && load<u8>(p) == 0x2e) {
        p++;
        while (p < end) {
          const digit = <u32>load<u8>(p) - 0x30;
          if (digit > 9) break;
          if (mantissa < MANTISSA_LIMIT) {
            mantissa = mantissa * 10 + digit;
            exponent--;
          } else exact = false;
          digits++;
          p++;
        }
      }
      let value: f64 = 0;
      if (digits == 0) {
        // nan, inf, infinity (any case, any sign), or not a number: the JS side decides.
        while (p < end && !isWhitespace(load<u8>(p))) p++;
        exact = false;
      } else {
        if (p < end && (load<u8>(p) | 0x20) == 0x65) {
          p++;
          c = p < end ? <u32>load<u8>(p) : 0;
          const exponentNegative = c == 0x2d;
          if (exponentNegative || c == 0x2b) p++;
          let written: i32 = 0;
          let e: i32 = 0;
          while (p < end) {
            const digit = <u32>load<u8>(p) - 0x30;
            if (digit > 9) break;
            if (e < 100000) e = e * 10 + <i32>digit;
            written++;
            p++;
          }
          if (written == 0) return FAILED;
          exponent += exponentNegative ? -e : e;
        }
        if (p < end && !isWhitespace(load<u8>(p))) return FAILED;
        if (mantissa == 0 && exact) value = 0;
        else if (exact && mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
          value = exponent < 0
            ? <f64>mantissa / unchecked(POWERS_OF_TEN[-exponent])
            : <f64>mantissa * unchecked(POWERS_OF_TEN[exponent]);
        } else exact = false;
        if (negative) value = -value;
      }
      const entry = tablePtr + j * TABLE_ENTRY_BYTES;
      const type = load<u32>(entry, 8);
      if (!exact) {
        if (exceptions == exceptionCapacity) return FAILED;
        const record = exceptionPtr + <usize>exceptions * EXCEPTION_BYTES;
        store<u32>(record, <u32>(start - inPtr));
        store<u32>(record, <u32>(i * <usize>valuesPerPoint + j), 4);
        exceptions++;
        continue;
      }
      const at = <usize>load<u32>(entry) + i * <usize>load<u32>(entry, 4);
      if (type == TYPE_F4) store<f32>(at, <f32>value);
      else if (type == TYPE_F8) store<f64>(at, value);
      else if (type <= TYPE_I4) {
        if (value != Math.trunc(value)) return FAILED;
        if (type == TYPE_U1) {
          if (value < 0 || value > 255) return FAILED;
          store<u8>(at, <u8>value);
        } else if (type == TYPE_U2) {
          if (value < 0 || value > 65535) return FAILED;
          store<u16>(at, <u16>value);
        } else if (type == TYPE_U4) {
          if (value < 0 || value > 4294967295) return FAILED;
          store<u32>(at, <u32>value);
        } else if (type == TYPE_I1) {
          if (value < -128 || value > 127) return FAILED;
          store<i8>(at, <i8>value);
        } else if (type == TYPE_I2) {
          if (value < -32768 || value > 32767) return FAILED;
          store<i16>(at, <i16>value);
        } else {
          if (value < -2147483648 || value > 2147483647) return FAILED;
          store<i32>(at, <i32>value);
        }
      }
    }
    while (p < end && isBlank(load<u8>(p))) p++;
    if (p < end && load<u8>(p) != 0x0a) return FAILED;
  }
  while (p < end && isWhitespace(load<u8>(p))) p++;
  return p == end ? 0 : FAILED;
}
