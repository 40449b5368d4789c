// A mask file decoded without a buffer of its own: its bytes are read straight into the core's scratch region, the
// one copy decodeMask would make anyway. Synchronous, for the pool's worker threads, where blocking is their job.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { wasmCore, type WasmCore } from '../core/wasm.js';
import { isLegacyMask } from './legacy-mask.js';
import {
  decodeInPlace,
  decodeLabelsInPlace,
  decodeMask,
  ownCopy,
  scratchLayout,
  type Layout,
  type MaskLabels,
} from './mask.js';
import type { DecodedMask } from './types.js';

const probe = new Uint8Array(1);

/** decodeMask of the file at `path`; throws the fs error (ENOENT, EISDIR...) when it cannot be read. */
export function decodeMaskFile(path: string, expectedPoints: number | undefined): DecodedMask {
  return withMaskFile(path, expectedPoints, (mask) => ownCopy(mask, undefined));
}

/**
 * Calls `use` with the mask of the file at `path`, whose labels and histogram may view the core's memory (no copy):
 * valid only until `use` returns. Throws the fs error (ENOENT, EISDIR...) when the file cannot be read.
 */
export function withMaskFile<T>(path: string, expectedPoints: number | undefined, use: (mask: DecodedMask) => T): T {
  return readIntoCore(path, expectedPoints, (core, layout) => use(decodeInPlace(core, layout, expectedPoints)), use);
}

/** withMaskFile for a caller that wants the labels alone (a label file): nothing is counted. */
export function withMaskFileLabels<T>(path: string, use: (mask: MaskLabels) => T): T {
  return readIntoCore(path, undefined, (core, layout) => use(decodeLabelsInPlace(core, layout)), use);
}

/**
 * Reads the file at `path` into the core's scratch region and calls `inCore` with where it lies; a file that is not
 * the mask text the core parses in place (a legacy PCD mask, a file still growing) goes to `whole` decoded the
 * ordinary way.
 */
function readIntoCore<T>(
  path: string,
  expectedPoints: number | undefined,
  inCore: (core: WasmCore, layout: Layout) => T,
  whole: (mask: DecodedMask) => T,
): T {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const core = wasmCore();
    const layout = scratchLayout(core, size);
    let length = 0;
    while (length < size) {
      const read = readSync(fd, core.u8, layout.inPtr + length, size - length, length);
      if (read === 0) break;
      length += read;
    }
    // A file that grew since fstat (still being written) is read again whole, the ordinary way.
    if (length === size && readSync(fd, probe, 0, 1, size) > 0) {
      return whole(decodeMask(readFileSync(fd), { expectedPoints }));
    }
    const bytes = core.u8.subarray(layout.inPtr, layout.inPtr + length);
    // A legacy PCD mask goes through decodeMask, which needs the core's memory itself: its bytes are copied out.
    if (isLegacyMask(bytes)) return whole(decodeMask(bytes.slice(), { expectedPoints }));
    return inCore(core, { ...layout, inLen: length });
  } finally {
    closeSync(fd);
  }
}
