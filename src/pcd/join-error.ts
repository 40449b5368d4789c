import { PlaymentMasksError } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

export type LabelJoinErrorCode = ErrorCodeOf<'LabelJoinError'>;

/**
 * A mask and a point cloud cannot be joined: they describe different point sets, the cloud has no x, y, z, or its
 * intensity field holds more than one value a point.
 */
export class LabelJoinError extends PlaymentMasksError {
  declare readonly code: LabelJoinErrorCode;

  constructor(code: LabelJoinErrorCode, message: string) {
    super(code, message);
  }
}
