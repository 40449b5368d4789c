export { MaskDecoderPool } from './pool.js';
export { MAX_THREADS } from './max-threads.js';
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
