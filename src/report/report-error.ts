import { PlaymentMasksError } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

/** The export cannot be read or reported (a missing or broken summary, class table, index or frame file). */
export class ReportError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'ReportError'>;

  constructor(code: ErrorCodeOf<'ReportError'>, message: string) {
    super(code, message);
  }
}
