// Class ids and instance ids as a Parquet dictionary (Encodings.md, RLE_DICTIONARY), by the WebAssembly core
// (assembly/dictionary.ts): the distinct values once, then each value's index in the fewest bits that hold the
// dictionary's size, bit-packed eight at a time (one bit-packed run of the RLE / bit-packed hybrid), after the page's
// levels, compressed where it was packed (where Snappy pays, snappy.ts). A column of a few dozen classes takes 5 or 6 bits a point where plain int64
// takes 64: 11 times fewer bytes to compress, and smaller files.
import { wasmCore } from '../core/wasm.js';
import { align8, compressInCore, maxCompressedLength, SNAPPY_TABLE_BYTES, snappyPaysInCore } from './snappy.js';

const INDEX_TABLE_BYTES = 65536 * 4;
const DICTIONARY_BYTES = 65536 * 2;
/** The bit width byte and the run's header (a varint of up to 5 bytes), in front of the packed indices. */
const HEADER_BYTES = 6;

/** A data page of an id column, and its dictionary. */
export interface EncodedIds {
  /** The distinct values, ascending. */
  dictionary: Uint16Array;
  /** The page's bytes (the levels, then the values) before compression. */
  length: number;
  /** Whether the page is Snappy-compressed (else its bytes are as they are). */
  snappy: boolean;
  /** The page's bytes as written, in `output`'s first bytes. */
  writtenLength: number;
}

/** The most bytes the compressed page of `count` ids after `levels` can take: the output to give encodeIds. */
export function maxEncodedIdsLength(count: number, levels: Uint8Array): number {
  return maxCompressedLength(levels.length + HEADER_BYTES + Math.ceil(count / 8) * 16);
}

/**
 * Encodes `values`: the page's bytes, `levels` (its repetition and definition levels) then the values, compressed
 * where that pays, into `output` (at least maxEncodedIdsLength bytes).
 */
export function encodeIds(values: Uint16Array, levels: Uint8Array, output: Uint8Array): EncodedIds {
  const core = wasmCore();
  const indexPtr = core.base + SNAPPY_TABLE_BYTES;
  const dictionaryPtr = indexPtr + INDEX_TABLE_BYTES;
  const valuesPtr = dictionaryPtr + DICTIONARY_BYTES;
  const packedPtr = align8(valuesPtr + values.byteLength + levels.length + HEADER_BYTES);
  core.reserve(packedPtr + Math.ceil(values.length / 8) * 16 + 8);
  new Uint16Array(core.buffer, valuesPtr, values.length).set(values);
  const distinct = core.exports.dictionaryOf(valuesPtr, values.length, indexPtr, dictionaryPtr);
  const dictionary = new Uint16Array(core.buffer, dictionaryPtr, distinct).slice();
  // At least 1 bit: 0 (one distinct value, or none) is valid Parquet but not every reader takes it.
  const bitWidth = distinct <= 1 ? 1 : 32 - Math.clz32(distinct - 1);
  const packedLength = core.exports.bitPack(valuesPtr, values.length, indexPtr, bitWidth, packedPtr);
  // In front of the packed indices: the bit width, then the run's header (groups << 1 | 1, the low bit marking a
  // bit-packed run).
  const header = [bitWidth];
  for (let rest = Math.ceil(values.length / 8) * 2 + 1; ; rest = Math.floor(rest / 0x80)) {
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
  if (snappy) return { dictionary, length, snappy, writtenLength: compressInCore(core, start, length, output) };
  output.set(core.u8.subarray(start, start + length));
  return { dictionary, length, snappy, writtenLength: length };
}
