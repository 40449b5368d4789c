// Mask text -> u16 labels + u32 histogram.
// Accepts exactly a JSON array of integers 0..65535 with JSON whitespace and an optional UTF-8 BOM.
// Returns the point count, or the negated error code (codes are mirrored in src/mask-error.ts).
//
// This file holds the exact grammar (scalar). Long stretches of the array go through the SIMD fast path
// (mask-simd.ts), which only ever accepts valid text and hands back here, at a well-defined state, for anything else:
// the closing bracket, numbers of 4-5 digits and every error, so errors and their offsets are the scalar ones.
import { countUpTo, finishCounting, isCounting, startCounting } from './histogram';
import { blocksExpectValue, blocksOut, blocksResumeAt, parseBlocks } from './mask-simd';

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
// Bytes parsed by the scalar parser after a fast-path attempt that decoded nothing, doubling while that repeats.
const MIN_SCALAR_STRETCH: usize = 256;
const MAX_SCALAR_STRETCH: usize = 65536;

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

/** `part` of decodeMask: the bytes start the mask (clear the histogram, expect the opening bracket). */
const PART_FIRST: i32 = 1;
/** `part` of decodeMask: the bytes end the mask (expect the closing bracket, then only whitespace). */
const PART_LAST: i32 = 2;

/** `part` of decodeMask, with PART_FIRST: the labels alone, no histogram (its memory is left as it is). */
const PART_UNCOUNTED: i32 = 4;

/** Where the labels of a mask given in parts continue. */
let partOut: usize = 0;

/**
 * Parses `inLen` bytes at `inPtr` (followed by 64 zero bytes), writes the labels as u16 at `outPtr` and counts them
 * into the 65536 u32 entries at `histPtr`. `outPtr` is either `inPtr - 16` or lower (labels overwrite consumed
 * input) or a separate region with room for inLen / 2 + 1 labels and 16 bytes more.
 *
 * A mask may come in parts (`part` without PART_LAST): each part but the last ends right after a comma, the next
 * continues with the next value, and `offset` is the position of the part's first byte in the mask. A part parses
 * exactly as that stretch of the whole mask would, so errors and their offsets are the same. Later parts write their
 * labels after the earlier ones (outPtr and histPtr are those of the first part); each returns the points so far.
 */
export function decodeMask(inPtr: usize, inLen: i32, outPtr: usize, histPtr: usize, offset: i32, part: i32): i32 {
  const end = inPtr + <usize>inLen;
  const last = (part & PART_LAST) != 0;
  const errorBase = inPtr - <usize>offset;
  let p = inPtr;
  let o = partOut;
  if (part & PART_FIRST) {
    const counted = (part & PART_UNCOUNTED) == 0;
    if (counted) {
      memory.fill(histPtr, 0, <usize>dirtyEntries << 2);
      dirtyEntries = HISTOGRAM_ENTRIES;
    }
    if (inLen >= 3 && load<u8>(p) == 0xef && load<u8>(p, 1) == 0xbb && load<u8>(p, 2) == 0xbf) p += 3;
    p = skipWhitespace(p, end);
    if (p == end) return fail(ERR_EMPTY_INPUT, p, errorBase);
    if (load<u8>(p) != 0x5b) return fail(ERR_EXPECTED_ARRAY, p, errorBase);
    p = skipWhitespace(p + 1, end);
    o = outPtr;
    startCounting(outPtr, histPtr, counted);
  } else {
    p = skipWhitespace(p, end);
  }
  if (part & PART_FIRST && p < end && load<u8>(p) == 0x5d) {
    p++;
  } else {
    // The fast path may take over at a number that starts at or after this position.
    let resumeAt = p;
    let scalarStretch: usize = 0;
    let expectValue = true;
    while (true) {
      if (expectValue) {
        if (p >= resumeAt && p < end && <u32>load<u8>(p) - 0x30 <= 9) {
          const from = p;
          p = parseBlocks(p, o);
          // Where the fast path keeps failing at once (labels of 4-5 digits everywhere), stay scalar for longer.
          scalarStretch = blocksOut == o ? min(max(scalarStretch << 1, MIN_SCALAR_STRETCH), MAX_SCALAR_STRETCH) : 0;
          o = blocksOut;
          resumeAt = max(blocksResumeAt, from + scalarStretch);
          expectValue = blocksExpectValue;
          // A hand-over between a comma and the next number may land in whitespace.
          if (expectValue) p = skipWhitespace(p, end);
          continue;
        }
        if (p == end) {
          if (last) return fail(ERR_UNEXPECTED_END, p, errorBase);
          // The part ends after a comma: the next part continues with the value.
          partOut = o;
          return <i32>((o - outPtr) >> 1);
        }
        let c = <u32>load<u8>(p);
        let digit = c - 0x30;
        if (digit > 9) {
          if (c == 0x2d || c == 0x2b) return fail(ERR_SIGNED_VALUE, p, errorBase);
          return fail(ERR_EXPECTED_VALUE, p, errorBase);
        }
        const start = p;
        let value = digit;
        p++;
        if (value == 0 && p < end && <u32>load<u8>(p) - 0x30 <= 9) return fail(ERR_LEADING_ZERO, start, errorBase);
        while (p < end) {
          digit = <u32>load<u8>(p) - 0x30;
          if (digit > 9) break;
          value = value * 10 + digit;
          if (value > 0xffff) return fail(ERR_VALUE_OUT_OF_RANGE, start, errorBase);
          p++;
        }
        if (p < end) {
          c = <u32>load<u8>(p);
          if (c == 0x2e || c == 0x65 || c == 0x45) return fail(ERR_NOT_AN_INTEGER, p, errorBase);
        }
        store<u16>(o, <u16>value);
        o += 2;
      }
      p = skipWhitespace(p, end);
      if (p == end) return fail(ERR_UNEXPECTED_END, p, errorBase);
      const c = <u32>load<u8>(p);
      if (c == 0x5d) {
        p++;
        break;
      }
      if (c != 0x2c) return fail(ERR_EXPECTED_COMMA_OR_END, p, errorBase);
      p = skipWhitespace(p + 1, end);
      expectValue = true;
    }
  }
  p = skipWhitespace(p, end);
  const count = <i32>((o - outPtr) >> 1);
  if (p != end) return fail(ERR_TRAILING_DATA, p, errorBase);
  // Counting was decided by the mask's first part.
  if (isCounting()) {
    countUpTo(o);
    const max = <i32>finishCounting();
    lastMaxLabel = count == 0 ? -1 : max;
    dirtyEntries = lastMaxLabel + 1;
  } else {
    lastMaxLabel = -1;
  }
  return count;
}

/** Reports error `code` at `at`, the offset of the mask's first byte being `errorBase`. */
function fail(code: i32, at: usize, errorBase: usize): i32 {
  lastErrorOffset = <i32>(at - errorBase);
  // Labels were counted on the way: clear everything at the next call.
  dirtyEntries = HISTOGRAM_ENTRIES;
  return -code;
}
