// Per-point label files: NumPy .npy, raw little-endian uint16, SemanticKITTI .label.
import { endianness } from 'node:os';

export type ExportFormat = 'npy' | 'bin' | 'kitti';

export const EXPORT_FORMATS: readonly ExportFormat[] = Object.freeze(['npy', 'bin', 'kitti']);

const EXTENSIONS: Record<ExportFormat, string> = { npy: '.npy', bin: '.bin', kitti: '.label' };

/** The file extension of a format, with its dot. */
export function extensionOf(format: ExportFormat): string {
  return EXTENSIONS[format];
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const NPY_PREFIX_BYTES = NPY_MAGIC.length + 2 + 2; // magic, version 1.0, HEADER_LEN (uint16 LE)
const NPY_ALIGN = 64;
// numpy.save leaves room for the shape to grow in place to 21 digits; doing the same makes our files byte-identical.
const NPY_GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * The NumPy format 1.0 header of a little-endian array of `points` elements of `descr` (1-D uint16 by default; with
 * `columns`, 2-D `(points, columns)`), byte-identical to what `numpy.save` writes: magic, version 1.0, HEADER_LEN,
 * the dict literal, spaces, and a final newline so that the data starts at a multiple of 64 bytes.
 */
export function npyHeader(points: number, descr = '<u2', columns?: number): Uint8Array {
  const shape = columns === undefined ? `(${points},)` : `(${points}, ${columns})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  dict += ' '.repeat(Math.max(0, NPY_GROWTH_AXIS_MAX_DIGITS - String(points).length));
  const withNewline = dict.length + 1;
  const padding = NPY_ALIGN - ((NPY_PREFIX_BYTES + withNewline) % NPY_ALIGN);
  const headerLength = withNewline + padding;
  const bytes = new Uint8Array(NPY_PREFIX_BYTES + headerLength);
  bytes.set(NPY_MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  bytes[8] = headerLength & 0xff;
  bytes[9] = headerLength >>> 8;
  for (let i = 0; i < dict.length; i++) bytes[NPY_PREFIX_BYTES + i] = dict.charCodeAt(i);
  bytes.fill(0x20, NPY_PREFIX_BYTES + dict.length, bytes.length - 1);
  bytes[bytes.length - 1] = 0x0a;
  return bytes;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The file contents for `labels` in `format`, as chunks to write one after the other (no copy where possible).
 * kitti puts `instances` (when given) in the high 16 bits of each label.
 */
export function encodeLabels(labels: Uint16Array, format: ExportFormat, instances?: Uint16Array): Uint8Array[] {
  switch (format) {
    case 'npy':
      return [npyHeader(labels.length), uint16LE(labels)];
    case 'bin':
      return [uint16LE(labels)];
    case 'kitti':
      return [kittiLabels(labels, instances)];
  }
}

/** The size in bytes of the file `encodeLabels` produces for `points` labels. */
export function encodedSize(points: number, format: ExportFormat): number {
  switch (format) {
    case 'npy':
      return npyHeader(points).length + points * 2;
    case 'bin':
      return points * 2;
    case 'kitti':
      return points * 4;
  }
}

function uint16LE(labels: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const view = new DataView(swapped.buffer);
  for (let i = 0; i < labels.length; i++) view.setUint16(i * 2, labels[i]!, true);
  return swapped;
}

// SemanticKITTI: one uint32 per point, the semantic label in the low 16 bits and the instance id in the high 16.
function kittiLabels(labels: Uint16Array, instances: Uint16Array | undefined): Uint8Array {
  const words = new Uint32Array(labels.length);
  if (LITTLE_ENDIAN && !instances) {
    words.set(labels);
    return new Uint8Array(words.buffer);
  }
  const view = new DataView(words.buffer);
  for (let i = 0; i < labels.length; i++)
    view.setUint32(i * 4, (((instances?.[i] ?? 0) << 16) | labels[i]!) >>> 0, true);
  return new Uint8Array(words.buffer);
}

/**
 * The labels of a file that `encodeLabels` wrote in `format`, or undefined unless `bytes` are exactly such a file
 * (an npy header byte-identical to ours, a size that matches it, kitti instances all 0 unless `withInstances`: then
 * the low 16 bits).
 */
export function decodeLabelFile(
  bytes: Uint8Array,
  format: ExportFormat,
  withInstances = false,
): Uint16Array | undefined {
  switch (format) {
    case 'npy': {
      if (bytes.length < NPY_PREFIX_BYTES) return undefined;
      const headerEnd = NPY_PREFIX_BYTES + (bytes[8]! | (bytes[9]! << 8));
      const header = Buffer.from(bytes.subarray(NPY_PREFIX_BYTES, Math.min(headerEnd, bytes.length))).toString(
        'latin1',
      );
      const shape = /'shape': \((\d+),\)/.exec(header);
      const points = shape ? Number(shape[1]) : Number.NaN;
      if (!Number.isSafeInteger(points) || bytes.length !== encodedSize(points, 'npy')) return undefined;
      const expected = npyHeader(points);
      for (let i = 0; i < expected.length; i++) if (bytes[i] !== expected[i]) return undefined;
      return fromUint16LE(bytes.subarray(expected.length));
    }
    case 'bin':
      return bytes.length % 2 === 0 ? fromUint16LE(bytes) : undefined;
    case 'kitti': {
      if (bytes.length % 4 !== 0) return undefined;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const labels = new Uint16Array(bytes.length / 4);
      for (let i = 0; i < labels.length; i++) {
        const word = view.getUint32(i * 4, true);
        if (word > 0xffff && !withInstances) return undefined;
        labels[i] = word & 0xffff;
      }
      return labels;
    }
  }
}

function fromUint16LE(bytes: Uint8Array): Uint16Array {
  const labels = new Uint16Array(bytes.length / 2);
  if (LITTLE_ENDIAN) new Uint8Array(labels.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < labels.length; i++) labels[i] = view.getUint16(i * 2, true);
  }
  return labels;
}
