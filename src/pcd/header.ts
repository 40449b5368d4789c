// The PCD header: text lines `KEYWORD values...` up to and including the DATA line.
import { PcdParseError } from './pcd-error.js';

export type PcdType = 'F' | 'U' | 'I';
export type PcdDataForm = 'ascii' | 'binary' | 'binary_compressed';

export interface PcdField {
  /** `_` marks padding, which readPcd skips. */
  name: string;
  /** Bytes per element. */
  size: number;
  type: PcdType;
  /** Elements per point. */
  count: number;
}

export interface PcdHeader {
  version: string | undefined;
  fields: PcdField[];
  width: number;
  height: number;
  /** tx ty tz qw qx qy qz */
  viewpoint: number[];
  points: number;
  data: PcdDataForm;
  /** Byte offset of the first byte after the DATA line. */
  dataOffset: number;
}

const SUPPORTED_TYPES = new Set(['F4', 'F8', 'U1', 'U2', 'U4', 'U8', 'I1', 'I2', 'I4', 'I8']);
const KEYWORDS = new Set('VERSION FIELDS SIZE TYPE COUNT WIDTH HEIGHT VIEWPOINT POINTS DATA'.split(' '));
const DATA_FORMS: readonly PcdDataForm[] = ['ascii', 'binary', 'binary_compressed'];
const DEFAULT_VIEWPOINT = [0, 0, 0, 1, 0, 0, 0];
const NEWLINE = 0x0a;

interface Line {
  keyword: string;
  values: string[];
  /** Offset of each value in the file. */
  offsets: number[];
  start: number;
}

/** Parses and validates the header of a PCD file. */
export function parsePcdHeader(bytes: Uint8Array): PcdHeader {
  const lines = new Map<string, Line>();
  // A UTF-8 byte order mark, as text editors on Windows write it.
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let dataOffset = -1;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    const next = end === -1 ? bytes.length : end + 1;
    if (end === -1) end = bytes.length;
    const line = tokenize(bytes, start, end);
    if (line && !line.keyword.startsWith('#')) {
      if (!KEYWORDS.has(line.keyword)) throw new PcdParseError('UNKNOWN_KEYWORD', start, quote(line.keyword));
      if (lines.has(line.keyword)) throw new PcdParseError('DUPLICATE_KEYWORD', start, line.keyword);
      lines.set(line.keyword, line);
      if (line.keyword === 'DATA') {
        dataOffset = next;
        break;
      }
    }
    start = next;
  }
  if (dataOffset === -1) throw new PcdParseError('HEADER_UNTERMINATED', bytes.length);
  return validate(lines, dataOffset);
}

function validate(lines: Map<string, Line>, dataOffset: number): PcdHeader {
  const required = (keyword: string): Line => {
    const line = lines.get(keyword);
    if (!line) throw new PcdParseError('MISSING_KEYWORD', dataOffset, keyword);
    if (line.values.length === 0) throw new PcdParseError('INVALID_VALUE', line.start, `${keyword} has no value`);
    return line;
  };
  const fieldsLine = required('FIELDS');
  const names = fieldsLine.values;
  const sizes = perField(required('SIZE'), names.length, integerAt);
  const types = perField(required('TYPE'), names.length, (line, i) => line.values[i]!);
  const countLine = lines.get('COUNT');
  const counts = countLine ? perField(countLine, names.length, integerAt) : names.map(() => 1);

  const seen = new Set<string>();
  const fields = names.map((name, i): PcdField => {
    const size = sizes[i]!;
    const type = types[i]!;
    const count = counts[i]!;
    if (!SUPPORTED_TYPES.has(`${type}${size}`)) {
      throw new PcdParseError('UNSUPPORTED_TYPE', lines.get('TYPE')!.offsets[i]!, `${name}: TYPE ${type} SIZE ${size}`);
    }
    if (count < 1) throw new PcdParseError('INVALID_VALUE', countLine!.offsets[i]!, `COUNT of ${name} is 0`);
    if (name !== '_') {
      if (seen.has(name)) throw new PcdParseError('DUPLICATE_FIELD', fieldsLine.offsets[i]!, quote(name));
      seen.add(name);
    }
    return { name, size, type: type as PcdType, count };
  });

  const width = single(required('WIDTH'), integerAt);
  const height = single(required('HEIGHT'), integerAt);
  const pointsLine = lines.get('POINTS');
  const points = pointsLine ? single(pointsLine, integerAt) : width * height;
  if (points !== width * height) {
    throw new PcdParseError(
      'POINTS_MISMATCH',
      pointsLine!.start,
      `POINTS ${points}, WIDTH ${width} x HEIGHT ${height}`,
    );
  }
  const viewpointLine = lines.get('VIEWPOINT');
  const viewpoint = viewpointLine ? viewpointValues(viewpointLine) : DEFAULT_VIEWPOINT.slice();
  const dataLine = required('DATA');
  const data = DATA_FORMS.find((form) => form === dataLine.values[0]!.toLowerCase());
  if (!data || dataLine.values.length !== 1) {
    throw new PcdParseError('UNSUPPORTED_DATA', dataLine.offsets[0]!, quote(dataLine.values.join(' ')));
  }
  const version = lines.get('VERSION')?.values.join(' ');
  return { version, fields, width, height, viewpoint, points, data, dataOffset };
}

function perField<T>(line: Line, fieldCount: number, read: (line: Line, i: number) => T): T[] {
  if (line.values.length !== fieldCount) {
    throw new PcdParseError(
      'FIELD_COUNT_MISMATCH',
      line.start,
      `${line.keyword} has ${line.values.length} entries, FIELDS has ${fieldCount}`,
    );
  }
  return line.values.map((_, i) => read(line, i));
}

function single<T>(line: Line, read: (line: Line, i: number) => T): T {
  if (line.values.length !== 1) throw new PcdParseError('INVALID_VALUE', line.start, `${line.keyword} takes one value`);
  return read(line, 0);
}

function integerAt(line: Line, i: number): number {
  const text = line.values[i]!;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new PcdParseError(
      'INVALID_VALUE',
      line.offsets[i]!,
      `${line.keyword} ${quote(text)} is not a non-negative integer`,
    );
  }
  return value;
}

function viewpointValues(line: Line): number[] {
  if (line.values.length !== 7) throw new PcdParseError('INVALID_VALUE', line.start, 'VIEWPOINT takes 7 values');
  return line.values.map((text, i) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new PcdParseError('INVALID_VALUE', line.offsets[i]!, `VIEWPOINT ${quote(text)} is not a number`);
    }
    return value;
  });
}

// Splits one header line at spaces and tabs; undefined for a blank line. Header text is ASCII: each byte one char.
function tokenize(bytes: Uint8Array, start: number, end: number): Line | undefined {
  const tokens: string[] = [];
  const offsets: number[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isSpace(bytes[i]!)) i++;
    if (i === end) break;
    const tokenStart = i;
    let token = '';
    while (i < end && !isSpace(bytes[i]!)) token += String.fromCharCode(bytes[i++]!);
    tokens.push(token);
    offsets.push(tokenStart);
    // A comment line is kept whole only to be skipped: no need to split it.
    if (tokens.length === 1 && token.startsWith('#')) break;
  }
  if (tokens.length === 0) return undefined;
  return { keyword: tokens[0]!, values: tokens.slice(1), offsets: offsets.slice(1), start };
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
