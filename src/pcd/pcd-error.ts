import type { ErrorCodeOf } from '../errors/catalogue.js';
import { PlaymentMasksError } from '../errors.js';

/** Stable codes of LZF failures, indexed by the number the WebAssembly core returns (negated). */
export const LZF_ERROR_CODES = [
  undefined,
  'LZF_INPUT_OVERRUN',
  'LZF_OUTPUT_OVERRUN',
  'LZF_BAD_BACKREFERENCE',
  'LZF_SHORT_OUTPUT',
] as const;

const DESCRIPTIONS: Record<PcdErrorCode, string> = {
  HEADER_UNTERMINATED: 'the header ends without a DATA line',
  UNKNOWN_KEYWORD: 'unknown header keyword',
  DUPLICATE_KEYWORD: 'header keyword given twice',
  MISSING_KEYWORD: 'required header keyword is missing',
  INVALID_VALUE: 'invalid header value',
  FIELD_COUNT_MISMATCH: 'SIZE, TYPE and COUNT must have one entry per field',
  UNSUPPORTED_TYPE: 'unsupported field type (F4, F8, U1, U2, U4, U8, I1, I2, I4, I8 are supported)',
  DUPLICATE_FIELD: 'field name given twice',
  POINTS_MISMATCH: 'POINTS is not WIDTH x HEIGHT',
  UNSUPPORTED_DATA: 'DATA must be ascii, binary or binary_compressed',
  TOO_LARGE: 'the point cloud is larger than 2 GiB',
  TRUNCATED_DATA: 'the data ends before POINTS points',
  TRAILING_DATA: 'unexpected bytes after POINTS points',
  WRONG_VALUE_COUNT: 'a row does not hold one value per field element',
  INVALID_NUMBER: 'not a number',
  VALUE_OUT_OF_RANGE: 'value does not fit the field type',
  SIZE_MISMATCH: 'the compressed block sizes do not match the header',
  LZF_INPUT_OVERRUN: 'the LZF stream ends inside a token',
  LZF_OUTPUT_OVERRUN: 'the LZF stream writes past the declared size',
  LZF_BAD_BACKREFERENCE: 'an LZF back reference points before the start of the data',
  LZF_SHORT_OUTPUT: 'the LZF stream ends before the declared size',
};

export type PcdErrorCode = ErrorCodeOf<'PcdParseError'>;

/**
 * The bytes are not a PCD file this library can read. `offset` is the byte offset of the fault in the file
 * (for LZF faults, the offset of the faulty token in the file).
 */
export class PcdParseError extends PlaymentMasksError {
  declare readonly code: PcdErrorCode;
  readonly offset: number;

  constructor(code: PcdErrorCode, offset: number, detail?: string) {
    super(code, `${DESCRIPTIONS[code]}${detail ? ` (${detail})` : ''} at byte ${offset}`);
    this.offset = offset;
  }
}
