import { allocateUninitialized } from '../core/allocate.js';
import { assertAttached } from '../core/detached.js';
import { InvalidArgumentError } from '../errors.js';
import { wasmCore } from '../core/wasm.js';
import { readAsciiData } from './ascii.js';
import { isWhitespace, minimumAsciiBytes } from './ascii-js.js';
import { parsePcdHeader, type PcdHeader } from './header.js';
import { fieldLayout, fieldViews, type FieldLayout, type PcdFieldArray } from './layout.js';
import { LZF_ERROR_CODES, PcdParseError } from './pcd-error.js';
import { align64, pcdScratchStart } from './scratch.js';

export interface PointCloud {
  header: PcdHeader;
  pointCount: number;
  /**
   * One typed array per field of FIELDS (padding `_` skipped), `count` elements per point, point after point.
   * All arrays are views on one buffer, each 8-byte aligned.
   */
  fields: Record<string, PcdFieldArray>;
}

export type PcdInput = Uint8Array | ArrayBuffer;

// Kept far below the 4 GiB of wasm32 memory, which holds both the input and the output.
const MAX_DATA_BYTES = 2 ** 30;
// The most bytes one LZF token can produce per byte it takes (a 3-byte back reference of 264 bytes).
const LZF_MAX_EXPANSION = 88;
const COMPRESSED_SIZES_BYTES = 8;
// The LZF core copies whole 16-byte blocks: it may read or write this far past the end of its input and output.
const LZF_SLACK = 32;

/**
 * Reads a PCD point cloud (`DATA ascii`, `binary` or `binary_compressed`) into one typed array per field.
 * The data is copied into WebAssembly memory once, parsed (ascii, see ascii.ts), de-interleaved (binary) or
 * LZF-decompressed (binary_compressed) there, and copied out once into the buffer the field arrays view.
 * Throws PcdParseError for anything that is not a well-formed PCD file.
 */
export function readPcd(input: PcdInput): PointCloud {
  const bytes = toBytes(input);
  const header = parsePcdHeader(bytes);
  const layout = fieldLayout(header);
  let buffer: ArrayBuffer;
  if (header.data === 'ascii') {
    if (bytes.length - header.dataOffset < minimumAsciiBytes(header)) {
      throw new PcdParseError('TRUNCATED_DATA', bytes.length, `too short for ${header.points} points`);
    }
    checkSize(layout.resultBytes, header.dataOffset);
    buffer = readAsciiData(bytes, header, layout);
  } else if (header.data === 'binary') {
    buffer = readBinary(bytes, header, layout);
  } else {
    buffer = readBinaryCompressed(bytes, header, layout);
  }
  return { header, pointCount: header.points, fields: fieldViews(layout, buffer) };
}

/**
 * Parses and checks the header of a PCD file alone (fields, sizes, WIDTH x HEIGHT = POINTS, DATA form), without
 * touching its data: for example to check the point count before reading. Throws PcdParseError.
 */
export function readPcdHeader(input: PcdInput): PcdHeader {
  return parsePcdHeader(toBytes(input));
}

function readBinary(bytes: Uint8Array, header: PcdHeader, layout: FieldLayout): ArrayBuffer {
  const start = header.dataOffset;
  const dataBytes = header.points * layout.pointSize;
  checkDataLength(bytes, start, dataBytes);
  checkSize(dataBytes, start);
  const core = wasmCore();
  const inPtr = pcdScratchStart(core);
  const outPtr = inPtr + align64(dataBytes);
  core.reserve(outPtr + layout.resultBytes);
  core.u8.set(bytes.subarray(start, start + dataBytes), inPtr);
  for (const slot of layout.slots) {
    if (slot.resultOffset < 0) continue;
    core.exports.gatherField(
      inPtr + slot.recordOffset,
      header.points,
      layout.pointSize,
      slot.width,
      outPtr + slot.resultOffset,
    );
  }
  return core.buffer.slice(outPtr, outPtr + layout.resultBytes);
}

function readBinaryCompressed(bytes: Uint8Array, header: PcdHeader, layout: FieldLayout): ArrayBuffer {
  const start = header.dataOffset;
  if (bytes.length - start < COMPRESSED_SIZES_BYTES) {
    throw new PcdParseError('TRUNCATED_DATA', bytes.length, 'the compressed and raw sizes are missing');
  }
  const sizes = new DataView(bytes.buffer, bytes.byteOffset + start, COMPRESSED_SIZES_BYTES);
  const compressedBytes = sizes.getUint32(0, true);
  const rawBytes = sizes.getUint32(4, true);
  const expectedRaw = header.points * layout.pointSize;
  if (rawBytes !== expectedRaw) {
    throw new PcdParseError('SIZE_MISMATCH', start + 4, `raw size ${rawBytes}, the header needs ${expectedRaw}`);
  }
  const streamStart = start + COMPRESSED_SIZES_BYTES;
  checkDataLength(bytes, streamStart, compressedBytes);
  if (rawBytes > compressedBytes * LZF_MAX_EXPANSION) {
    throw new PcdParseError('SIZE_MISMATCH', start, `LZF cannot expand ${compressedBytes} bytes to ${rawBytes}`);
  }
  checkSize(rawBytes, start);
  const core = wasmCore();
  const inPtr = pcdScratchStart(core);
  const rawPtr = inPtr + align64(compressedBytes + LZF_SLACK);
  core.reserve(rawPtr + rawBytes + LZF_SLACK);
  core.u8.set(bytes.subarray(streamStart, streamStart + compressedBytes), inPtr);
  const result = core.exports.lzfDecompress(inPtr, compressedBytes, rawPtr, rawBytes);
  if (result < 0) throw new PcdParseError(LZF_ERROR_CODES[-result]!, streamStart + core.exports.lzfErrorOffset());
  // Blocks are field after field already: each field is one copy to its aligned place in the result.
  const buffer = allocateUninitialized(layout.resultBytes);
  const out = new Uint8Array(buffer);
  const memory = core.u8;
  for (const slot of layout.slots) {
    if (slot.resultOffset < 0) continue;
    const from = rawPtr + slot.blockOffset;
    out.set(memory.subarray(from, from + header.points * slot.width), slot.resultOffset);
  }
  return buffer;
}

/** Throws unless `needed` bytes follow `start`, then only zero bytes and whitespace. */
function checkDataLength(bytes: Uint8Array, start: number, needed: number): void {
  const available = bytes.length - start;
  if (available < needed) {
    throw new PcdParseError('TRUNCATED_DATA', bytes.length, `${needed} data bytes needed, ${available} present`);
  }
  // PCL's writer maps the file and leaves up to a page of zero bytes after the data; an editor may add a newline.
  for (let i = start + needed; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte !== 0 && !isWhitespace(byte)) {
      throw new PcdParseError('TRAILING_DATA', i, `${bytes.length - i} bytes after the data`);
    }
  }
}

function checkSize(dataBytes: number, offset: number): void {
  if (dataBytes > MAX_DATA_BYTES) throw new PcdParseError('TOO_LARGE', offset, `${dataBytes} bytes of point data`);
}

function toBytes(input: PcdInput): Uint8Array {
  assertAttached(input, 'readPcd input');
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new InvalidArgumentError('readPcd input must be a Uint8Array or an ArrayBuffer');
}
