// DEFLATE (RFC 1951) for the panoptic labels of `dataset nuscenes` (.npz): uint16 values in long runs of one value.
// Blocks with the fixed Huffman codes (BTYPE 01), of literal bytes and back-references; a run of one uint16 value is
// a reference 2 bytes back (a value's two bytes repeat every 2 bytes), other repeats come from a hash table of the
// last position of each 4-byte sequence. Greedy: the longest of the two references, else a literal. Each block takes
// at most 65535 input bytes and is written again as a stored block (BTYPE 00) where that is shorter (data without
// repeats): the output is at most 5 bytes per block longer than the input.
// The caller gives a region of HASH_BYTES for the table and an output of at least deflateBound(n) bytes (see
// src/dataset/deflate.ts); the input is read within its bounds only. Returns the output's length.

const WINDOW: usize = 32768;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const BLOCK_SIZE: usize = 65535; // the most a stored block holds
const HASH_BITS: u32 = 14;
const END_OF_BLOCK: i32 = 256;

// Each code as the bits to write, already in the order the stream takes them (Huffman codes go most significant bit
// first into a stream filled from each byte's least significant bit: RFC 1951 3.1.1), in the low 24 bits, and the
// count of bits in the top 8.
/** Literal/length symbols 0 to 287 (RFC 1951 3.2.6). */
const symbolCodes = memory.data(288 * 4);
/** Match lengths 3 to 258 (at their length): the length symbol's code and its extra bits. */
const lengthCodes = memory.data(<i32>(MAX_MATCH + 1) * 4);
/** Distance symbols 0 to 29: five bits each, reversed. */
const distanceCodes = memory.data(32);
let tablesReady = false;

// The bit writer: bits not yet stored, their count (below 32 between calls) and where the next byte goes.
let bits: u64 = 0;
let bitCount: u32 = 0;
let out: usize = 0;

export function deflateRaw(inPtr: usize, inLen: i32, outPtr: usize, tablePtr: usize): i32 {
  if (!tablesReady) buildTables();
  memory.fill(tablePtr, 0, (1 << HASH_BITS) * 4);
  bits = 0;
  bitCount = 0;
  out = outPtr;
  const inEnd = inPtr + <usize>inLen;
  let start = inPtr;
  do {
    const end = min(start + BLOCK_SIZE, inEnd);
    const last = end == inEnd;
    const blockOut = out;
    const blockBits = bits;
    const blockBitCount = bitCount;
    if (!fixedBlock(inPtr, start, end, last, tablePtr)) {
      out = blockOut;
      bits = blockBits;
      bitCount = blockBitCount;
      storedBlock(start, end, last);
    }
    start = end;
  } while (start < inEnd);
  flushToByte();
  return <i32>(out - outPtr);
}

/** Writes `count` bits (at most 31); stores them 32 at a time. */
@inline
function put(value: u32, count: u32): void {
  bits |= <u64>value << bitCount;
  bitCount += count;
  if (bitCount >= 32) {
    store<u32>(out, <u32>bits);
    out += 4;
    bits >>= 32;
    bitCount -= 32;
  }
}

/** Stores the bits not yet stored, the last byte's unused bits 0. */
function flushToByte(): void {
  while (bitCount > 0) {
    store<u8>(out++, <u8>bits);
    bits >>= 8;
    bitCount = bitCount > 8 ? bitCount - 8 : 0;
  }
}

@inline
function putCode(code: u32): void {
  put(code & 0xffffff, code >> 24);
}

/**
 * The block of bytes `start` to `end` with the fixed codes; false, part written, as soon as it is longer than a
 * stored block would be. References reach back to `inPtr` (earlier blocks), within the window.
 */
function fixedBlock(inPtr: usize, start: usize, end: usize, last: bool, table: usize): bool {
  const storedBits = (<usize>(end - start) + 5) * 8 + 7;
  const blockOut = out;
  const blockBitCount = bitCount;
  put(last ? 0b011 : 0b010, 3);
  let p = start;
  while (p < end) {
    let length: usize = 0;
    let distance: usize = 2;
    if (p + MIN_MATCH <= end) {
      if (p >= inPtr + 2) length = matchLength(p, p - 2, end);
      if (length < MAX_MATCH && p + 4 <= end) {
        const word = load<u32>(p);
        const slot = table + (<usize>((word * 0x9e3779b1) >> (32 - HASH_BITS)) << 2);
        const candidate = inPtr + <usize>load<u32>(slot);
        store<u32>(slot, <u32>(p - inPtr));
        if (candidate < p && p - candidate <= WINDOW && load<u32>(candidate) == word) {
          const found = matchLength(p, candidate, end);
          if (found > length) {
            length = found;
            distance = p - candidate;
          }
        }
      }
    }
    if (length >= MIN_MATCH) {
      putMatch(length, distance);
      p += length;
    } else {
      putCode(load<u32>(symbolCodes + (<usize>load<u8>(p) << 2)));
      p++;
    }
    if (<usize>(out - blockOut) * 8 + bitCount - blockBitCount > storedBits) return false;
  }
  putCode(load<u32>(symbolCodes + (<usize>END_OF_BLOCK << 2)));
  return <usize>(out - blockOut) * 8 + bitCount - blockBitCount <= storedBits;
}

