import type { ErrorCodeOf } from '../errors/catalogue.js';
import { PlaymentMasksError } from '../errors.js';

/**
 * A job's data cannot be written the way the export writes it (more classes or objects than ids), or, with
 * requireLabels, has no point with a class.
 */
export class ExportError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'ExportError'>;

  constructor(code: ErrorCodeOf<'ExportError'>, message: string) {
    super(code, message);
  }
}

/** A job that its batch page lists without a usable id or reference_id. */
export class InvalidResultError extends PlaymentMasksError {
  constructor(message: string) {
    super('INVALID_RESULT', message);
  }
}
