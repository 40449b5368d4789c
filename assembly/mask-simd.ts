// The fast path: whole 64-byte blocks of a mask, validated and decoded with SIMD.
//
// A block is taken only if every byte is a digit, JSON whitespace or a comma, every number has at most 3 digits and
// no leading zero, and numbers and commas alternate. Then, for every 16-byte window, the value of the number that ends
// just before each separator is d[i-1] + 10*d[i-2] + 100*d[i-3] (digits of other numbers masked out), and the
// positions that follow a number are packed into u16 labels with PACK_TABLE. Any other block (the closing bracket,
// 4-5 digit numbers, every error) goes to the exact scalar parser, which hands back at the next number it reaches
// past the fault. Numbers straddle blocks: the previous window's digits are carried in registers, never re-read,
// because labels are written in place over input that has been consumed.
// Runs of equal labels take this path too: a per-run path (the token repeated with its separator as a 16-byte pattern,
// one compare per 16 bytes, a splat store and one histogram add per run) measured 0.72-0.85x of this parser plus the
// histogram on realistic 2M-point masks (runs of mean 12, lines of 80 columns), even without validating anything.
import { countUpTo } from './histogram';
import { BYTE_CONSTANTS, PACK_TABLE, PACK_TABLE_UPPER, SEPARATORS_BY_LOW_NIBBLE } from './tables';

/** Blocks between two hand-overs of new labels to the histogram, so that they are counted while in cache. */
const BLOCKS_PER_COUNT = 64;

/** Where the scalar parser takes over: the label write pointer, its state and the first position to hand back at. */
export let blocksOut: usize = 0;
export let blocksExpectValue: bool = true;
export let blocksResumeAt: usize = 0;

// @ts-ignore: decorator
@inline function prefixXor(x: u64): u64 {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  return x ^ (x << 32);
}

// @ts-ignore: decorator
@inline function bitmask64(v0: v128, v1: v128, v2: v128, v3: v128): u64 {
  return (
    <u64>(<u32>i8x16.bitmask(v0)) |
    (<u64>(<u32>i8x16.bitmask(v1)) << 16) |
    (<u64>(<u32>i8x16.bitmask(v2)) << 32) |
    (<u64>(<u32>i8x16.bitmask(v3)) << 48)
  );
}


/**
 * A byte-wise table lookup whose indices are all below 16: relaxed SIMD's swizzle is then exact, and a single pshufb
 * (V8's i8x16.swizzle adds a saturating add and a constant to map indices >= 16 to 0).
 */
// @ts-ignore: decorator
@inline function lookup16(table: v128, indices: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(table, indices);
  return i8x16.swizzle(table, indices);
}

/** All ones in the bytes of `a` that are digits (`digit`: their mask), commas or JSON whitespace. */
// @ts-ignore: decorator
@inline function digitOrSeparator(a: v128, digit: v128, lowNibble: v128, separators: v128): v128 {
  return v128.or(digit, i8x16.eq(a, lookup16(separators, v128.and(a, lowNibble))));
}

/** Bit i set when byte i of the block at p is not a digit, a comma or JSON whitespace. Off the hot loop. */
// @ts-ignore: decorator
@inline function unexpectedBytes(p: usize, bias: v128, digitBound: v128, lowNibble: v128, separators: v128): u64 {
  let bits: u64 = 0;
  for (let k: usize = 0; k < 64; k += 16) {
    const a = v128.load(p + k);
    const ok = digitOrSeparator(a, i8x16.lt_s(i8x16.add(a, bias), digitBound), lowNibble, separators);
    bits |= <u64>(<u32>i8x16.bitmask(ok) ^ 0xffff) << k;
  }
  return bits;
}

/**
 * Writes the labels of the numbers that end in one 16-byte window and returns the new write pointer. `z` and `m` are
 * the window's digit values (0 elsewhere) and digit mask, `zPrev` and `mPrev` those of the 16 bytes before it, and bit
 * i of `windowEnds` marks byte i as the first byte after a number. The value of that number is computed at byte i:
 * d[i-1] + 10 d[i-2] + 100 d[i-3], with the digits of other numbers masked out.
 */
