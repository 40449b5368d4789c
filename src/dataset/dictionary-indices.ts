// Class ids and instance ids as a Parquet dictionary (Encodings.md, RLE_DICTIONARY): the distinct values once, then
// each value's index in the fewest bits that hold the dictionary's size, bit-packed eight at a time (the RLE /
// bit-packed hybrid's bit-packed run). A column of a few dozen classes takes 5 or 6 bits a point where plain int64
// takes 64: 11 times fewer bytes to compress, and smaller files.

/** The distinct values of `values`, ascending, and each value's index among them (`indexOf[value]`). */
export interface Dictionary {
  values: Uint16Array;
  indexOf: Int32Array;
  bitWidth: number;
}

/** The thread's index table (one entry per 16-bit value), reused from column to column. */
const indexOf = new Int32Array(1 << 16);

/** The dictionary of `values` (valid until the next call: its index table is the thread's). */
export function dictionaryOf(values: Uint16Array): Dictionary {
  indexOf.fill(-1);
  let distinct = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (indexOf[value] === -1) {
      indexOf[value] = 0;
      distinct++;
    }
  }
  const sorted = new Uint16Array(distinct);
  for (let value = 0, k = 0; k < distinct; value++) {
    if (indexOf[value] === 0) {
      indexOf[value] = k;
      sorted[k++] = value;
    }
  }
  return { values: sorted, indexOf, bitWidth: Math.max(1, 32 - Math.clz32(distinct - 1)) };
}

/** The bytes `bitPackIndices` writes for `count` values. */
export function bitPackedLength(count: number, bitWidth: number): number {
  return 1 + 5 + Math.ceil(count / 8) * bitWidth;
}

/**
 * The data page's values: the bit width (one byte), then one bit-packed run of every index (its header the varint of
 * groups << 1 | 1; the last group padded with zeros), into `out` (at least bitPackedLength bytes). Returns the length.
 */
export function bitPackIndices(values: Uint16Array, dictionary: Dictionary, out: Uint8Array): number {
  const { indexOf, bitWidth } = dictionary;
  let at = 0;
  out[at++] = bitWidth;
  let header = Math.ceil(values.length / 8) * 2 + 1;
  while (header >= 0x80) {
    out[at++] = (header % 0x80) | 0x80;
    header = Math.floor(header / 0x80);
  }
  out[at++] = header;
  const start = at;
  let bits = 0;
  let pending = 0;
  for (let i = 0; i < values.length; i++) {
    pending |= indexOf[values[i]!]! << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[at++] = pending & 0xff;
      pending >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[at++] = pending & 0xff;
  // The last group's padding: zeros up to a whole group of 8 values.
  const end = start + Math.ceil(values.length / 8) * bitWidth;
  out.fill(0, at, end);
  return end;
}
