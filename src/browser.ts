// The browser-safe entry: decoding and point clouds only, nothing below it imports a Node module. Importing it
// compiles the WebAssembly core asynchronously (top-level await), as browsers require on their main thread.
import { loadCoreAsync } from './wasm.js';

await loadCoreAsync();

export { decodeMask } from './mask.js';
export type { DecodedMask, DecodeMaskOptions, MaskInput } from './mask.js';
export { MaskParseError } from './mask-error.js';
export type { MaskErrorCode } from './mask-error.js';
export { PlaymentMasksError, InvalidArgumentError } from './errors.js';
export { readPcd } from './pcd/read.js';
export type { PointCloud, PcdInput } from './pcd/read.js';
export type { PcdHeader, PcdField, PcdType, PcdDataForm } from './pcd/header.js';
export type { PcdFieldArray } from './pcd/layout.js';
export { PcdParseError } from './pcd/pcd-error.js';
export type { PcdErrorCode } from './pcd/pcd-error.js';
export { labelPoints, pointsOfLabel } from './pcd/join.js';
export type { LabelledPoints } from './pcd/join.js';
export { LabelJoinError } from './pcd/join-error.js';
export type { LabelJoinErrorCode } from './pcd/join-error.js';
