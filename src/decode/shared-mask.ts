// A mask in shared memory (the pool's copy of a caller's bytes), decoded as decodeMask would. Its bytes go into the
// core's scratch region whole, as 8-byte words: V8 copies a shared Uint8Array byte by byte (measured on a 1.8 MB
// mask: 0.9 to 1.2 ms, against 0.1 ms from an ArrayBuffer, Node 20 and 24), a shared Float64Array as memory. A set
// between arrays of one type keeps every bit (the language requires it), so words that are no numbers cross intact.
import { wasmCore } from '../core/wasm.js';
import { isLegacyMask } from './legacy-mask.js';
import { decodeInPlace, decodeMask, scratchLayout } from './mask.js';
import type { DecodedMask } from './types.js';

const WORD_BYTES = Float64Array.BYTES_PER_ELEMENT;

/**
 * decodeMask of the first `length` bytes of `region`, without its copy out: labels and histogram view the core's
 * memory, valid until the core's next use (a legacy PCD mask's are arrays of their own).
 */
export function decodeSharedMask(
  region: SharedArrayBuffer,
  length: number,
  expectedPoints: number | undefined,
): DecodedMask {
  const core = wasmCore();
  const layout = scratchLayout(core, length);
  const { inPtr } = layout;
  const memory = core.buffer;
  // The words that lie wholly inside the mask; the last few bytes (and any misaligned start) one by one.
  const words = inPtr % WORD_BYTES === 0 ? Math.floor(length / WORD_BYTES) : 0;
  const wordBytes = words * WORD_BYTES;
  new Float64Array(memory, inPtr, words).set(new Float64Array(region, 0, words));
  new Uint8Array(memory, inPtr + wordBytes, length - wordBytes).set(
    new Uint8Array(region, wordBytes, length - wordBytes),
  );
  const bytes = new Uint8Array(memory, inPtr, length);
  // A legacy PCD mask goes through decodeMask, which needs the core's memory itself: its bytes are copied out.
  if (isLegacyMask(bytes)) return decodeMask(bytes.slice(), { expectedPoints });
  return decodeInPlace(core, { ...layout, inLen: length }, expectedPoints);
}
