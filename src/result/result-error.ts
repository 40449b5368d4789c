import type { ErrorCodeOf } from '../errors/catalogue.js';
import { PlaymentMasksError } from '../errors.js';

/**
 * A result object the export cannot read as the vendor documents it: `BAD_RESULT_OBJECT` (none of the documented
 * shapes, a mask without a URL), `UNREADABLE_CLASS` (a label_key named without a class), `NO_POINT_CLOUD` (no lidar
 * cloud for a mask, with points).
 */
export class ResultObjectError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'ResultObjectError'>;

  constructor(message: string, code: ErrorCodeOf<'ResultObjectError'> = 'BAD_RESULT_OBJECT') {
    super(code, message);
  }
}
