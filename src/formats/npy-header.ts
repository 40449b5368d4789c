// The NumPy format 1.0 header, as numpy.save writes it.

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Magic, version 1.0, HEADER_LEN (uint16 LE): the bytes before the header's dict. */
export const NPY_PREFIX_BYTES = NPY_MAGIC.length + 2 + 2;
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
