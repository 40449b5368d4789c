// Columns through a Parquet dictionary (Encodings.md, RLE_DICTIONARY), by the WebAssembly core
// (assembly/dictionary.ts): the distinct values once, then each value's index in the fewest bits that hold the
// dictionary's size, bit-packed eight at a time (one bit-packed run of the RLE / bit-packed hybrid), after the page's
// levels, compressed where it was packed (where Snappy pays, snappy.ts). Class and instance ids: a few dozen classes
// take 5 or 6 bits a point where plain int64 takes 64. Float32 values with few distinct ones (intensities of 256
// levels): 8 bits a point where plain takes 32, and bit-packing is cheaper than Snappy's search for their repeats.
import { type WasmCore, wasmCore } from '../core/wasm.js';
import { align8, compressInCore, maxCompressedLength, SNAPPY_TABLE_BYTES, snappyPaysInCore } from './snappy.js';

const INDEX_TABLE_BYTES = 65536 * 4;
const ID_DICTIONARY_BYTES = 65536 * 2;
const WORD_TABLE_BYTES = (1 << 16) * 4;
const WORD_DICTIONARY_BYTES = 32768 * 4;
/** Words added per call: a column of many distinct values (coordinates) is given up after a call or two, uncopied. */
const WORD_BATCH = 1 << 15;
/** The bit width byte and the run's header (a varint of up to 5 bytes), in front of the packed indices. */
const HEADER_BYTES = 6;

/** A data page of a dictionary-encoded column. */
export interface EncodedIndices {
  /** The page's bytes (the levels, then the values) before compression. */
  length: number;
  /** Whether the page is Snappy-compressed (else its bytes are as they are). */
  snappy: boolean;
  /** The page's bytes as written, in `output`'s first bytes. */
  writtenLength: number;
}

/** The most bytes the page of `count` values after `levels` can take: the output to give encodeIds or encodeWords. */
export function maxEncodedIndicesLength(count: number, levels: Uint8Array): number {
  return maxCompressedLength(levels.length + HEADER_BYTES + Math.ceil(count / 8) * 16);
}

/**
 * Encodes the ids `values`: the distinct ids, ascending, and the page's bytes, `levels` (its repetition and definition
 * levels) then the indices, into `output` (at least maxEncodedIndicesLength bytes).
 */
export function encodeIds(
  values: Uint16Array,
  levels: Uint8Array,
  output: Uint8Array,
): EncodedIndices & { dictionary: Uint16Array } {
  const core = wasmCore();
  const indexPtr = core.base + SNAPPY_TABLE_BYTES;
  const dictionaryPtr = indexPtr + INDEX_TABLE_BYTES;
  const valuesPtr = dictionaryPtr + ID_DICTIONARY_BYTES;
  const packedPtr = reservePage(core, valuesPtr, values.byteLength, values.length, levels);
  new Uint16Array(core.buffer, valuesPtr, values.length).set(values);
  const distinct = core.exports.dictionaryOf(valuesPtr, values.length, indexPtr, dictionaryPtr);
  const dictionary = new Uint16Array(core.buffer, dictionaryPtr, distinct).slice();
  return { dictionary, ...packedPage(core, valuesPtr, values.length, distinct, packedPtr, levels, output) };
}

/**
 * Encodes the 32-bit words of `bytes` (little-endian, such as float32 values) where a dictionary and the indices take
 * at most half their bytes: the distinct words in the order they first appear (a PLAIN dictionary page's bytes), and
 * the page as encodeIds writes it. Undefined otherwise (more than 32,768 distinct words, which would take 16-bit
 * indices, are given up as soon as seen).
 */
export function encodeWords(
  bytes: Uint8Array,
  levels: Uint8Array,
  output: Uint8Array,
): (EncodedIndices & { dictionary: Uint8Array }) | undefined {
  const core = wasmCore();
  const tablePtr = core.base + SNAPPY_TABLE_BYTES;
  const dictionaryPtr = tablePtr + WORD_TABLE_BYTES;
  const valuesPtr = dictionaryPtr + WORD_DICTIONARY_BYTES;
  const count = bytes.length / 4;
  const packedPtr = reservePage(core, valuesPtr, bytes.length, count, levels);
  core.u8.fill(0, tablePtr, tablePtr + WORD_TABLE_BYTES);
  let distinct = 0;
  // Each batch's words copied in after the indices written so far (2 bytes each where the words took 4).
  for (let from = 0; from < count; from += WORD_BATCH) {
    const n = Math.min(WORD_BATCH, count - from);
    const at = valuesPtr + from * 4;
    core.u8.set(bytes.subarray(from * 4, (from + n) * 4), at);
    distinct = core.exports.wordDictionaryAdd(at, n, tablePtr, dictionaryPtr, distinct, valuesPtr + from * 2);
    if (distinct < 0) return undefined;
  }
  if (distinct * 4 + Math.ceil(count / 8) * bitWidthOf(distinct) > bytes.length / 2) return undefined;
  const dictionary = core.u8.slice(dictionaryPtr, dictionaryPtr + distinct * 4);
  return { dictionary, ...packedPage(core, valuesPtr, count, distinct, packedPtr, levels, output) };
}

/** The bits of an index into `distinct` values: at least 1 (0 is valid Parquet but not every reader takes it). */
function bitWidthOf(distinct: number): number {
  return distinct <= 1 ? 1 : 32 - Math.clz32(distinct - 1);
}

/**
 * Makes room for `byteLength` bytes of `count` values at `valuesPtr`, then the page's levels and header, then the
 * packed indices; returns where these go (the levels and header just before them).
 */
function reservePage(core: WasmCore, valuesPtr: number, byteLength: number, count: number, levels: Uint8Array): number {
  const packedPtr = align8(valuesPtr + byteLength + levels.length + HEADER_BYTES);
  core.reserve(packedPtr + Math.ceil(count / 8) * 16 + 16);
  return packedPtr;
}

/**
 * The page of the `count` u16 indices at `indicesPtr` into a dictionary of `distinct` values: `levels`, the bit width,
 * the run's header and the indices packed at `packedPtr`, compressed into `output` where that pays, else copied.
 */
function packedPage(
  core: WasmCore,
  indicesPtr: number,
  count: number,
  distinct: number,
  packedPtr: number,
  levels: Uint8Array,
  output: Uint8Array,
): EncodedIndices {
  const bitWidth = bitWidthOf(distinct);
  const packedLength = core.exports.bitPack(indicesPtr, count, bitWidth, packedPtr);
  // In front of the packed indices: the bit width, then the run's header (groups << 1 | 1, the low bit marking a
  // bit-packed run).
  const header = [bitWidth];
  for (let rest = Math.ceil(count / 8) * 2 + 1; ; rest = Math.floor(rest / 0x80)) {
    if (rest < 0x80) {
      header.push(rest);
      break;
    }
    header.push((rest % 0x80) | 0x80);
  }
  const start = packedPtr - header.length - levels.length;
  core.u8.set(levels, start);
  core.u8.set(header, start + levels.length);
  const length = levels.length + header.length + packedLength;
  const snappy = snappyPaysInCore(core, start, length);
  if (snappy) return { length, snappy, writtenLength: compressInCore(core, start, length, output) };
  output.set(core.u8.subarray(start, start + length));
  return { length, snappy, writtenLength: length };
}
