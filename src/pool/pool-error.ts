import { PlaymentMasksError } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

export type PoolErrorCode = ErrorCodeOf<'PoolError'>;

/** MaskDecoderPool could not run a task: the pool is closed, or the worker running it died (it is replaced). */
export class PoolError extends PlaymentMasksError {
  declare readonly code: PoolErrorCode;

  constructor(code: PoolErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
