// The legacy point-cloud mask: a PCD file (`FIELDS x y z label_key`, usually `DATA ascii`) whose label_key column,
// stored as a float, holds the label of each point in the frame's point order. Decoded into the same DecodedMask.
import { allocateMaskResult } from '../core/allocate.js';
import { InvalidArgumentError } from '../errors.js';
import type { DecodedMask, MaskInput } from './types.js';
import { MaskParseError } from './mask-error.js';
import { isWhitespace } from '../pcd/ascii-js.js';
import { fieldLayout } from '../pcd/layout.js';
import { PcdParseError } from '../pcd/pcd-error.js';
import { readPcd, type PointCloud } from '../pcd/read.js';

const LABEL_FIELD = 'label_key';
const MAX_LABEL = 0xffff;
const PCD_STARTS = ['#', 'VERSION', 'FIELDS'];
const encoder = new TextEncoder();

/** True when the input starts like a PCD header (after an optional BOM and whitespace), not like a JSON array. */
export function isLegacyMask(input: MaskInput): boolean {
  if (typeof input === 'string') {
    const text = input.replace(/^\uFEFF?[ \t\r\n]*/, '');
    return PCD_STARTS.some((start) => text.startsWith(start));
  }
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) return false;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  i = skipWhitespace(bytes, i);
  return PCD_STARTS.some((start) => [...start].every((char, k) => bytes[i + k] === char.charCodeAt(0)));
}

/** decodeMask for a legacy PCD mask; options were validated by decodeMask. */
export function decodeLegacyMask(
  input: MaskInput,
  expectedPoints: number | undefined,
  out: Uint16Array | undefined,
): DecodedMask {
  const bytes =
    typeof input === 'string' ? encoder.encode(input) : input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  const pcd = readLegacyPcd(bytes);
  const column = pcd.fields[LABEL_FIELD];
  const field = pcd.header.fields.find((candidate) => candidate.name === LABEL_FIELD);
  if (!column || field?.count !== 1) {
    throw new MaskParseError('INVALID_LEGACY_MASK', 0, `a legacy mask needs a single-element ${LABEL_FIELD} field`);
  }
  const pointCount = pcd.pointCount;
  if (expectedPoints !== undefined && pointCount !== expectedPoints) {
    throw new MaskParseError('POINT_COUNT_MISMATCH', bytes.length, `${pointCount} points, expected ${expectedPoints}`);
  }
  if (out && out.length < pointCount) {
    throw new InvalidArgumentError(`options.out holds ${out.length} labels, the mask has ${pointCount}`);
  }
  let max = -1;
  for (let i = 0; i < pointCount; i++) {
    const value = Number(column[i]!);
    if (!(Number.isInteger(value) && value >= 0 && value <= MAX_LABEL)) throw labelError(bytes, pcd, i, value);
    if (value > max) max = value;
  }
  const histogramLength = max + 1;
  const { labels, histogram } = allocateMaskResult(pointCount, histogramLength, out);
  histogram.fill(0);
  for (let i = 0; i < pointCount; i++) {
    const label = Number(column[i]!);
    labels[i] = label;
    histogram[label]!++;
  }
  return { labels, histogram, pointCount };
}

// decodeMask throws MaskParseError whatever the input, so that callers (and the pool) handle one error type.
function readLegacyPcd(bytes: Uint8Array): PointCloud {
  try {
    return readPcd(bytes);
  } catch (error) {
    if (!(error instanceof PcdParseError)) throw error;
    throw new MaskParseError('INVALID_LEGACY_MASK', error.offset, `${error.code}: ${error.message}`, { cause: error });
  }
}

function labelError(bytes: Uint8Array, pcd: PointCloud, point: number, value: number): MaskParseError {
  const code = !Number.isInteger(value) ? 'NOT_AN_INTEGER' : value < 0 ? 'SIGNED_VALUE' : 'VALUE_OUT_OF_RANGE';
  return new MaskParseError(code, pointOffset(bytes, pcd, point), `${LABEL_FIELD} ${value} of point ${point}`);
}

/** Where point i starts in the file: its row (ascii), its record (binary); the compressed block otherwise. */
function pointOffset(bytes: Uint8Array, pcd: PointCloud, point: number): number {
  const { data, dataOffset } = pcd.header;
  if (data === 'binary') {
    const layout = fieldLayout(pcd.header);
    const slot = layout.slots.find((candidate) => candidate.field.name === LABEL_FIELD)!;
    return dataOffset + point * layout.pointSize + slot.recordOffset;
  }
  if (data === 'binary_compressed') return dataOffset;
  // ascii: the row of the point (rows were validated by readPcd), then the values of the fields before label_key.
  const fields = pcd.header.fields;
  const valuesBefore = fields
    .slice(
      0,
      fields.findIndex((field) => field.name === LABEL_FIELD),
    )
    .reduce((sum, field) => sum + field.count, 0);
  let p = dataOffset;
  for (let row = 0; row < point; row++) {
    p = skipWhitespace(bytes, p);
    while (p < bytes.length && bytes[p] !== 0x0a) p++;
  }
  p = skipWhitespace(bytes, p);
  for (let value = 0; value < valuesBefore; value++) {
    while (p < bytes.length && !isWhitespace(bytes[p]!)) p++;
    p = skipWhitespace(bytes, p);
  }
  return p;
}

function skipWhitespace(bytes: Uint8Array, p: number): number {
  while (p < bytes.length && isWhitespace(bytes[p]!)) p++;
  return p;
}
