// One column chunk of a Parquet row group (parquet-format's parquet.thrift and Encodings.md): one data page v1 per
// column (its levels and values compressed together where Snappy pays, else as they are: the codec is the chunk's),
// after a dictionary page for the id columns. The
// columns are the shapes `dataset parquet` writes: optional scalars (strings, uint32) and 3-level lists whose items are
// all present (class and instance ids through a dictionary, dictionary-indices.ts; floats too where they have few
// distinct values, else plainly).
import type { ColumnBuffers } from './column-buffers.js';
import { type EncodedIndices, encodeIds, encodeWords, maxEncodedIndicesLength } from './dictionary-indices.js';
import { LITTLE_ENDIAN } from './export-reader.js';
import { LevelRuns } from './rle-levels.js';
import { compressSnappy, maxCompressedLength, snappyPays } from './snappy.js';
import { ThriftWriter } from './thrift-compact.js';

export enum PhysicalType {
  Int32 = 1,
  Int64 = 2,
  Float = 4,
  ByteArray = 6,
}

enum Encoding {
  Plain = 0,
  Rle = 3,
  RleDictionary = 8,
}

enum PageType {
  Data = 0,
  Dictionary = 2,
}

/** parquet.thrift's CompressionCodec, one per column chunk. */
export enum Codec {
  Uncompressed = 0,
  Snappy = 1,
}

/** Definition levels of a list's item present (list, its repeated group, the item: all three defined). */
const ITEM_PRESENT = 3;
/** The definition level of an empty list. */
const EMPTY_LIST = 1;

/** What the footer says of a chunk (its ColumnMetaData). */
export interface ChunkMetadata {
  type: PhysicalType;
  path: string[];
  encodings: number[];
  codec: Codec;
  /** Levels: values and nulls (empty lists included). */
  valueCount: number;
  uncompressedSize: number;
  compressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset: number | undefined;
  statistics: { nullCount: number; min: Uint8Array | undefined; max: Uint8Array | undefined } | undefined;
}

/** A chunk's bytes, in file order (views of the thread's buffers: write them before the next chunk), and metadata. */
export interface EncodedChunk {
  parts: Uint8Array[];
  metadata: ChunkMetadata;
}

/** The column's values, the item counts of list columns (one per row). */
export type ChunkValues =
  | { kind: 'strings'; values: readonly (string | null)[] }
  | { kind: 'uint32'; values: Uint32Array }
  | { kind: 'floats'; values: Float32Array; counts: Uint32Array }
  | { kind: 'ids'; type: PhysicalType.Int32 | PhysicalType.Int64; values: Uint16Array; counts: Uint32Array };

const TEXT = new TextEncoder();

/** The chunk of column `name` starting at file offset `offset`. */
export function encodeChunk(name: string, column: ChunkValues, offset: number, buffers: ColumnBuffers): EncodedChunk {
  switch (column.kind) {
    case 'strings':
      return stringChunk(name, column.values, offset, buffers);
    case 'uint32':
      return uint32Chunk(name, column.values, offset, buffers);
    case 'floats':
      return floatListChunk([name, 'list', 'item'], column, offset, buffers);
    case 'ids':
      return idListChunk([name, 'list', 'item'], column, offset, buffers);
  }
}

function stringChunk(
  name: string,
  values: readonly (string | null)[],
  offset: number,
  buffers: ColumnBuffers,
): EncodedChunk {
  const encoded = values.map((value) => (value === null ? undefined : TEXT.encode(value)));
  const present = encoded.filter((bytes) => bytes !== undefined);
  const plain = lengthPrefixed(present);
  const sorted = [...present].sort(compareBytes);
  const definition = new LevelRuns();
  for (const bytes of encoded) definition.add(bytes === undefined ? 0 : 1, 1);
  const statistics = { nullCount: values.length - present.length, min: sorted[0], max: sorted.at(-1) };
  return scalarChunk(name, PhysicalType.ByteArray, values.length, definition, plain, statistics, offset, buffers);
}

function uint32Chunk(name: string, values: Uint32Array, offset: number, buffers: ColumnBuffers): EncodedChunk {
  const definition = new LevelRuns().add(1, values.length);
  const bound = (value: number) => littleEndianBytes(Uint32Array.of(value)).slice();
  const statistics =
    values.length === 0
      ? { nullCount: 0, min: undefined, max: undefined }
      : { nullCount: 0, min: bound(values.reduce(lesser)), max: bound(values.reduce(greater)) };
  const plain = littleEndianBytes(values);
  return scalarChunk(name, PhysicalType.Int32, values.length, definition, plain, statistics, offset, buffers);
}

