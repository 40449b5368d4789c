import { PlaymentMasksError } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

/** The export cannot become the training set asked for (wrong settings, missing or misaligned files, a busy folder). */
export class DatasetError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'DatasetError'>;

  constructor(code: ErrorCodeOf<'DatasetError'>, message: string) {
    super(code, message);
  }
}
