// A Parquet file of one row group (parquet-format's file layout): the magic `PAR1`, each column's chunk, then the
// footer, its length (4 bytes, little-endian) and the magic again. Chunks go to `write` one at a time, each before
// the next is encoded, so that one column's pages are in memory at a time.
import type { ColumnBuffers } from './column-buffers.js';
import { type ChunkMetadata, type ChunkValues, encodeChunk } from './parquet-column-chunk.js';
import { type ColumnSchema, encodeFooter } from './parquet-footer.js';

const MAGIC = new TextEncoder().encode('PAR1');

/** A column of the row group: its schema and its values. */
export type RowGroupColumn = [ColumnSchema, ChunkValues];

/** Writes the file of `rows` rows through `write` (whose views of `buffers` must be written when it resolves). */
export async function writeRowGroupFile(
  columns: readonly RowGroupColumn[],
  rows: number,
  metadata: readonly [string, string][],
  buffers: ColumnBuffers,
  write: (...parts: Uint8Array[]) => Promise<void>,
): Promise<void> {
  await write(MAGIC);
  let offset = MAGIC.length;
  const chunks: ChunkMetadata[] = [];
  for (const [{ name }, values] of columns) {
    const chunk = encodeChunk(name, values, offset, buffers);
    await write(...chunk.parts);
    chunks.push(chunk.metadata);
    offset += chunk.metadata.compressedSize;
  }
  const schema = columns.map(([column]) => column);
  const footer = encodeFooter(schema, chunks, rows, MAGIC.length, metadata);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, footer.length, true);
  await write(footer, length, MAGIC);
}