/** An optional scalar column (no repetition levels; definition level 1 where a value is present). */
function scalarChunk(
  name: string,
  type: PhysicalType,
  rows: number,
  definition: LevelRuns,
  plain: Uint8Array,
  statistics: NonNullable<ChunkMetadata['statistics']>,
  offset: number,
  buffers: ColumnBuffers,
): EncodedChunk {
  const page = plainPage(rows, levelsSection(undefined, definition), plain, buffers);
  return {
    parts: page.parts,
    metadata: {
      type,
      path: [name],
      encodings: [Encoding.Plain, Encoding.Rle],
      codec: page.codec,
      valueCount: rows,
      uncompressedSize: page.uncompressedSize,
      compressedSize: page.compressedSize,
      dataPageOffset: offset,
      dictionaryPageOffset: undefined,
      statistics,
    },
  };
}

/**
 * A float list column: through a dictionary where it has at most 32,768 distinct values and that halves its bytes
 * (intensities: a byte a point where PLAIN takes 4, before any compression), else PLAIN (encodeWords decides).
 */
function floatListChunk(
  path: string[],
  column: Extract<ChunkValues, { kind: 'floats' }>,
  offset: number,
  buffers: ColumnBuffers,
): EncodedChunk {
  const levels = listLevels(column.counts);
  const bytes = littleEndianBytes(column.values);
  const output = buffers.take('compressed', maxEncodedIndicesLength(column.values.length, levels.section), Uint8Array);
  const words = encodeWords(bytes, levels.section, output);
  if (words) return dictionaryChunk(path, PhysicalType.Float, levels.count, words, words.dictionary, output, offset);
  const page = plainPage(levels.count, levels.section, bytes, buffers);
  return listChunk(path, PhysicalType.Float, levels.count, page, offset, [Encoding.Plain, Encoding.Rle]);
}

function idListChunk(
  path: string[],
  column: Extract<ChunkValues, { kind: 'ids' }>,
  offset: number,
  buffers: ColumnBuffers,
): EncodedChunk {
  const levels = listLevels(column.counts);
  const output = buffers.take('compressed', maxEncodedIndicesLength(column.values.length, levels.section), Uint8Array);
  const ids = encodeIds(column.values, levels.section, output);
  const width = plainWidth(column.type);
  const entries = new Uint8Array(ids.dictionary.length * width);
  const view = new DataView(entries.buffer);
  ids.dictionary.forEach((value, k) => view.setUint32(k * width, value, true));
  return dictionaryChunk(path, column.type, levels.count, ids, entries, output, offset);
}

/** The bytes of a PLAIN value of the numeric types a dictionary holds (int32, int64, float). */
function plainWidth(type: PhysicalType): number {
  return type === PhysicalType.Int64 ? 8 : 4;
}

/**
 * A list column's chunk at `offset` of a dictionary page (`entries`, the distinct values PLAIN) and a data page of
 * their indices (in `output`).
 */
function dictionaryChunk(
  path: string[],
  type: PhysicalType,
  levelCount: number,
  indices: EncodedIndices,
  entries: Uint8Array,
  output: Uint8Array,
  offset: number,
): EncodedChunk {
  // The dictionary page has the chunk's codec, its data page's.
  let dictionaryPage = entries;
  if (indices.snappy) {
    const compressed = new Uint8Array(maxCompressedLength(entries.length));
    dictionaryPage = compressed.subarray(0, compressSnappy([entries], compressed));
  }
  const header = pageHeader(PageType.Dictionary, entries.length, dictionaryPage.length, (page) =>
    page.struct(7, (fields) => fields.i32(1, entries.length / plainWidth(type)).i32(2, Encoding.Plain)),
  );
  const dictionaryBytes = header.length + dictionaryPage.length;
  const codec = indices.snappy ? Codec.Snappy : Codec.Uncompressed;
  const written = [output.subarray(0, indices.writtenLength)];
  const page = dataPage(levelCount, Encoding.RleDictionary, indices.length, codec, written);
  const encodings = [Encoding.Plain, Encoding.Rle, Encoding.RleDictionary];
  const chunk = listChunk(path, type, levelCount, page, offset + dictionaryBytes, encodings);
  const { metadata } = chunk;
  return {
    parts: [header, dictionaryPage, ...chunk.parts],
    metadata: {
      ...metadata,
      uncompressedSize: metadata.uncompressedSize + header.length + entries.length,
      compressedSize: metadata.compressedSize + dictionaryBytes,
      dictionaryPageOffset: offset,
    },
  };
}

