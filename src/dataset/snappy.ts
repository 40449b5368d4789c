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
  core.writeParts(parts, inPtr);
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

/**
 * The sample that decides whether a page is compressed: its first block, the first unit the compressor works on (its
 * hash table starts empty there as in any other block).
 */
const SAMPLE_BYTES = 1 << 16;

/**
 * Whether Snappy is worth its time on the bytes of `parts`: whether their first block shrinks by at least an eighth.
 * LiDAR coordinates as float32 hardly compress (their low mantissa bytes are noise): Snappy saves 3% of them and costs
 * more CPU time than writing the 3% does; intensities, ids and names compress by half or more. The decision depends on
 * the bytes only, so the file stays the same from run to run. Only the sample is copied into the core.
 */
export function snappyPays(parts: readonly Uint8Array[]): boolean {
  const core = wasmCore();
  const inPtr = core.base + SNAPPY_TABLE_BYTES;
  const length = Math.min(
    SAMPLE_BYTES,
    parts.reduce((sum, part) => sum + part.length, 0),
  );
  core.reserve(inPtr + length + SNAPPY_SLACK);
  core.writeParts(parts, inPtr, length);
  return snappyPaysInCore(core, inPtr, length);
}

/** snappyPays for the `length` bytes at `inPtr` in the core's memory (past the hash table), left as they are. */
export function snappyPaysInCore(core: WasmCore, inPtr: number, length: number): boolean {
  const sample = Math.min(SAMPLE_BYTES, length);
  const outPtr = align8(inPtr + length + SNAPPY_SLACK);
  core.reserve(outPtr + maxCompressedLength(sample) + SNAPPY_SLACK);
  const written = core.exports.snappyCompress(inPtr, sample, outPtr, core.base);
  return written * 8 <= sample * 7;
}

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
