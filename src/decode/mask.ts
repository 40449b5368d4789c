import { allocateMaskResult } from '../core/allocate.js';
import { assertAttached } from '../core/detached.js';
import { InvalidArgumentError } from '../errors.js';
import { decodeLegacyMask, isLegacyMask } from './legacy-mask.js';
import { MASK_ERROR_CODES, MaskParseError } from './mask-error.js';
import { wasmCore, type WasmCore } from '../core/wasm.js';
import type { DecodedMask, DecodeMaskOptions, MaskInput } from './types.js';

const HISTOGRAM_BYTES = 65536 * 4;
// Labels are written in place over the input bytes already parsed, starting this far before the input: the core
// stores 8 labels (16 bytes) at a time and needs them to stay behind its read position.
const LABELS_BEFORE_INPUT = 64;
// Zero bytes after the input that the core reads past its end (whole 64-byte SIMD blocks).
const INPUT_PADDING = 64;
const UTF8_BYTES_PER_CODE_UNIT = 3;
// Bytes are parsed in parts of about this size, each copied into one small region that stays in the CPU's cache (a
// large mask copied in whole is out of the cache again by the time it is parsed). 32 and 128 KiB measured the same.
export const PART_BYTES = 64 * 1024;
const COMMA = 0x2c;
// `part` flags of the core's decodeMask.
const PART_FIRST = 1;
const PART_LAST = 2;
const WHOLE = PART_FIRST | PART_LAST;
// With PART_FIRST: the labels alone, nothing counted.
const UNCOUNTED = 4;
// Far above any frame (about 580 million points), and the scratch region stays well inside 32-bit WebAssembly memory.
// Refused from this size on: the core takes the length and reports offsets as i32.
const MAX_MASK_BYTES = 2 ** 31;
const encoder = new TextEncoder();

/**
 * Decodes a Playment mask file (a JSON array of label keys, one per point) into labels and a per-class histogram.
 * Bytes are copied into WebAssembly memory part by part and parsed there in one pass; no string is decoded.
 * A legacy mask (a PCD file with a label_key field) is recognised by its first bytes and gives the same result.
 */
export function decodeMask(input: MaskInput, options: DecodeMaskOptions = {}): DecodedMask {
  const { expectedPoints, out } = checkOptions(options);
  assertAttached(input, 'decodeMask input');
  if (isLegacyMask(input)) return decodeLegacyMask(input, expectedPoints, out);
  return ownCopy(decodeInCore(wasmCore(), input, expectedPoints), out);
}

/**
 * decodeMask without its copy out (for the pool's workers, which copy where the result goes): a mask's labels and
 * histogram view the core's memory, valid until the core's next use; a legacy mask's are arrays of their own.
 */
export function decodeMaskInPlace(input: MaskInput, expectedPoints: number | undefined): DecodedMask {
  if (isLegacyMask(input)) return decodeLegacyMask(input, expectedPoints, undefined);
  return decodeInCore(wasmCore(), input, expectedPoints);
}

function decodeInCore(core: WasmCore, input: MaskInput, expectedPoints: number | undefined): DecodedMask {
  return typeof input === 'string'
    ? decodeInPlace(core, copyIn(core, input), expectedPoints)
    : decodeInParts(core, toBytes(input), expectedPoints);
}

/**
 * Where decodeMask puts a mask in the core's memory, for a caller that writes the bytes there itself (a file read
 * straight into it): `inLen` bytes from `inPtr`, then decodeInPlace(). Valid until the next reserve().
 */
export interface Layout {
  inPtr: number;
  inLen: number;
  outPtr: number;
  histPtr: number;
}

// Scratch layout of a mask decoded whole (a string, a file read straight into it), reused across calls: [histogram
// 256 KiB][64-byte gap][input + 64 zero bytes]. The labels overwrite the gap and the consumed input, so a decode needs
// the input copy and nothing more in WebAssembly memory.
export function scratchLayout(core: WasmCore, inLen: number): Layout {
  checkSize(inLen);
  const histPtr = core.base;
  const outPtr = histPtr + HISTOGRAM_BYTES;
  const inPtr = outPtr + LABELS_BEFORE_INPUT;
  core.reserve(inPtr + inLen + INPUT_PADDING);
  return { inPtr, inLen, outPtr, histPtr };
}

function checkSize(inLen: number): void {
  if (inLen >= MAX_MASK_BYTES) throw new MaskParseError('TOO_LARGE', MAX_MASK_BYTES, `${inLen} bytes`);
}

/**
 * Decodes `bytes` in parts: each part but the last ends right after a comma, is copied into the part region and
 * parsed there, its labels appended to the labels region. Scratch layout, reused across calls: [histogram 256 KiB]
 * [labels: room for one per two input bytes, and 16 bytes more][part + 64 zero bytes].
 */