// @ts-ignore: decorator
@inline function emitWindow(
  o: usize,
  zPrev: v128,
  z: v128,
  mPrev: v128,
  m: v128,
  windowEnds: u32,
  ten: v128,
  hundred: v128,
  weights: v128,
): usize {
  const ones = i8x16.shuffle(zPrev, z, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  const tens = i8x16.shuffle(zPrev, z, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
  // 10 * tens in every byte with one 16-bit multiply: each byte's product is at most 90, so nothing carries.
  const belowHundred = i8x16.add(ones, i16x8.mul(tens, ten));
  const lowEnds = windowEnds & 0xff;
  const highEnds = windowEnds >> 8;
  // Hundreds digit: byte i-3, kept only when byte i-2 is a digit of the same number. Always computed: a branch on
  // "this block has a 3-digit number" mispredicts on real masks (measured 6-8% slower on 2M-point masks).
  const hundreds = v128.and(
    i8x16.shuffle(zPrev, z, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28),
    i8x16.shuffle(mPrev, m, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29),
  );
  let low: v128, high: v128;
  if (ASC_FEATURE_RELAXED_SIMD) {
    // Each half's (below 100, hundreds) bytes side by side, packed as pairs by one pshufb and weighted 1 and 100 by
    // one pmaddubsw (the values are below 128, where the relaxed forms are exact). The core took 0.92x the time of the
    // plain build with this on Node 24 (2M-point realistic mask, interleaved in one process).
    const lowPairs = i8x16.shuffle(belowHundred, hundreds, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const highPairs = i8x16.shuffle(
      belowHundred, hundreds, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31,
    );
    const lowPack = v128.load(<usize>lowEnds << 4, PACK_TABLE);
    const highPack = v128.load(<usize>highEnds << 4, PACK_TABLE);
    low = i16x8.relaxed_dot_i8x16_i7x16_s(i8x16.relaxed_swizzle(lowPairs, lowPack), weights);
    high = i16x8.relaxed_dot_i8x16_i7x16_s(i8x16.relaxed_swizzle(highPairs, highPack), weights);
  } else {
    // Each swizzle costs V8 a saturating add and a constant besides the pshufb (indices >= 16 must read 0).
    const lowPack = v128.load(<usize>lowEnds << 4, PACK_TABLE);
    const highPack = v128.load(<usize>highEnds << 4, PACK_TABLE_UPPER);
    low = i16x8.add(i8x16.swizzle(belowHundred, lowPack), i16x8.mul(i8x16.swizzle(hundreds, lowPack), hundred));
    high = i16x8.add(i8x16.swizzle(belowHundred, highPack), i16x8.mul(i8x16.swizzle(hundreds, highPack), hundred));
  }
  v128.store(o, low);
  o += <usize>popcnt(lowEnds) << 1;
  v128.store(o, high);
  return o + (<usize>popcnt(highEnds) << 1);
}

/**
 * Decodes blocks from `p`, the first digit of a number that follows '[' or ',' (and whitespace), writing u16 labels
 * at `o`. `o` must stay at least 16 bytes behind the input position: labels are stored 8 at a time.
 * Returns the position at which the scalar parser continues; see blocksOut, blocksExpectValue, blocksResumeAt.
 */
export function parseBlocks(p: usize, o: usize): usize {
  // Constants loaded from memory (see tables.ts).
  const bias = v128.load8_splat(BYTE_CONSTANTS);
  const digitBound = v128.load8_splat(BYTE_CONSTANTS, 1);
  const lowNibble = v128.load8_splat(BYTE_CONSTANTS, 2);
  const comma = v128.load8_splat(BYTE_CONSTANTS, 3);
  const zeroDigit = v128.load8_splat(BYTE_CONSTANTS, 4);
  const ten = v128.load16_splat(BYTE_CONSTANTS, 6);
  const hundred = v128.load16_splat(BYTE_CONSTANTS, 8);
  const weights = v128.load16_splat(BYTE_CONSTANTS, 10);
  const separators = v128.load(SEPARATORS_BY_LOW_NIBBLE);

  let zPrev = i8x16.splat(0); // digit values (0 elsewhere) of the previous 16 bytes
  let mPrev = i8x16.splat(0); // digit mask of the previous 16 bytes
  let digitsBefore: u64 = 0; // digit bits of the previous block
  let zerosBefore: u64 = 0; // '0' bits of the previous block
  let parity: u64 = 0; // all ones when the last token was a number, 0 when it was a comma
  let bad: u64 = 0;
  let blocksToCount = BLOCKS_PER_COUNT;

  while (true) {
    const a0 = v128.load(p);
    const a1 = v128.load(p, 16);
    const a2 = v128.load(p, 32);
    const a3 = v128.load(p, 48);
    const x0 = i8x16.add(a0, bias);
    const x1 = i8x16.add(a1, bias);
    const x2 = i8x16.add(a2, bias);
    const x3 = i8x16.add(a3, bias);
    const m0 = i8x16.lt_s(x0, digitBound);
    const m1 = i8x16.lt_s(x1, digitBound);
    const m2 = i8x16.lt_s(x2, digitBound);
    const m3 = i8x16.lt_s(x3, digitBound);
    const c0 = i8x16.eq(a0, comma);
    const c1 = i8x16.eq(a1, comma);
    const c2 = i8x16.eq(a2, comma);
    const c3 = i8x16.eq(a3, comma);
    const ok0 = digitOrSeparator(a0, m0, lowNibble, separators);
    const ok1 = digitOrSeparator(a1, m1, lowNibble, separators);
    const ok2 = digitOrSeparator(a2, m2, lowNibble, separators);
    const ok3 = digitOrSeparator(a3, m3, lowNibble, separators);
    // '\n' compared like ' ', with '\t' and '\r' looked for only in blocks that fail, measured within 2% of this
    // (faster on Node 20, slower on 24).
    if (!i8x16.all_true(v128.and(v128.and(ok0, ok1), v128.and(ok2, ok3)))) break;

    const digits = bitmask64(m0, m1, m2, m3);
    const commas = bitmask64(c0, c1, c2, c3);
    const zeros = bitmask64(i8x16.eq(a0, zeroDigit), i8x16.eq(a1, zeroDigit), i8x16.eq(a2, zeroDigit), i8x16.eq(a3, zeroDigit));
    // Bit i of digitsK: byte i-K is a digit (looking back into the previous block).
    const digits1 = (digits << 1) | (digitsBefore >> 63);
    const digits2 = (digits << 2) | (digitsBefore >> 62);
    const digits3 = (digits << 3) | (digitsBefore >> 61);
    const zeros1 = (zeros << 1) | (zerosBefore >> 63);
    const starts = digits & ~digits1;
    const ends = digits1 & ~digits; // the byte right after each number
    const tokens = starts | commas;
    const tokenParity = prefixXor(tokens) ^ parity; // set at the tokens that must be numbers
    bad =
      (digits & digits1 & digits2 & digits3) | // 4 or more digits
      (digits & zeros1 & ~digits2) | // a '0' that starts a number followed by a digit
      ((tokens & tokenParity) ^ starts); // two numbers or two commas in a row
    if (bad) break;
    parity = <u64>(<i64>tokenParity >> 63);

    // Decode the four 16-byte windows (unrolled: the vectors of the checks above are reused).
    const z0 = v128.and(v128.and(x0, m0), lowNibble);
    const z1 = v128.and(v128.and(x1, m1), lowNibble);
    const z2 = v128.and(v128.and(x2, m2), lowNibble);
    const z3 = v128.and(v128.and(x3, m3), lowNibble);
    o = emitWindow(o, zPrev, z0, mPrev, m0, <u32>ends & 0xffff, ten, hundred, weights);
    o = emitWindow(o, z0, z1, m0, m1, <u32>(ends >> 16) & 0xffff, ten, hundred, weights);
    o = emitWindow(o, z1, z2, m1, m2, <u32>(ends >> 32) & 0xffff, ten, hundred, weights);
    o = emitWindow(o, z2, z3, m2, m3, <u32>(ends >> 48), ten, hundred, weights);
    zPrev = z3;
    mPrev = m3;
    digitsBefore = digits;
    zerosBefore = zeros;
    p += 64;
    if (--blocksToCount == 0) {
      countUpTo(o);
      blocksToCount = BLOCKS_PER_COUNT;
    }
  }

  // Hand over to the scalar parser.
  blocksResumeAt = p + <usize>ctz(bad | unexpectedBytes(p, bias, digitBound, lowNibble, separators)) + 1;
  blocksOut = o;
  countUpTo(o);
  if (digitsBefore >> 63) {
    // A number runs into this block: the scalar parser re-reads it whole (at most 3 digits, still intact).
    blocksExpectValue = true;
    return p - <usize>clz(~digitsBefore);
  }
  blocksExpectValue = parity == 0;
  return p;
}
