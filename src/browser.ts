// The browser-safe entry: decoding and point clouds only, nothing below it imports a Node module. Browsers compile
// the WebAssembly core asynchronously on their main thread, so callers `await ready()` once before the first decode.
// No top-level await: bundlers that target scripts (esbuild's iife, older targets) can take this file as it is.
import { requireReady } from './core/wasm.js';

requireReady();

export { ready } from './core/wasm.js';
export { NotReadyError } from './core/not-ready-error.js';
export * from './decode/index.js';
export { PlaymentMasksError, InvalidArgumentError } from './errors.js';
export * from './pcd/index.js';
