// Where readPcd's data goes in the WebAssembly core's scratch region.
import type { WasmCore } from '../core/wasm.js';

// decodeMask keeps its histogram in the first 256 KiB of the scratch region between calls (it clears only the entries
// it used last time), so the point-cloud readers lay their data out after it.
const MASK_HISTOGRAM_BYTES = 65536 * 4;

/** The first byte of scratch memory the point-cloud readers may use. */
export function pcdScratchStart(core: WasmCore): number {
  return core.base + MASK_HISTOGRAM_BYTES;
}

export function align64(n: number): number {
  return Math.ceil(n / 64) * 64;
}
