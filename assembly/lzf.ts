// LZF decompression (the format of liblzf, used by PCD `DATA binary_compressed`).
// Every read is checked against the end of the input and every write against the end of the output, and each
// step consumes at least one input byte, so no stream can read or write outside its buffers or loop forever.
// Returns the bytes written (always outLen on success) or the negated error code (mirrored in src/pcd/pcd-error.ts).
// Copies move whole 16-byte blocks, so they may touch up to 31 bytes past the end of the input (reads) or the output
// (writes): the caller reserves 32 bytes of slack after both. Tokens themselves are checked against the true ends.

const ERR_INPUT_OVERRUN: i32 = 1;
const ERR_OUTPUT_OVERRUN: i32 = 2;
const ERR_BAD_BACKREFERENCE: i32 = 3;
const ERR_SHORT_OUTPUT: i32 = 4;

let lastErrorOffset: i32 = 0;

/** Offset in the compressed stream of the token that made the last lzfDecompress fail. */
export function lzfErrorOffset(): i32 {
  return lastErrorOffset;
}

export function lzfDecompress(inPtr: usize, inLen: i32, outPtr: usize, outLen: i32): i32 {
  const inEnd = inPtr + <usize>inLen;
  const outEnd = outPtr + <usize>outLen;
  let ip = inPtr;
  let op = outPtr;
  while (ip < inEnd) {
    const token = ip;
    const ctrl = <usize>load<u8>(ip++);
    if (ctrl < 32) {
      // A literal run of ctrl + 1 bytes.
      const len = ctrl + 1;
      if (len > inEnd - ip) return fail(ERR_INPUT_OVERRUN, token, inPtr);
      if (len > outEnd - op) return fail(ERR_OUTPUT_OVERRUN, token, inPtr);
      v128.store(op, v128.load(ip));
      if (len > 16) v128.store(op, v128.load(ip, 16), 16);
      ip += len;
      op += len;
      continue;
    }
    // A back reference: length in the top 3 bits (7 = one more length byte), distance in 13 bits.
    let len = ctrl >> 5;
    if (len == 7) {
      if (ip >= inEnd) return fail(ERR_INPUT_OVERRUN, token, inPtr);
      len += <usize>load<u8>(ip++);
    }
    if (ip >= inEnd) return fail(ERR_INPUT_OVERRUN, token, inPtr);
    const distance = ((ctrl & 0x1f) << 8) + <usize>load<u8>(ip++) + 1;
    len += 2;
    if (distance > op - outPtr) return fail(ERR_BAD_BACKREFERENCE, token, inPtr);
    if (len > outEnd - op) return fail(ERR_OUTPUT_OVERRUN, token, inPtr);
    if (distance >= 16) {
      // Each block reads bytes written before it: distance >= 16 keeps the source behind the destination.
      const end = op + len;
      let from = op - distance;
      while (op < end) {
        v128.store(op, v128.load(from));
        op += 16;
        from += 16;
      }
      op = end;
    } else {
      // Overlapping: the reference repeats bytes this copy is writing, so it must go byte by byte.
      const end = op + len;
      while (op < end) {
        store<u8>(op, load<u8>(op - distance));
        op++;
      }
    }
  }
  if (op != outEnd) return fail(ERR_SHORT_OUTPUT, ip, inPtr);
  return outLen;
}

function fail(code: i32, at: usize, inPtr: usize): i32 {
  lastErrorOffset = <i32>(at - inPtr);
  return -code;
}