/** The bytes from `p` on (before `end`) that equal those from `from` on, 16 at a time. */
@inline
function matchLength(p: usize, from: usize, end: usize): usize {
  let length: usize = 0;
  while (p + length + 16 <= end) {
    const same = i8x16.bitmask(i8x16.eq(v128.load(p + length), v128.load(from + length)));
    if (same != 0xffff) return length + <usize>ctz(~same);
    length += 16;
  }
  while (p + length < end && load<u8>(p + length) == load<u8>(from + length)) length++;
  return length;
}

/** A reference of any length from 3 on: pieces of at most 258, none shorter than 3. */
function putMatch(length: usize, distance: usize): void {
  const x = <u32>(distance - 1);
  let distanceBits: u32;
  let distanceCount: u32;
  if (x < 4) {
    distanceBits = <u32>load<u8>(distanceCodes + x);
    distanceCount = 5;
  } else {
    // Codes 4 to 29: two per power of two, the bit below the highest one choosing, the bits below it extra.
    const high = 31 - clz(x);
    const extra = high - 1;
    distanceBits = <u32>load<u8>(distanceCodes + ((high << 1) | ((x >> extra) & 1))) | ((x & ((1 << extra) - 1)) << 5);
    distanceCount = 5 + extra;
  }
  let rest = length;
  while (rest > MAX_MATCH) {
    const piece = rest - MAX_MATCH >= MIN_MATCH ? MAX_MATCH : rest - MIN_MATCH;
    putReference(piece, distanceBits, distanceCount);
    rest -= piece;
  }
  putReference(rest, distanceBits, distanceCount);
}

@inline
function putReference(length: usize, distanceBits: u32, distanceCount: u32): void {
  const code = load<u32>(lengthCodes + (length << 2));
  const count = code >> 24;
  put((code & 0xffffff) | (distanceBits << count), count + distanceCount); // at most 13 + 18 bits
}

/** The bytes `start` to `end` as they are: the header's 3 bits, then from the next byte LEN, NLEN and the bytes. */
function storedBlock(start: usize, end: usize, last: bool): void {
  put(last ? 1 : 0, 3);
  flushToByte();
  const length = <u32>(end - start);
  store<u16>(out, <u16>length);
  store<u16>(out, <u16>~length, 2);
  memory.copy(out + 4, start, end - start);
  out += 4 + (end - start);
}

function reversed(code: u32, count: u32): u32 {
  let result: u32 = 0;
  for (let i: u32 = 0; i < count; i++) result |= ((code >> i) & 1) << (count - 1 - i);
  return result;
}

/** The fixed codes (RFC 1951 3.2.6) and the length symbols' extra bits (3.2.5), in the tables above. */
function buildTables(): void {
  for (let s: u32 = 0; s < 288; s++) {
    let code: u32;
    let count: u32;
    if (s < 144) {
      code = 0x30 + s;
      count = 8;
    } else if (s < 256) {
      code = 0x190 + s - 144;
      count = 9;
    } else if (s < 280) {
      code = s - 256;
      count = 7;
    } else {
      code = 0xc0 + s - 280;
      count = 8;
    }
    store<u32>(symbolCodes + (<usize>s << 2), reversed(code, count) | (count << 24));
  }
  for (let length: u32 = <u32>MIN_MATCH; length <= <u32>MAX_MATCH; length++) {
    const x = length - 3;
    let symbol: u32;
    let extra: u32 = 0;
    if (length == <u32>MAX_MATCH) symbol = 285;
    else if (x < 8) symbol = 257 + x;
    else {
      // Four symbols per power of two from 11 on, the two bits below the highest one choosing, the bits below extra.
      const high = 31 - clz(x);
      extra = high - 2;
      symbol = 257 + ((high - 1) << 2) + ((x >> extra) & 3);
    }
    const code = load<u32>(symbolCodes + (<usize>symbol << 2));
    const count = code >> 24;
    const extraValue = x & ((1 << extra) - 1);
    store<u32>(lengthCodes + (<usize>length << 2), (code & 0xffffff) | (extraValue << count) | ((count + extra) << 24));
  }
  for (let d: u32 = 0; d < 30; d++) store<u8>(distanceCodes + d, <u8>reversed(d, 5));
  tablesReady = true;
}
