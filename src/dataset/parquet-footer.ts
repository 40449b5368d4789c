// The footer of a Parquet file (parquet.thrift's FileMetaData, Thrift compact): the schema, flattened depth first,
// the one row group's column chunks, the key-value metadata (`huggingface`, for `datasets`), and the type-defined
// sort order of every column, which tells readers the min and max statistics are comparable.
import { type ChunkMetadata, PhysicalType } from './parquet-column-chunk.js';
import { ThriftWriter } from './thrift-compact.js';

/** A top-level column and its Arrow type, as readers show it. */
export interface ColumnSchema {
  name: string;
  type: 'string' | 'uint32' | 'list<float>' | 'list<int64>' | 'list<uint16>';
}

enum Repetition {
  Optional = 1,
  Repeated = 2,
}

enum ConvertedType {
  Utf8 = 0,
  List = 3,
  Uint16 = 12,
  Uint32 = 13,
}

/** LogicalType's union members. */
enum Logical {
  String = 1,
  List = 3,
  Integer = 10,
}

interface SchemaElement {
  name: string;
  type?: PhysicalType;
  repetition?: Repetition;
  children?: number;
  converted?: ConvertedType;
  logical?: { member: Logical; bits?: number };
}

const LEAVES: Record<ColumnSchema['type'], Omit<SchemaElement, 'name' | 'repetition'>> = {
  string: { type: PhysicalType.ByteArray, converted: ConvertedType.Utf8, logical: { member: Logical.String } },
  uint32: { type: PhysicalType.Int32, converted: ConvertedType.Uint32, logical: { member: Logical.Integer, bits: 32 } },
  'list<float>': { type: PhysicalType.Float },
  'list<int64>': { type: PhysicalType.Int64 },
  'list<uint16>': {
    type: PhysicalType.Int32,
    converted: ConvertedType.Uint16,
    logical: { member: Logical.Integer, bits: 16 },
  },
};

/**
 * The schema's elements: a list column as the standard 3-level LIST (an optional group, its repeated group `list`,
 * the optional item, named `item` so readers without Arrow's schema name it as Arrow does).
 */
function schemaElements(columns: readonly ColumnSchema[]): SchemaElement[] {
  const elements: SchemaElement[] = [{ name: 'schema', children: columns.length }];
  for (const { name, type } of columns) {
    const leaf = LEAVES[type];
    if (!type.startsWith('list<')) {
      elements.push({ name, repetition: Repetition.Optional, ...leaf });
      continue;
    }
    elements.push(
      {
        name,
        repetition: Repetition.Optional,
        children: 1,
        converted: ConvertedType.List,
        logical: { member: Logical.List },
      },
      { name: 'list', repetition: Repetition.Repeated, children: 1 },
      { name: 'item', repetition: Repetition.Optional, ...leaf },
    );
  }
  return elements;
}

/** The footer's bytes (FileMetaData) for one row group of `rows` rows starting at `rowGroupOffset`. */
export function encodeFooter(
  columns: readonly ColumnSchema[],
  chunks: readonly ChunkMetadata[],
  rows: number,
  rowGroupOffset: number,
  metadata: readonly [string, string][],
): Uint8Array {
  const sum = (size: (chunk: ChunkMetadata) => number) => chunks.reduce((total, chunk) => total + size(chunk), 0);
  return new ThriftWriter()
    .i32(1, 2)
    .structs(2, schemaElements(columns), writeSchemaElement)
    .i64(3, rows)
    .structs(4, [chunks], (group) =>
      group
        .structs(1, chunks, (chunk, metadata) =>
          chunk
            .i64(2, metadata.dictionaryPageOffset ?? metadata.dataPageOffset)
            .struct(3, (fields) => writeColumnMetadata(fields, metadata)),
        )
        .i64(
          2,
          sum((chunk) => chunk.uncompressedSize),
        )
        .i64(3, rows)
        .i64(5, rowGroupOffset)
        .i64(
          6,
          sum((chunk) => chunk.compressedSize),
        ),
    )
    .structs(5, metadata, (entry, [key, value]) => entry.binary(1, key).binary(2, value))
    .binary(6, 'playment-masks')
    .structs(7, chunks, (order) => order.struct(1, () => {}))
    .stop()
    .bytes()
    .slice();
}

function writeSchemaElement(writer: ThriftWriter, element: SchemaElement): void {
  if (element.type !== undefined) writer.i32(1, element.type);
  if (element.repetition !== undefined) writer.i32(3, element.repetition);
  writer.binary(4, element.name);
  if (element.children !== undefined) writer.i32(5, element.children);
  if (element.converted !== undefined) writer.i32(6, element.converted);
  const { logical } = element;
  if (logical) {
    writer.struct(10, (union) =>
      union.struct(logical.member, (member) => {
        if (logical.bits !== undefined) member.byte(1, logical.bits).bool(2, false);
      }),
    );
  }
}

function writeColumnMetadata(writer: ThriftWriter, chunk: ChunkMetadata): void {
  writer
    .i32(1, chunk.type)
    .i32s(2, chunk.encodings)
    .strings(3, chunk.path)
    .i32(4, chunk.codec)
    .i64(5, chunk.valueCount)
    .i64(6, chunk.uncompressedSize)
    .i64(7, chunk.compressedSize)
    .i64(9, chunk.dataPageOffset);
  if (chunk.dictionaryPageOffset !== undefined) writer.i64(11, chunk.dictionaryPageOffset);
  const { statistics } = chunk;
  if (statistics) {
    writer.struct(12, (fields) => {
      fields.i64(3, statistics.nullCount);
      if (statistics.max) fields.binary(5, statistics.max);
      if (statistics.min) fields.binary(6, statistics.min);
    });
  }
}
