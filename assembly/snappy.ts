// Snappy compression (raw format, google/snappy's format_description.txt) for Parquet's SNAPPY pages: the input's
// length as a varint, then literals and copies. The input is taken in blocks of 64 KiB, so that every copy's offset
// fits two bytes and the hash table of recent positions (a 32 KiB region the caller gives) is reset per block. Where
// no match turns up, the search strides further and further ahead (one more byte every 32 misses): data that hardly
// compresses costs little more than a copy. Matches are extended 8 bytes at a time (the first differing byte from the
// XOR's trailing zeros).
// The caller gives an output of at least 32 + n + n / 6 bytes for n input bytes (Snappy's bound), and 16 bytes of
// memory it may overwrite after it and read after the input. Returns the output's length.

const BLOCK_SIZE: usize = 1 << 16;
const HASH_BITS: u32 = 14;
/** Bytes kept out of the match search at a block's end: every 4-byte load of the search stays inside the block. */
const INPUT_MARGIN: usize = 15;

export function snappyCompress(inPtr: usize, inLen: i32, outPtr: usize, tablePtr: usize): i32 {
  let op = outPtr;
  let rest = <u32>inLen;
  while (rest >= 0x80) {
    store<u8>(op++, <u8>((rest & 0x7f) | 0x80));
    rest >>= 7;
  }
  store<u8>(op++, <u8>rest);
  const inEnd = inPtr + <usize>inLen;
  for (let start = inPtr; start < inEnd; start += BLOCK_SIZE) {
    op = compressBlock(start, min(start + BLOCK_SIZE, inEnd), op, tablePtr);
  }
  return <i32>(op - outPtr);
}

@inline
function hashOf(word: u32): usize {
  return <usize>((word * 0x1e35a7bd) >> (32 - HASH_BITS)) << 1;
}

function compressBlock(start: usize, end: usize, out: usize, table: usize): usize {
  let op = out;
  let nextEmit = start;
  if (end - start > INPUT_MARGIN) {
    memory.fill(table, 0, (1 << HASH_BITS) * 2);
    const limit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextHash = hashOf(load<u32>(ip));
    let done = false;
    while (!done) {
      // A 4-byte match: a position whose bytes equal those at the last position with the same hash.
      let skip: usize = 32;
      let nextIp = ip;
      let candidate: usize = 0;
      let found = false;
      while (true) {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip++ >> 5);
        if (nextIp > limit) break;
        nextHash = hashOf(load<u32>(nextIp));
        candidate = start + <usize>load<u16>(table + hash);
        store<u16>(table + hash, <u16>(ip - start));
        if (load<u32>(ip) == load<u32>(candidate)) {
          found = true;
          break;
        }
      }
      if (!found) break;
      op = emitLiteral(nextEmit, ip, op);
      // Copies, for as long as the bytes after one copy match again.
      while (true) {
        const from = ip;
        let length: usize = 4;
        while (from + length + 8 <= end) {
          const diff = load<u64>(from + length) ^ load<u64>(candidate + length);
          if (diff != 0) {
            length += <usize>(ctz(diff) >> 3);
            break;
          }
          length += 8;
        }
        while (from + length < end && load<u8>(from + length) == load<u8>(candidate + length)) length++;
        ip = from + length;
        op = emitCopy(op, from - candidate, length);
        nextEmit = ip;
        if (ip >= limit) {
          done = true;
          break;
        }
        store<u16>(table + hashOf(load<u32>(ip - 1)), <u16>(ip - 1 - start));
        const hash = hashOf(load<u32>(ip));
        candidate = start + <usize>load<u16>(table + hash);
        store<u16>(table + hash, <u16>(ip - start));
        if (load<u32>(ip) != load<u32>(candidate)) break;
      }
      if (done) break;
      ip++;
      nextHash = hashOf(load<u32>(ip));
    }
  }
  if (nextEmit < end) op = emitLiteral(nextEmit, end, op);
  return op;
}

/** A literal: tag 00 with its length - 1 in the upper six bits, or in the 1 to 3 bytes after them (tags 60 to 62). */
function emitLiteral(from: usize, to: usize, out: usize): usize {
  let op = out;
  const length = to - from;
  const n = <u32>(length - 1);
  if (n < 60) store<u8>(op++, <u8>(n << 2));
  else if (n < 0x100) {
    store<u8>(op++, 60 << 2);
    store<u8>(op++, <u8>n);
  } else if (n < 0x10000) {
    store<u8>(op++, 61 << 2);
    store<u16>(op, <u16>n);
    op += 2;
  } else {
    store<u8>(op++, 62 << 2);
    store<u16>(op, <u16>n);
    store<u8>(op + 2, <u8>(n >> 16));
    op += 3;
  }
  // Short literals, the usual ones between matches, by one 16-byte load and store (V8 calls out for memory.copy).
  if (length <= 16) v128.store(op, v128.load(from));
  else memory.copy(op, from, length);
  return op + length;
}

/**
 * A copy of `length` bytes from `offset` back: tag 01 (length 4 to 11, offset below 2048, in two bytes) where it fits,
 * else tag 10 (length 1 to 64, a two-byte offset); longer copies in pieces of 64, then the rest.
 */
function emitCopy(out: usize, offset: usize, length: usize): usize {
  let op = out;
  let rest = length;
  while (rest >= 68) {
    op = emitCopy2(op, offset, 64);
    rest -= 64;
  }
  if (rest > 64) {
    op = emitCopy2(op, offset, 60);
    rest -= 60;
  }
  if (rest < 12 && offset < 2048) {
    store<u8>(op, <u8>(1 | ((rest - 4) << 2) | ((offset >> 8) << 5)));
    store<u8>(op + 1, <u8>offset);
    return op + 2;
  }
  return emitCopy2(op, offset, rest);
}

@inline
function emitCopy2(op: usize, offset: usize, length: usize): usize {
  store<u8>(op, <u8>(2 | ((length - 1) << 2)));
  store<u16>(op + 1, <u16>offset);
  return op + 3;
}
