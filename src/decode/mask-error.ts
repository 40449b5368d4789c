import type { ErrorCodeOf } from '../errors/catalogue.js';
import { PlaymentMasksError } from '../errors.js';

/** Stable codes of MaskParseError, indexed by the number the WebAssembly core returns (negated). */
export const MASK_ERROR_CODES = [
  undefined,
  'EMPTY_INPUT',
  'EXPECTED_ARRAY',
  'EXPECTED_VALUE',
  'EXPECTED_COMMA_OR_END',
  'VALUE_OUT_OF_RANGE',
  'SIGNED_VALUE',
  'NOT_AN_INTEGER',
  'LEADING_ZERO',
  'UNEXPECTED_END',
  'TRAILING_DATA',
] as const;

export type MaskErrorCode = ErrorCodeOf<'MaskParseError'>;

const DESCRIPTIONS: Record<MaskErrorCode, string> = {
  EMPTY_INPUT: 'the mask is empty',
  EXPECTED_ARRAY: "expected '[' to open the mask array",
  EXPECTED_VALUE: 'expected a label (an integer 0..65535)',
  EXPECTED_COMMA_OR_END: "expected ',' or ']' after a label",
  VALUE_OUT_OF_RANGE: 'label is larger than 65535',
  SIGNED_VALUE: 'labels carry no sign',
  NOT_AN_INTEGER: 'labels are integers: no fraction or exponent',
  LEADING_ZERO: 'labels have no leading zeros',
  UNEXPECTED_END: "the mask ends before its closing ']'",
  TRAILING_DATA: "unexpected bytes after the closing ']'",
  POINT_COUNT_MISMATCH: 'the mask does not have the expected number of points',
  TOO_LARGE: 'the mask is 2 GiB or larger',
  INVALID_LEGACY_MASK: 'the legacy PCD mask is not readable',
};

/**
 * The mask bytes are not a JSON array of integers 0..65535 (nor a readable legacy PCD mask: code INVALID_LEGACY_MASK,
 * with the PcdParseError as `cause`). `offset` is the byte offset of the fault.
 */
export class MaskParseError extends PlaymentMasksError {
  declare readonly code: MaskErrorCode;
  readonly offset: number;

  constructor(code: MaskErrorCode, offset: number, detail?: string, options?: ErrorOptions) {
    super(code, `${DESCRIPTIONS[code] ?? code}${detail ? ` (${detail})` : ''} at byte ${offset}`, options);
    this.offset = offset;
  }
}
