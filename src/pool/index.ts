export { MaskDecoderPool, MAX_THREADS } from './pool.js';
export type {
  LabelFileJob,
  LabelFileOutcome,
  LabelFilesOptions,
  MaskDecoderPoolOptions,
  PiscinaInstance,
  PoolDecodeOptions,
  PoolFileOptions,
} from './pool.js';
export type { PoolDecodedMask } from './protocol.js';
export { PoolError } from './pool-error.js';
export type { PoolErrorCode } from './pool-error.js';