function decodeInParts(core: WasmCore, bytes: Uint8Array, expectedPoints: number | undefined): DecodedMask {
  const inLen = bytes.length;
  checkSize(inLen);
  const histPtr = core.base;
  const outPtr = histPtr + HISTOGRAM_BYTES;
  // At most one label per two bytes (`1,`), and the core stores 8 labels (16 bytes) at a time.
  const partPtr = outPtr + Math.ceil((inLen + 2 + 16) / 64) * 64;
  let offset = 0;
  let part = PART_FIRST;
  while (true) {
    const cut = offset + PART_BYTES < inLen ? bytes.indexOf(COMMA, offset + PART_BYTES) : -1;
    const end = cut < 0 ? inLen : cut + 1;
    if (cut < 0) part |= PART_LAST;
    const length = end - offset;
    core.reserve(partPtr + length + INPUT_PADDING);
    const memory = core.u8;
    memory.set(bytes.subarray(offset, end), partPtr);
    memory.fill(0, partPtr + length, partPtr + length + INPUT_PADDING);
    const result = core.exports.decodeMask(partPtr, length, outPtr, histPtr, offset, part);
    if (part & PART_LAST || result < 0) return decoded(core, result, { outPtr, histPtr, inLen }, expectedPoints);
    offset = end;
    part = 0;
  }
}

function copyIn(core: WasmCore, input: string): Layout {
  // Mask text is ASCII: try one byte per code unit first, the UTF-8 worst case only if that does not fit.
  let layout = scratchLayout(core, input.length);
  let encoded = encoder.encodeInto(input, core.u8.subarray(layout.inPtr, layout.inPtr + input.length));
  if (encoded.read < input.length) {
    const room = input.length * UTF8_BYTES_PER_CODE_UNIT;
    layout = scratchLayout(core, room);
    encoded = encoder.encodeInto(input, core.u8.subarray(layout.inPtr, layout.inPtr + room));
  }
  return { ...layout, inLen: encoded.written };
}

/**
 * Decodes the `layout.inLen` bytes at `layout.inPtr`. The labels and histogram view the core's memory: valid until
 * the core's next use, so a caller copies them out (ownCopy) or writes them where they go before that.
 */
export function decodeInPlace(core: WasmCore, layout: Layout, expectedPoints: number | undefined): DecodedMask {
  return decoded(core, parseInPlace(core, layout, WHOLE), layout, expectedPoints);
}

/** A mask's labels without its histogram. */
export type MaskLabels = Pick<DecodedMask, 'labels' | 'pointCount'>;

/**
 * decodeInPlace for a caller that writes the labels alone (a label file): nothing is counted, which is a fifth to a
 * quarter of the core's time (realistic masks of 100k and 2M points: 0.71-0.72x the time on Node 20, 0.79-0.81x on
 * Node 24). Same labels, same errors at the same offsets.
 */
export function decodeLabelsInPlace(core: WasmCore, layout: Layout): MaskLabels {
  const pointCount = pointsOf(core, parseInPlace(core, layout, WHOLE | UNCOUNTED), layout.inLen, undefined);
  return { labels: new Uint16Array(core.buffer, layout.outPtr, pointCount), pointCount };
}

function parseInPlace(core: WasmCore, layout: Layout, part: number): number {
  core.u8.fill(0, layout.inPtr + layout.inLen, layout.inPtr + layout.inLen + INPUT_PADDING);
  return core.exports.decodeMask(layout.inPtr, layout.inLen, layout.outPtr, layout.histPtr, 0, part);
}

/** The mask of a finished decode (`result`: the core's return value) in the core's memory, or its error. */
function decoded(
  core: WasmCore,
  result: number,
  layout: Pick<Layout, 'outPtr' | 'histPtr' | 'inLen'>,
  expectedPoints: number | undefined,
): DecodedMask {
  const pointCount = pointsOf(core, result, layout.inLen, expectedPoints);
  const histogramLength = pointCount === 0 ? 0 : core.exports.maxLabel() + 1;
  const memory = core.buffer;
  return {
    labels: new Uint16Array(memory, layout.outPtr, pointCount),
    histogram: new Uint32Array(memory, layout.histPtr, histogramLength),
    pointCount,
  };
}

/** The point count of a finished decode, or its error. */
function pointsOf(core: WasmCore, result: number, inLen: number, expectedPoints: number | undefined): number {
  if (result < 0) throw new MaskParseError(MASK_ERROR_CODES[-result]!, core.exports.errorOffset());
  if (expectedPoints !== undefined && result !== expectedPoints) {
    throw new MaskParseError('POINT_COUNT_MISMATCH', inLen, `${result} points, expected ${expectedPoints}`);
  }
  return result;
}

/**
 * The mask in arrays of its own, out of the core's memory: the labels in `out` when given, labels and histogram in
 * `into` (from byte 0) when it has room, else in a new buffer.
 */
export function ownCopy(mask: DecodedMask, out: Uint16Array | undefined, into?: ArrayBuffer): DecodedMask {
  const { pointCount } = mask;
  if (out && out.length < pointCount) {
    throw new InvalidArgumentError(`options.out holds ${out.length} labels, the mask has ${pointCount}`);
  }
  const { labels, histogram } = allocateMaskResult(pointCount, mask.histogram.length, out, into);
  labels.set(mask.labels);
  histogram.set(mask.histogram);
  return { labels, histogram, pointCount };
}

function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new InvalidArgumentError('decodeMask input must be a Uint8Array, an ArrayBuffer or a string');
}

function checkOptions(options: DecodeMaskOptions): DecodeMaskOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { expectedPoints, out } = options;
  if (expectedPoints !== undefined && !(Number.isSafeInteger(expectedPoints) && expectedPoints >= 0)) {
    throw new InvalidArgumentError('options.expectedPoints must be a non-negative integer');
  }
  if (out !== undefined && !(out instanceof Uint16Array)) {
    throw new InvalidArgumentError('options.out must be a Uint16Array');
  }
  return options;
}