/** A list column's chunk of one data page, at `offset`. */
function listChunk(
  path: string[],
  type: PhysicalType,
  levelCount: number,
  page: DataPage,
  offset: number,
  encodings: Encoding[],
): EncodedChunk {
  return {
    parts: page.parts,
    metadata: {
      type,
      path,
      encodings,
      codec: page.codec,
      valueCount: levelCount,
      uncompressedSize: page.uncompressedSize,
      compressedSize: page.compressedSize,
      dataPageOffset: offset,
      dictionaryPageOffset: undefined,
      statistics: undefined,
    },
  };
}

/**
 * The levels of a list column whose rows hold `counts` items each, all present: per row, repetition level 0 for its
 * first item and 1 for the others, definition level 3 for every item (an empty list: one level of each, 0 and 1).
 */
function listLevels(counts: Uint32Array): { section: Uint8Array; count: number } {
  const repetition = new LevelRuns();
  const definition = new LevelRuns();
  let count = 0;
  for (const items of counts) {
    repetition.add(0, 1).add(1, Math.max(items - 1, 0));
    definition.add(items === 0 ? EMPTY_LIST : ITEM_PRESENT, Math.max(items, 1));
    count += Math.max(items, 1);
  }
  return { section: levelsSection(repetition, definition), count };
}

/**
 * A data page v1's levels: the repetition levels (where the column has them), then the definition levels, each RLE
 * runs after their length.
 */
function levelsSection(repetition: LevelRuns | undefined, definition: LevelRuns): Uint8Array {
  return lengthPrefixed([...(repetition ? [repetition.encode()] : []), definition.encode()]);
}

/** Each of `parts` after its length (4 bytes, little-endian): PLAIN byte arrays, and a page v1's levels. */
function lengthPrefixed(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, bytes) => sum + 4 + bytes.length, 0));
  const view = new DataView(joined.buffer);
  let at = 0;
  for (const bytes of parts) {
    view.setUint32(at, bytes.length, true);
    joined.set(bytes, at + 4);
    at += 4 + bytes.length;
  }
  return joined;
}

interface DataPage {
  parts: Uint8Array[];
  codec: Codec;
  uncompressedSize: number;
  compressedSize: number;
}

/**
 * A data page of `levels` then PLAIN `values`: compressed into the thread's buffer where Snappy pays, else the bytes
 * as they are (views of the column's buffer: no copy).
 */
function plainPage(levelCount: number, levels: Uint8Array, values: Uint8Array, buffers: ColumnBuffers): DataPage {
  const length = levels.length + values.length;
  if (!snappyPays([levels, values]))
    return dataPage(levelCount, Encoding.Plain, length, Codec.Uncompressed, [levels, values]);
  const output = buffers.take('compressed', maxCompressedLength(length), Uint8Array);
  const compressedLength = compressSnappy([levels, values], output);
  return dataPage(levelCount, Encoding.Plain, length, Codec.Snappy, [output.subarray(0, compressedLength)]);
}

/**
 * A data page v1 of `levelCount` levels: its header, then its levels and values (`length` bytes), in `body` as
 * `codec` gives them.
 */
function dataPage(levelCount: number, encoding: Encoding, length: number, codec: Codec, body: Uint8Array[]): DataPage {
  const written = body.reduce((sum, part) => sum + part.length, 0);
  const header = pageHeader(PageType.Data, length, written, (page) =>
    page.struct(5, (fields) => fields.i32(1, levelCount).i32(2, encoding).i32(3, Encoding.Rle).i32(4, Encoding.Rle)),
  );
  return {
    parts: [header, ...body],
    codec,
    uncompressedSize: header.length + length,
    compressedSize: header.length + written,
  };
}

function pageHeader(
  type: PageType,
  uncompressedSize: number,
  compressedSize: number,
  body: (writer: ThriftWriter) => void,
): Uint8Array {
  const writer = new ThriftWriter().i32(1, type).i32(2, uncompressedSize).i32(3, compressedSize);
  body(writer);
  return writer.stop().bytes().slice();
}

/** The values' bytes in little-endian order, Parquet's: the array's own bytes on a little-endian machine. */
function littleEndianBytes(values: Float32Array | Uint32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    swapped[i] = bytes[i + 3]!;
    swapped[i + 1] = bytes[i + 2]!;
    swapped[i + 2] = bytes[i + 1]!;
    swapped[i + 3] = bytes[i]!;
  }
  return swapped;
}

const lesser = (a: number, b: number) => Math.min(a, b);
const greater = (a: number, b: number) => Math.max(a, b);

/** Byte order: how Parquet orders UTF-8 strings for min and max. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
