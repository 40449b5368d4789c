// DEFLATE (RFC 1951, raw: no zlib or gzip wrapper) by the WebAssembly core (assembly/deflate.ts), in a scratch region
// of the core's memory the caller owns: the compressor's hash table, then the input (copied in), then the output.
// Node's zlib left native memory behind on every call (contexts, messages) that only full collections freed, rare on
// a thread with little garbage; the core's memory is reused from call to call.
import { wasmCore } from '../core/wasm.js';
import { align8 } from './snappy.js';

/** The compressor's hash table: the last position of each of 2^14 hashes of 4 bytes. */
const DEFLATE_TABLE_BYTES = (1 << 14) * 4;
/** Bytes the core may write past the output's end (stores of 4 bytes of bits). */
const DEFLATE_SLACK = 16;
/** The most input bytes of a block: a stored block's (the fallback where codes do not pay). */
const BLOCK_BYTES = 65535;

/** The most bytes `length` input bytes take compressed: at most 6 bytes per block more than stored. */
function deflateBound(length: number): number {
  return length + 6 * Math.max(1, Math.ceil(length / BLOCK_BYTES)) + 8;
}

/** The scratch bytes deflateParts() needs for inputs of up to `length` bytes. */
export function deflateScratchBytes(length: number): number {
  return DEFLATE_TABLE_BYTES + align8(length) + deflateBound(length) + DEFLATE_SLACK;
}

export interface Deflated {
  /** The input, as it was compressed: its parts one after the other. */
  input: Uint8Array;
  /** The raw DEFLATE stream. */
  output: Uint8Array;
}

/**
 * The bytes of `parts`, one after the other, compressed in the core's memory from `scratch` on (deflateScratchBytes
 * of their total, reserved by the caller when a part is a view of the core's memory: growth would detach it). Both
 * results are views of the core's memory, valid until the next call with the same scratch region. Parts may lie in
 * the core's memory (outside the scratch region).
 */
export function deflateParts(parts: readonly Uint8Array[], scratch: number): Deflated {
  const core = wasmCore();
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const inPtr = scratch + DEFLATE_TABLE_BYTES;
  const outPtr = inPtr + align8(length);
  const end = scratch + deflateScratchBytes(length);
  // Growing would detach the parts that are views of the core's memory: they would read as empty.
  if (end > core.buffer.byteLength && parts.some((part) => part.buffer === core.buffer))
    throw new RangeError(`a DEFLATE of ${length} bytes in a scratch region laid out for less`);
  core.reserve(end);
  core.writeParts(parts, inPtr);
  const memory = core.u8;
  const written = core.exports.deflateRaw(inPtr, length, outPtr, scratch);
  return { input: memory.subarray(inPtr, inPtr + length), output: memory.subarray(outPtr, outPtr + written) };
}
