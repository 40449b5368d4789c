// The browser-safe entry: decoding and point clouds only, nothing below it imports a Node module. Importing it
// compiles the WebAssembly core asynchronously (top-level await), as browsers require on their main thread.
import { loadCoreAsync } from './wasm.js';

await loadCoreAsync();

export { decodeMask } from './mask.js';
export type { DecodedMask, DecodeMaskOptions, MaskInput } from './mask.js';
export { MaskParseError } from './mask-error.js';
export type { MaskErrorCode } from './mask-error.js';
export { PlaymentMasksError, InvalidArgumentError } from './errors.js';
export * from './pcd/index.js';
