// PCD `DATA ascii` rows parsed straight into the field arrays. The JS side lays out a table with, per value of a row,
// where the value of point 0 goes, the bytes between points and the element type. Numbers of up to 19 significant
// digits are converted here, correctly rounded to the field's type (pcd-number.ts), nan and inf included; a number
// with more significant digits is left for the JS side (its offset and value index go to the exception list).
// Returns 0, or -1 on anything else: the JS side then parses the data itself, which reports the exact fault.
import { decimalToF32, decimalToF64 } from './pcd-number';

const TYPE_F4: u32 = 0;
const TYPE_F8: u32 = 1;
const TYPE_U1: u32 = 2;
const TYPE_U2: u32 = 3;
const TYPE_U4: u32 = 4;
const TYPE_I1: u32 = 5;
const TYPE_I2: u32 = 6;
const TYPE_I4: u32 = 7;
const TYPE_SKIP: u32 = 8;
const TYPE_U8: u32 = 9;
const TYPE_I8: u32 = 10;

const TABLE_ENTRY_BYTES: usize = 12;
const EXCEPTION_BYTES: usize = 8;
const MAX_SIGNIFICANT_DIGITS: i32 = 19;
// A u64 times 10 stays a u64 up to here.
const MAX_TIMES_TEN: u64 = 1844674407370955161;
const FAILED: i32 = -1;
// The quiet NaN C's `nan` and `-nan` read as (PCL stores std::numeric_limits<T>::quiet_NaN(), strtod's for "-nan").
const NAN_F32: u32 = 0x7fc00000;
const NAN_F64: u64 = 0x7ff8000000000000;

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

// Lower-case ASCII letters of a token, packed little-endian into a u64 (at most 8 of them), or 0.
function lowerWord(p: usize, end: usize): u64 {
  if (end - p > 8) return 0;
  let word: u64 = 0;
  for (let k: usize = 0; p + k < end; k++) word |= <u64>(load<u8>(p + k) | 0x20) << (k << 3);
  return word;
}

const WORD_NAN: u64 = 0x6e616e; // "nan"
const WORD_INF: u64 = 0x666e69; // "inf"
const WORD_INFINITY: u64 = 0x7974696e69666e69; // "infinity"

// The integer w x 10^q, if it is one and fits a u64; `integerOk` says whether it did.
let integerOk = false;

function exactInteger(w: u64, q: i32): u64 {
  integerOk = false;
  if (w == 0) {
    integerOk = true;
    return 0;
  }
  let n = w;
  if (q >= 0) {
    for (let k = 0; k < q; k++) {
      if (n > MAX_TIMES_TEN) return 0;
      n *= 10;
    }
  } else {
    for (let k = 0; k < -q; k++) {
      if (n % 10 != 0) return 0;
      n /= 10;
    }
  }
  integerOk = true;
  return n;
}

// Stores integer ±n as `type`; false when it does not fit.
function storeInteger(at: usize, type: u32, n: u64, negative: bool): bool {
  if (negative && n != 0) {
    if (type == TYPE_I1) {
      if (n > 128) return false;
      store<i8>(at, <i8>(0 - n));
    } else if (type == TYPE_I2) {
      if (n > 32768) return false;
      store<i16>(at, <i16>(0 - n));
    } else if (type == TYPE_I4) {
      if (n > 2147483648) return false;
      store<i32>(at, <i32>(0 - n));
    } else if (type == TYPE_I8) {
      if (n > 0x8000000000000000) return false;
      store<u64>(at, 0 - n);
    } else return false;
    return true;
  }
  if (type == TYPE_U1 || type == TYPE_I1) {
    if (n > (type == TYPE_U1 ? <u64>255 : <u64>127)) return false;
    store<u8>(at, <u8>n);
  } else if (type == TYPE_U2 || type == TYPE_I2) {
    if (n > (type == TYPE_U2 ? <u64>65535 : <u64>32767)) return false;
    store<u16>(at, <u16>n);
  } else if (type == TYPE_U4 || type == TYPE_I4) {
    if (n > (type == TYPE_U4 ? <u64>4294967295 : <u64>2147483647)) return false;
    store<u32>(at, <u32>n);
  } else {
    if (type != TYPE_U8 && n > 0x7fffffffffffffff) return false;
    store<u64>(at, n);
  }
  return true;
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
      const afterSign = p;
      // The number is w x 10^q; digits beyond the 19th significant one only move q (or make it inexact).
      let w: u64 = 0;
      let q: i32 = 0;
      let digits: i32 = 0;
      let significant: i32 = 0;
      let truncated = false;
      while (p < end) {
        const digit = <u32>load<u8>(p) - 0x30;
        if (digit > 9) break;
        if (significant < MAX_SIGNIFICANT_DIGITS) {
          if (w != 0 || digit != 0) {
            w = w * 10 + digit;
            significant++;
          }
        } else {
          q++;
          if (digit != 0) truncated = true;
        }
        digits++;
        p++;
      }
      if (p < end && load<u8>(p) == 0x2e) {
        p++;
        while (p < end) {
          const digit = <u32>load<u8>(p) - 0x30;
          if (digit > 9) break;
          if (significant < MAX_SIGNIFICANT_DIGITS) {
            if (w != 0 || digit != 0) {
              w = w * 10 + digit;
              significant++;
            }
            q--;
          } else if (digit != 0) truncated = true;
          digits++;
          p++;
        }
      }
      const entry = tablePtr + j * TABLE_ENTRY_BYTES;
      const type = load<u32>(entry, 8);
      const at = <usize>load<u32>(entry) + i * <usize>load<u32>(entry, 4);
      if (digits == 0) {
        // nan, inf, infinity (any case, any sign) in a float field; anything else is not a number.
        while (p < end && !isWhitespace(load<u8>(p))) p++;
        const word = lowerWord(afterSign, p);
        const isNan = word == WORD_NAN;
        if (!isNan && word != WORD_INF && word != WORD_INFINITY) return FAILED;
        if (type == TYPE_F4) {
          const sign: u32 = negative ? 0x80000000 : 0;
          store<u32>(at, isNan ? NAN_F32 | sign : 0x7f800000 | sign);
        } else if (type == TYPE_F8) {
          const sign: u64 = negative ? 0x8000000000000000 : 0;
          store<u64>(at, isNan ? NAN_F64 | sign : 0x7ff0000000000000 | sign);
        } else if (type != TYPE_SKIP) return FAILED;
        continue;
      }
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
        q += exponentNegative ? -e : e;
      }
      if (p < end && !isWhitespace(load<u8>(p))) return FAILED;
      if (truncated) {
        if (exceptions == exceptionCapacity) return FAILED;
        const record = exceptionPtr + <usize>exceptions * EXCEPTION_BYTES;
        store<u32>(record, <u32>(start - inPtr));
        store<u32>(record, <u32>(i * <usize>valuesPerPoint + j), 4);
        exceptions++;
        continue;
      }
      if (type == TYPE_F4) store<f32>(at, decimalToF32(w, q, negative));
      else if (type == TYPE_F8) store<f64>(at, decimalToF64(w, q, negative));
      else if (type != TYPE_SKIP) {
        const n = exactInteger(w, q);
        if (!integerOk || !storeInteger(at, type, n, negative)) return FAILED;
      }
    }
    while (p < end && isBlank(load<u8>(p))) p++;
    if (p < end && load<u8>(p) != 0x0a) return FAILED;
  }
  while (p < end && isWhitespace(load<u8>(p))) p++;
  return p == end ? 0 : FAILED;
}
