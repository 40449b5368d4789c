// Lookup tables of the SIMD parser, and the builder of swizzle tables the histogram uses too, built once at
// instantiation (a 4 KiB data segment would make the binary too large for a synchronous `new WebAssembly.Module` on a
// browser's main thread).

/**
 * PACK_TABLE[e] (16 bytes) is the index vector that packs the numbers ending at the positions of the set bits of the
 * 8-bit mask `e` into u16 lanes: output lane j gets the byte at p, the position of the j-th set bit, as its low byte.
 * Its high byte is 0 (index 0x80: out of range) for i8x16.swizzle, or with relaxed SIMD the byte at p + 8, where the
 * parser puts the hundreds digits for i16x8.relaxed_dot_i8x16_i7x16_s. Unused lanes become 0.
 */
export const PACK_TABLE: usize = memory.data(ASC_FEATURE_RELAXED_SIMD ? 256 * 16 : 2 * 256 * 16, 16);
/** Without relaxed SIMD, the same for the upper 8 bytes of a 16-byte window: positions 8..15. */
export const PACK_TABLE_UPPER: usize = PACK_TABLE + 256 * 16;

/** A swizzle index that reads 0. */
const ZERO_LANE: u8 = 0x80;

/**
 * Fills a table of 256 swizzles (16 bytes each) that move to the front, in order, the lanes at the set bits of an
 * 8-bit mask: output lane j gets bytes lowStart + p * lowStep and highStart + p * highStep, p the position of the j-th
 * set bit (a step of 0 with ZERO_LANE: a byte that reads 0); unused lanes read 0.
 */
export function buildLaneTable(table: usize, lowStart: u8, lowStep: u8, highStart: u8, highStep: u8): void {
  for (let mask = 0; mask < 256; mask++) {
    const entry = table + (<usize>mask << 4);
    let lane: usize = 0;
    for (let bit: u8 = 0; bit < 8; bit++) {
      if ((mask >> bit) & 1) {
        store<u8>(entry + (lane << 1), lowStart + bit * lowStep);
        store<u8>(entry + (lane << 1) + 1, highStart + bit * highStep);
        lane++;
      }
    }
    for (; lane < 8; lane++) store<u16>(entry + (lane << 1), (<u16>ZERO_LANE << 8) | ZERO_LANE);
  }
}

if (ASC_FEATURE_RELAXED_SIMD) buildLaneTable(PACK_TABLE, 0, 1, 8, 1);
else {
  buildLaneTable(PACK_TABLE, 0, 1, ZERO_LANE, 0);
  buildLaneTable(PACK_TABLE_UPPER, 8, 1, ZERO_LANE, 0);
}

/**
 * Byte constants that the parser splats into vectors. V8 rematerialises vector constants inside loops;
 * vectors loaded from memory stay in registers.
 */
export const BYTE_CONSTANTS: usize = memory.data<u8>([
  0x50, // +0: maps '0'..'9' to 0x80..0x89, the lowest signed bytes
  0x8a, // +1: signed bound: x < 0x8a (as i8) <=> the byte was a digit
  0x0f, // +2: low nibble = digit value
  0x2c, // +3: ','
  0x30, // +4: '0'
  0x00, // +5: unused, so that the u16 constants are 2-byte aligned
  0x0a, // +6: 10 as a little-endian u16
  0x00,
  0x64, // +8: 100 as a little-endian u16
  0x00,
  0x01, // +10: weights of a (below 100, hundreds) byte pair, 1 and 100 (relaxed SIMD)
  0x64,
], 2);

/**
 * 16-byte table indexed by a byte's low nibble: the one byte other than a digit that the fast path accepts with that
 * low nibble (' ', '\t', '\n', ',', '\r'), and elsewhere 0, which no byte with that low nibble equals.
 */
export const SEPARATORS_BY_LOW_NIBBLE: usize = memory.data<u8>(
  [0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x0a, 0, 0x2c, 0x0d, 0, 0],
  16,
);
