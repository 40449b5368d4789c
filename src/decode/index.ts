export { decodeMask } from './mask.js';
export type { DecodedMask, DecodeMaskOptions, MaskInput } from './types.js';
export { MaskParseError } from './mask-error.js';
export type { MaskErrorCode } from './mask-error.js';
