// A Snappy compressor (raw format, google/snappy's format_description.txt), for Parquet's SNAPPY pages: the input's
// length as a varint, then literals and copies. The input is taken in blocks of 64 KiB, as Snappy's own compressor
// does, so that every copy's offset fits two bytes and the hash table of recent positions is small and reset per
// block. Where no match turns up, the search strides further and further ahead (one more byte every 32 misses): float
// coordinates, which hardly compress, cost little more than a copy into the output.

const BLOCK_SIZE = 1 << 16;
const HASH_BITS = 14;
/** Bytes kept out of the match search at a block's end: every 4-byte load stays inside the block. */
const INPUT_MARGIN = 15;

/** Block-relative positions of recent 4-byte sequences, by hash (shared: a thread compresses one input at a time). */
const table = new Uint16Array(1 << HASH_BITS);

/** The most bytes `length` input bytes can take compressed: the output buffer to give `compressSnappy`. */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

/** `input` compressed into `output` (at least maxCompressedLength(input.length) bytes); returns the bytes written. */
export function compressSnappy(input: Uint8Array, output: Uint8Array): number {
  let out = 0;
  let rest = input.length;
  while (rest >= 0x80) {
    output[out++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  output[out++] = rest;
  for (let start = 0; start < input.length; start += BLOCK_SIZE) {
    out = compressBlock(input, start, Math.min(start + BLOCK_SIZE, input.length), output, out);
  }
  return out;
}

function compressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  let out = at;
  let nextEmit = start;
  if (end - start > INPUT_MARGIN) {
    table.fill(0);
    const limit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextHash = hashOf(load32(src, ip));
    search: for (;;) {
      // Find a 4-byte match, striding further after every 32 misses.
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip++ >> 5);
        if (nextIp > limit) break search;
        nextHash = hashOf(load32(src, nextIp));
        candidate = start + table[hash]!;
        table[hash] = ip - start;
      } while (load32(src, ip) !== load32(src, candidate));
      out = emitLiteral(src, nextEmit, ip, dst, out);
      // Copies for as long as the bytes after one copy match again.
      do {
        const from = ip;
        let length = 4;
        while (from + length < end && src[candidate + length] === src[from + length]) length++;
        ip += length;
        out = emitCopy(dst, out, from - candidate, length);
        nextEmit = ip;
        if (ip >= limit) break search;
        table[hashOf(load32(src, ip - 1))] = ip - 1 - start;
        const hash = hashOf(load32(src, ip));
        candidate = start + table[hash]!;
        table[hash] = ip - start;
      } while (load32(src, ip) === load32(src, candidate));
      nextHash = hashOf(load32(src, ++ip));
    }
  }
  return nextEmit < end ? emitLiteral(src, nextEmit, end, dst, out) : out;
}

function load32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

function hashOf(word: number): number {
  return Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

/** A literal: tag 00 with its length - 1 in the upper six bits, or in the 1 to 4 bytes after them (tags 60 to 63). */
function emitLiteral(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): number {
  let out = at;
  const length = to - from;
  const n = length - 1;
  if (n < 60) dst[out++] = n << 2;
  else if (n < 0x100) {
    dst[out++] = 60 << 2;
    dst[out++] = n;
  } else if (n < 0x10000) {
    dst[out++] = 61 << 2;
    dst[out++] = n & 0xff;
    dst[out++] = n >>> 8;
  } else {
    dst[out++] = 62 << 2;
    dst[out++] = n & 0xff;
    dst[out++] = (n >>> 8) & 0xff;
    dst[out++] = n >>> 16;
  }
  if (length < 16) for (let i = 0; i < length; i++) dst[out + i] = src[from + i]!;
  else dst.set(src.subarray(from, to), out);
  return out + length;
}

/**
 * A copy of `length` bytes from `offset` back: tag 01 (length 4 to 11, offset below 2048, in two bytes) where it fits,
 * else tag 10 (length 1 to 64, a two-byte offset), longer copies in pieces of 64 and the rest.
 */
function emitCopy(dst: Uint8Array, at: number, offset: number, length: number): number {
  let out = at;
  let rest = length;
  while (rest >= 68) {
    out = emitCopy2(dst, out, offset, 64);
    rest -= 64;
  }
  if (rest > 64) {
    out = emitCopy2(dst, out, offset, 60);
    rest -= 60;
  }
  if (rest < 12 && offset < 2048) {
    dst[out++] = 1 | ((rest - 4) << 2) | ((offset >>> 8) << 5);
    dst[out++] = offset & 0xff;
    return out;
  }
  return emitCopy2(dst, out, offset, rest);
}

function emitCopy2(dst: Uint8Array, at: number, offset: number, length: number): number {
  dst[at] = 2 | ((length - 1) << 2);
  dst[at + 1] = offset & 0xff;
  dst[at + 2] = offset >>> 8;
  return at + 3;
}
