// A mask in shared memory (the pool's copy of a caller's bytes), decoded as decodeMask would. Its bytes go into the
// core's scratch region at an address equal to theirs modulo 8: V8 copies between shared and unshared memory 8 bytes
// at a time only where both sides agree so, and byte by byte otherwise (1.7 MB: 0.11 ms against 0.8 ms, Node 20 and
// 24). The pool stages a caller's bytes the same way (staging.ts).
import { wasmCore } from '../core/wasm.js';
import { isLegacyMask } from './legacy-mask.js';
import { decodeInPlace, decodeMask, scratchLayout } from './mask.js';
import type { DecodedMask } from './types.js';

/** The alignment V8's copies of shared memory keep; an ArrayBuffer's contents start on such a boundary. */
export const WORD_BYTES = 8;

/**
 * decodeMask of the `length` bytes at `offset` in `region`, without its copy out: labels and histogram view the
 * core's memory, valid until the core's next use (a legacy PCD mask's are arrays of their own).
 */
export function decodeSharedMask(
  region: SharedArrayBuffer,
  offset: number,
  length: number,
  expectedPoints: number | undefined,
): DecodedMask {
  const core = wasmCore();
  // Room for the shift: the input may start up to 7 bytes after the layout's (the labels only gain distance).
  const layout = scratchLayout(core, length + WORD_BYTES - 1);
  const inPtr = layout.inPtr + ((offset - layout.inPtr) & (WORD_BYTES - 1));
  const bytes = new Uint8Array(core.buffer, inPtr, length);
  bytes.set(new Uint8Array(region, offset, length));
  // A legacy PCD mask goes through decodeMask, which needs the core's memory itself: its bytes are copied out.
  if (isLegacyMask(bytes)) return decodeMask(bytes.slice(), { expectedPoints });
  return decodeInPlace(core, { ...layout, inPtr, inLen: length }, expectedPoints);
}
