// The browser-safe entry: decoding and point clouds only, nothing below it imports a Node module. Importing it
// compiles the WebAssembly core asynchronously (top-level await), as browsers require on their main thread.
import { loadCoreAsync } from './core/wasm.js';

await loadCoreAsync();

export * from './decode/index.js';
export { PlaymentMasksError, InvalidArgumentError } from './errors.js';
export * from './pcd/index.js';
