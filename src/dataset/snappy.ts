// Snappy compression for Parquet's SNAPPY pages, by the WebAssembly core (assembly/snappy.ts), in the core's scratch
// region: its first SNAPPY_TABLE_BYTES hold the compressor's hash table, the input follows (copied in, or already
// there), then the output, copied into the caller's buffer. The copies cost a few percent of the compression: the
// same compressor in JavaScript, its byte loads bounds-checked one by one, measured four times slower.
import { type WasmCore, wasmCore } from '../core/wasm.js';

/** The start of the scratch region the compressor's hash table takes: inputs in the core go after it. */
export const SNAPPY_TABLE_BYTES = (1 << 14) * 2;
/** Bytes after the input and after the output that the core may read or overwrite (16-byte moves of literals). */
export const SNAPPY_SLACK = 16;

/** The most bytes `length` input bytes can take compressed: the output buffer to give the compressor. */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

/**
 * The bytes of `parts`, one after the other, compressed into `output` (at least maxCompressedLength of their total
 * bytes); returns the bytes written.
 */
export function compressSnappy(parts: readonly Uint8Array[], output: Uint8Array): number {
  const core = wasmCore();
  const inPtr = core.base + SNAPPY_TABLE_BYTES;
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  core.reserve(inPtr + length + SNAPPY_SLACK);
  const memory = core.u8;
  let at = inPtr;
  for (const part of parts) {
    memory.set(part, at);
    at += part.length;
  }
  return compressInCore(core, inPtr, length, output);
}

/** The `length` bytes at `inPtr` in the core's memory (past the hash table) compressed into `output`. */
export function compressInCore(core: WasmCore, inPtr: number, length: number, output: Uint8Array): number {
  const outPtr = align8(inPtr + length + SNAPPY_SLACK);
  core.reserve(outPtr + maxCompressedLength(length) + SNAPPY_SLACK);
  const written = core.exports.snappyCompress(inPtr, length, outPtr, core.base);
  output.set(core.u8.subarray(outPtr, outPtr + written));
  return written;
}

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
