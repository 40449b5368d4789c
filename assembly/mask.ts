// Mask text -> u16 labels + u32 histogram, in one pass.
// Accepts exactly a JSON array of integers 0..65535 with JSON whitespace and an optional UTF-8 BOM.
// Returns the point count, or the negated error code (codes are mirrored in src/mask-errors.ts).

const ERR_EMPTY_INPUT: i32 = 1;
const ERR_EXPECTED_ARRAY: i32 = 2;
const ERR_EXPECTED_VALUE: i32 = 3;
const ERR_EXPECTED_COMMA_OR_END: i32 = 4;
const ERR_VALUE_OUT_OF_RANGE: i32 = 5;
const ERR_SIGNED_VALUE: i32 = 6;
const ERR_NOT_AN_INTEGER: i32 = 7;
const ERR_LEADING_ZERO: i32 = 8;
const ERR_UNEXPECTED_END: i32 = 9;
const ERR_TRAILING_DATA: i32 = 10;

const HISTOGRAM_ENTRIES: i32 = 65536;

let lastErrorOffset: i32 = 0;
let lastMaxLabel: i32 = -1;
// Histogram entries that may still hold counts from the previous call: cleared lazily at the next call.
let dirtyEntries: i32 = HISTOGRAM_ENTRIES;

/** Byte offset of the fault reported by the last failed decodeMask. */
export function errorOffset(): i32 {
  return lastErrorOffset;
}

/** Largest label of the last successful decodeMask, -1 for an empty mask. */
export function maxLabel(): i32 {
  return lastMaxLabel;
}

// @ts-ignore: decorator
@inline function isWhitespace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

// @ts-ignore: decorator
@inline function skipWhitespace(p: usize, end: usize): usize {
  while (p < end && isWhitespace(load<u8>(p))) p++;
  return p;
}

/**
 * Parses `inLen` bytes at `inPtr`, writes labels as u16 at `outPtr` (room for inLen / 2 + 1 labels)
 * and counts them into 65536 u32 entries at `histPtr`.
 */
export function decodeMask(inPtr: usize, inLen: i32, outPtr: usize, histPtr: usize): i32 {
  memory.fill(histPtr, 0, <usize>dirtyEntries << 2);
  dirtyEntries = HISTOGRAM_ENTRIES;
  const end = inPtr + <usize>inLen;
  let p = inPtr;
  if (inLen >= 3 && load<u8>(p) == 0xef && load<u8>(p, 1) == 0xbb && load<u8>(p, 2) == 0xbf) p += 3;
  p = skipWhitespace(p, end);
  if (p == end) return fail(ERR_EMPTY_INPUT, p, inPtr, -1);
  if (load<u8>(p) != 0x5b) return fail(ERR_EXPECTED_ARRAY, p, inPtr, -1);
  p = skipWhitespace(p + 1, end);
  let count: i32 = 0;
  let max: i32 = -1;
  if (p < end && load<u8>(p) == 0x5d) {
    p++;
  } else {
    while (true) {
      if (p == end) return fail(ERR_UNEXPECTED_END, p, inPtr, max);
      let c = <u32>load<u8>(p);
      let digit = c - 0x30;
      if (digit > 9) {
        if (c == 0x2d || c == 0x2b) return fail(ERR_SIGNED_VALUE, p, inPtr, max);
        return fail(ERR_EXPECTED_VALUE, p, inPtr, max);
      }
      const start = p;
      let value = digit;
      p++;
      if (value == 0 && p < end && <u32>load<u8>(p) - 0x30 <= 9) return fail(ERR_LEADING_ZERO, start, inPtr, max);
      while (p < end) {
        digit = <u32>load<u8>(p) - 0x30;
        if (digit > 9) break;
        value = value * 10 + digit;
        if (value > 0xffff) return fail(ERR_VALUE_OUT_OF_RANGE, start, inPtr, max);
        p++;
      }
      if (p < end) {
        c = <u32>load<u8>(p);
        if (c == 0x2e || c == 0x65 || c == 0x45) return fail(ERR_NOT_AN_INTEGER, p, inPtr, max);
      }
      store<u16>(outPtr + (<usize>count << 1), <u16>value);
      const slot = histPtr + (<usize>value << 2);
      store<u32>(slot, load<u32>(slot) + 1);
      if (<i32>value > max) max = <i32>value;
      count++;
      p = skipWhitespace(p, end);
      if (p == end) return fail(ERR_UNEXPECTED_END, p, inPtr, max);
      c = <u32>load<u8>(p);
      if (c == 0x5d) {
        p++;
        break;
      }
      if (c != 0x2c) return fail(ERR_EXPECTED_COMMA_OR_END, p, inPtr, max);
      p = skipWhitespace(p + 1, end);
    }
  }
  p = skipWhitespace(p, end);
  if (p != end) return fail(ERR_TRAILING_DATA, p, inPtr, max);
  lastMaxLabel = max;
  dirtyEntries = max + 1;
  return count;
}

function fail(code: i32, at: usize, inPtr: usize, max: i32): i32 {
  lastErrorOffset = <i32>(at - inPtr);
  dirtyEntries = max + 1;
  return -code;
}
