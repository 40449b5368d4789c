export { decodeMask } from './mask.js';
export type { DecodedMask, DecodeMaskOptions, MaskInput } from './mask.js';
export { MaskParseError } from './mask-error.js';
export type { MaskErrorCode } from './mask-error.js';
export { PlaymentMasksError, InvalidArgumentError } from './errors.js';
