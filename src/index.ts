export { decodeMask } from './mask.js';
export type { DecodedMask, DecodeMaskOptions, MaskInput } from './mask.js';
export { MaskParseError } from './mask-error.js';
export type { MaskErrorCode } from './mask-error.js';
export { PlaymentMasksError, InvalidArgumentError, AbortError } from './errors.js';
export { MaskDecoderPool, PoolError } from './pool/index.js';
export type { MaskDecoderPoolOptions, PoolDecodeOptions, PoolErrorCode } from './pool/index.js';
