// The Parquet writer's pieces: Thrift compact encoding and the levels' runs against known answers worked out by hand
// from the specifications (thrift-compact-protocol.md, parquet-format's Encodings.md); Snappy and the id dictionary
// against known answers and through a real decoder (pyarrow's Snappy, the C++ library's); and whole files of edge
// cases (nulls, empty lists, 1 to 3,000 distinct ids, pages over several Snappy blocks) read back by pyarrow and
// DuckDB, values, types and statistics.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnBuffers } from '../src/dataset/column-buffers.js';
import { encodeIds, encodeWords, maxEncodedIndicesLength } from '../src/dataset/dictionary-indices.js';
import { PhysicalType } from '../src/dataset/parquet-column-chunk.js';
import { type RowGroupColumn, writeRowGroupFile } from '../src/dataset/parquet-writer.js';
import { LevelRuns } from '../src/dataset/rle-levels.js';
import { compressSnappy, maxCompressedLength } from '../src/dataset/snappy.js';
import { ThriftWriter, zigzag32, zigzag64 } from '../src/dataset/thrift-compact.js';
import { removeTempDirs, tempDir } from './export-support.js';

afterAll(removeTempDirs);

const python = spawnSync('python3', ['-c', 'import pyarrow, duckdb'], { stdio: 'ignore' }).status === 0;
if (!python && process.env.CI === 'true')
  throw new Error('CI runs the Parquet readers, but pyarrow or duckdb is missing');
if (!python)
  console.warn('test/parquet-writer.test.ts: the readers are skipped (python3 -m pip install pyarrow duckdb)');

function runPython(script: string, ...args: string[]): string {
  const run = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

const bytes = (writer: ThriftWriter) => [...writer.bytes()];

describe('Thrift compact protocol', () => {
  it('zigzags 32- and 64-bit integers', () => {
    expect([0, -1, 1, -2, 2, 2147483647, -2147483648].map(zigzag32)).toEqual([0, 1, 2, 3, 4, 4294967294, 4294967295]);
    expect([0, -1, 1, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER].map(zigzag64)).toEqual([
      0n,
      1n,
      2n,
      2n ** 41n,
      2n ** 41n - 1n,
      2n ** 54n - 2n,
    ]);
  });

  it('writes field headers as deltas (long ones as a type byte and a zigzag id), values as varints', () => {
    // Field 1 i32 150: header 0x15, zigzag 300 = varint AC 02.
    expect(bytes(new ThriftWriter().i32(1, 150))).toEqual([0x15, 0xac, 0x02]);
    // Field 1 then field 20 (delta 19 > 15): 0x05, zigzag(20) = 40; i32 -1 is zigzag 1.
    expect(bytes(new ThriftWriter().i32(1, 0).i32(20, -1))).toEqual([0x15, 0x00, 0x05, 40, 0x01]);
    // Booleans live in the header's type nibble: true 1, false 2.
    expect(bytes(new ThriftWriter().bool(1, true).bool(3, false))).toEqual([0x11, 0x22]);
    // i64 2^40: zigzag 2^41, a varint of 6 bytes (bit 41 is the 7th bit of the 6th group).
    expect(bytes(new ThriftWriter().i64(2, 2 ** 40))).toEqual([0x26, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
    expect(bytes(new ThriftWriter().byte(1, 16))).toEqual([0x13, 16]);
    expect(bytes(new ThriftWriter().binary(4, 'ab'))).toEqual([0x48, 2, 0x61, 0x62]);
  });

  it('nests structs (field ids start over inside), closes each with a stop byte; lists carry size and type', () => {
    const writer = new ThriftWriter()
      .i32(3, 1)
      .struct(10, (inner) => inner.i32(1, 2))
      .i32(11, 3)
      .stop();
    expect(bytes(writer)).toEqual([0x35, 0x02, 0x7c, 0x15, 0x04, 0x00, 0x15, 0x06, 0x00]);
    expect(bytes(new ThriftWriter().i32s(2, [0, 3]))).toEqual([0x29, 0x25, 0x00, 0x06]);
    // 15 items or more: 0xF0 | type, then the size as a varint.
    const long = bytes(
      new ThriftWriter().strings(
        1,
        Array.from({ length: 20 }, () => ''),
      ),
    );
    expect(long.slice(0, 3)).toEqual([0x19, 0xf8, 20]);
    expect(long).toHaveLength(3 + 20);
  });
});

describe('levels as RLE runs', () => {
  it('writes each run as a varint of count << 1 and the value, merging neighbours of one value', () => {
    // A row of 100,000 items: repetition 0 once then 1 99,999 times; definition 3 for all.
    const repetition = new LevelRuns().add(0, 1).add(1, 99_999).encode();
    expect([...repetition]).toEqual([0x02, 0x00, 0xbe, 0x9a, 0x0c, 0x01]);
    // Two rows of 3 and 5 items, all defined: one run of 8.
    expect([...new LevelRuns().add(3, 3).add(3, 5).encode()]).toEqual([0x10, 0x03]);
    // Empty runs are nothing; a null between values splits the run.
    expect([...new LevelRuns().add(1, 2).add(0, 0).add(0, 1).add(1, 1).encode()]).toEqual([4, 1, 2, 0, 2, 1]);
  });
});

describe('Snappy', () => {
  it('writes a known answer: the length, a literal, a copy of the run', () => {
    const out = new Uint8Array(maxCompressedLength(20));
    const length = compressSnappy([new TextEncoder().encode('a'.repeat(20))], out);
    // 20; literal of 1 byte (tag 0); copy of 19 bytes at offset 1: tag 10, (19 - 1) << 2, offset as 2 bytes.
    expect([...out.subarray(0, length)]).toEqual([20, 0x00, 0x61, 0x4a, 0x01, 0x00]);
    expect([...out.subarray(0, compressSnappy([], out))]).toEqual([0]);
  });

  it.runIf(python)('round-trips through pyarrow (the C++ Snappy library) for every kind of input', async () => {
    const dir = await tempDir('snappy-');
    const random = (n: number) => Uint8Array.from({ length: n }, () => (Math.random() * 256) | 0);
    const runs = (n: number) => Uint8Array.from({ length: n }, (_, i) => Math.floor(i / 700) % 7);
    const floats = new Float32Array(300_000).map((_, i) => Math.round(Math.sin(i / 50) * 2000) / 64);
    const inputs: Record<string, Uint8Array> = {
      tiny: Uint8Array.of(1, 2, 3),
      margin: random(16),
      literal60: random(61),
      literal256: random(300),
      random: random(200_000), // incompressible, over three 64 KiB blocks
      runs: runs(300_000), // copies of up to 64 bytes and longer, offsets 1 to 65,535
      repeats: Uint8Array.from({ length: 150_000 }, (_, i) => (i % 3000) % 251), // offsets over 2,047
      floats: new Uint8Array(floats.buffer),
    };
    const sizes: Record<string, number> = {};
    for (const [name, input] of Object.entries(inputs)) {
      const out = new Uint8Array(maxCompressedLength(input.length));
      const length = compressSnappy([input.subarray(0, 7), input.subarray(7)], out);
      sizes[name] = length;
      await writeFile(join(dir, `${name}.raw`), input);
      await writeFile(join(dir, `${name}.snappy`), out.subarray(0, length));
    }
    const script = `
import json, os, sys, pyarrow as pa
result = {}
for name in json.loads(sys.argv[2]):
    raw = open(os.path.join(sys.argv[1], name + '.raw'), 'rb').read()
    packed = open(os.path.join(sys.argv[1], name + '.snappy'), 'rb').read()
    result[name] = pa.decompress(packed, decompressed_size=len(raw), codec='snappy').to_pybytes() == raw
print(json.dumps(result))
`;
    const result = JSON.parse(runPython(script, dir, JSON.stringify(Object.keys(inputs))));
    expect(result).toEqual(Object.fromEntries(Object.keys(inputs).map((name) => [name, true])));
    // Compressible inputs shrink; incompressible ones grow by the format's overhead only.
    expect(sizes.runs!).toBeLessThan(300_000 / 20);
    expect(sizes.repeats!).toBeLessThan(150_000 / 10);
    expect(sizes.random!).toBeLessThan(200_000 * 1.001 + 16);
  });
});

describe('ids through a dictionary', () => {
  it('writes the distinct values ascending; the levels, the bit width, the run header, the indices bit-packed', () => {
    const levels = Uint8Array.of(0xaa, 0xbb);
    const output = new Uint8Array(maxEncodedIndicesLength(5, levels));
    const ids = encodeIds(Uint16Array.of(5, 5, 9, 5, 7), levels, output);
    expect([...ids.dictionary]).toEqual([5, 7, 9]);
    // Indices 0 0 2 0 1 in 2 bits, least significant first: 0b00_10_00_00, then 0b01 and the group's padding.
    // After the levels: width 2, header (1 group << 1 | 1), 2 bytes; as they are: Snappy would add 2 bytes to 6.
    expect(ids.length).toBe(6);
    expect(ids.snappy).toBe(false);
    expect([...output.subarray(0, ids.writtenLength)]).toEqual([0xaa, 0xbb, 2, 3, 0x20, 0x01]);
  });

  it('compresses the page where Snappy saves an eighth of its first block', () => {
    const levels = Uint8Array.of(0xaa, 0xbb);
    const values = Uint16Array.from({ length: 4000 }, (_, i) => [5, 7, 9][Math.floor(i / 100) % 3]!);
    const output = new Uint8Array(maxEncodedIndicesLength(values.length, levels));
    const ids = encodeIds(values, levels, output);
    // 2 bits a value: 1,000 bytes after the levels and a 3-byte header (width 2, varint 1,001), runs of 25 bytes.
    expect(ids.length).toBe(2 + 3 + 1000);
    expect(ids.snappy).toBe(true);
    expect(ids.writtenLength).toBeLessThan(ids.length / 4);
    // Snappy's header: the uncompressed length as a varint (1,005 = 0xED 0x07), then a literal (tag 00) first.
    expect([...output.subarray(0, 2)]).toEqual([0xed, 0x07]);
    expect(output[2]! & 3).toBe(0);
  });
});

describe('float32 values through a dictionary', () => {
  const bytesOf = (values: Float32Array) => new Uint8Array(values.buffer);

  it('writes the distinct words in the order they first appear, then their indices bit-packed', () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => [2.5, -1, 2.5, 0][i % 4]!);
    const levels = Uint8Array.of(0xaa);
    const output = new Uint8Array(maxEncodedIndicesLength(values.length, levels));
    const words = encodeWords(bytesOf(values), levels, output);
    expect(words).toBeDefined();
    expect([...new Float32Array(words!.dictionary.slice().buffer)]).toEqual([2.5, -1, 0]);
    // Indices 0 1 0 2 in 2 bits: 0b10_00_01_00 = 0x84 per four values, 16 bytes; width 2, header (8 groups << 1 | 1).
    expect(words!.length).toBe(1 + 2 + 16);
    const page = words!.snappy ? undefined : [...output.subarray(0, words!.writtenLength)];
    expect(page).toEqual([0xaa, 2, 17, ...Array.from({ length: 16 }, () => 0x84)]);
  });

  it('gives up where the dictionary and indices would take over half the plain bytes', () => {
    const distinct = Float32Array.from({ length: 10_000 }, (_, i) => i / 7);
    const levels = new Uint8Array(0);
    const output = new Uint8Array(maxEncodedIndicesLength(distinct.length, levels));
    expect(encodeWords(bytesOf(distinct), levels, output)).toBeUndefined();
    // Over 32,768 distinct values: given up (16-bit indices would take half the bytes without the dictionary).
    const many = Float32Array.from({ length: 2_000_000 }, (_, i) => i % 32_769);
    expect(encodeWords(bytesOf(many), levels, new Uint8Array(maxEncodedIndicesLength(many.length, levels)))).toBe(
      undefined,
    );
    // 32,768 distinct values over 2,000,000: a dictionary (128 KiB) and 15-bit indices, under half of 8 MB.
    const repeated = Float32Array.from({ length: 2_000_000 }, (_, i) => (i * 7) % 32_768);
    const words = encodeWords(bytesOf(repeated), levels, new Uint8Array(maxEncodedIndicesLength(2_000_000, levels)));
    expect(words?.dictionary.length).toBe(32_768 * 4);
    // The width, the run's header (500,001 as a 3-byte varint), then the indices.
    expect(words?.length).toBe(1 + 3 + (2_000_000 / 8) * 15);
  });
});

/** A column of `n` rows of `count(r)` items. */
function counts(rows: number, count: (r: number) => number): Uint32Array {
  return Uint32Array.from({ length: rows }, (_, r) => count(r));
}

describe.runIf(python)('files of one row group, read by pyarrow and DuckDB', () => {
  it('holds nulls, empty lists, 1 to 3,000 distinct ids and pages over several Snappy blocks', async () => {
    const rows = 7;
    const itemCounts = counts(rows, (r) => [0, 1, 9, 40_000, 0, 3, 25_001][r]!);
    const total = itemCounts.reduce((sum, n) => sum + n, 0);
    const floats = Float32Array.from({ length: total }, (_, i) => (i % 977) / 8 - 50);
    // Coordinates as a scan gives them: every bit of the mantissa noise (a linear congruential generator).
    let seed = 12345;
    const noise = Float32Array.from({ length: total }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return 10 + (seed / 2 ** 32) * 40;
    });
    // Intensities of 256 levels in no order: a dictionary whose 8-bit indices Snappy cannot shrink.
    const intensity = Float32Array.from({ length: total }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    });
    const few = new Uint16Array(total).fill(42);
    const many = Uint16Array.from({ length: total }, (_, i) => (i * 7919) % 3000);
    const columns: RowGroupColumn[] = [
      [
        { name: 'name', type: 'string' },
        { kind: 'strings', values: ['b', null, 'ä', 'a', null, 'zz', 'b'] },
      ],
      [
        { name: 'empty', type: 'string' },
        { kind: 'strings', values: Array.from({ length: rows }, () => null) },
      ],
      [
        { name: 'points', type: 'uint32' },
        { kind: 'uint32', values: itemCounts },
      ],
      [
        { name: 'x', type: 'list<float>' },
        { kind: 'floats', values: floats, counts: itemCounts },
      ],
      [
        { name: 'y', type: 'list<float>' },
        { kind: 'floats', values: noise, counts: itemCounts },
      ],
      [
        { name: 'intensity', type: 'list<float>' },
        { kind: 'floats', values: intensity, counts: itemCounts },
      ],
      [
        { name: 'label', type: 'list<int64>' },
        { kind: 'ids', type: PhysicalType.Int64, values: few, counts: itemCounts },
      ],
      [
        { name: 'instance', type: 'list<uint16>' },
        { kind: 'ids', type: PhysicalType.Int32, values: many, counts: itemCounts },
      ],
    ];
    const dir = await tempDir('parquet-writer-');
    const path = join(dir, 'file.parquet');
    const parts: Uint8Array[] = [];
    await writeRowGroupFile(columns, rows, [['note', '{"a": 1}']], new ColumnBuffers(), async (...more) => {
      // Copies: the parts are views of buffers reused by the next chunk.
      parts.push(...more.map((part) => part.slice()));
    });
    await writeFile(path, Buffer.concat(parts));
    const script = `
import json, sys, duckdb, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
table = f.read()
meta = f.metadata.row_group(0)
codecs = {meta.column(i).path_in_schema: meta.column(i).compression for i in range(meta.num_columns)}
dictionaries = [meta.column(i).path_in_schema for i in range(meta.num_columns) if meta.column(i).has_dictionary_page]
stats = {}
for i in range(meta.num_columns):
    s = meta.column(i).statistics
    if s is not None and s.has_min_max:
        stats[meta.column(i).path_in_schema] = [s.min, s.max, s.null_count]
    elif s is not None:
        stats[meta.column(i).path_in_schema] = [None, None, s.null_count]
print(json.dumps({
    'schema': {field.name: str(field.type) for field in table.schema},
    'metadata': {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()},
    'rows': table.num_rows,
    'columns': table.to_pydict(),
    'stats': stats,
    'codecs': codecs,
    'dictionaries': dictionaries,
    'duckdb': duckdb.sql(f"SELECT count(*), sum(len(x)), sum(list_sum(label)), sum(list_sum(instance)), sum(list_sum(y)), sum(list_sum(intensity)) FROM read_parquet('{sys.argv[1]}')").fetchall(),
    'duckdb_b': duckdb.sql(f"SELECT count(*) FROM read_parquet('{sys.argv[1]}') WHERE name = 'b'").fetchall(),
}))
`;
    const report = JSON.parse(runPython(script, path));
    expect(report.schema).toEqual({
      name: 'string',
      empty: 'string',
      points: 'uint32',
      x: 'list<item: float>',
      y: 'list<item: float>',
      intensity: 'list<item: float>',
      label: 'list<item: int64>',
      instance: 'list<item: uint16>',
    });
    expect(report.metadata).toEqual({ note: '{"a": 1}' });
    expect(report.rows).toBe(rows);
    const split = <T>(values: ArrayLike<T>) => {
      let at = 0;
      return Array.from(itemCounts, (n) => Array.from({ length: n }, () => values[at++]!));
    };
    expect(report.columns).toEqual({
      name: ['b', null, 'ä', 'a', null, 'zz', 'b'],
      empty: Array.from({ length: rows }, () => null),
      points: [...itemCounts],
      x: split(floats),
      y: split(noise),
      intensity: split(intensity),
      label: split(few),
      instance: split(many),
    });
    // Min and max in byte order (UTF-8 'ä' after 'zz'), nulls counted; none on the lists.
    expect(report.stats).toEqual({ name: ['a', 'ä', 2], empty: [null, null, 7], points: [0, 40_000, 0] });
    // Snappy where it saves an eighth (the periodic floats' and the ids' indices), the noise, the random intensities'
    // indices and the few bytes of the scalar columns as they are; floats of few distinct values through a dictionary.
    expect(report.codecs).toEqual({
      name: 'UNCOMPRESSED',
      empty: 'UNCOMPRESSED',
      points: 'UNCOMPRESSED',
      'x.list.item': 'SNAPPY',
      'y.list.item': 'UNCOMPRESSED',
      'intensity.list.item': 'UNCOMPRESSED',
      'label.list.item': 'SNAPPY',
      'instance.list.item': 'SNAPPY',
    });
    expect(report.dictionaries).toEqual([
      'x.list.item',
      'intensity.list.item',
      'label.list.item',
      'instance.list.item',
    ]);
    const sum = (values: ArrayLike<number>) => Array.from(values).reduce((total, value) => total + value, 0);
    const [duckdb] = report.duckdb;
    expect(duckdb.slice(0, 4)).toEqual([rows, total, sum(few), sum(many)]);
    // DuckDB sums the floats as doubles, in its own order.
    expect(duckdb[4]).toBeCloseTo(sum(noise), 0);
    expect(duckdb[5]).toBe(sum(intensity));
    expect(report.duckdb_b).toEqual([[2]]);
  });

  it('holds no row at all (an export without frames)', async () => {
    const none = new Uint32Array(0);
    const columns: RowGroupColumn[] = [
      [
        { name: 'name', type: 'string' },
        { kind: 'strings', values: [] },
      ],
      [
        { name: 'points', type: 'uint32' },
        { kind: 'uint32', values: none },
      ],
      [
        { name: 'x', type: 'list<float>' },
        { kind: 'floats', values: new Float32Array(0), counts: none },
      ],
      [
        { name: 'label', type: 'list<int64>' },
        { kind: 'ids', type: PhysicalType.Int64, values: new Uint16Array(0), counts: none },
      ],
    ];
    const path = join(await tempDir('parquet-writer-'), 'empty.parquet');
    const parts: Uint8Array[] = [];
    await writeRowGroupFile(columns, 0, [], new ColumnBuffers(), async (...more) => {
      parts.push(...more.map((part) => part.slice()));
    });
    await writeFile(path, Buffer.concat(parts));
    const script = `
import json, sys, duckdb, pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
print(json.dumps({'rows': table.num_rows, 'columns': table.column_names,
                  'duckdb': duckdb.sql(f"SELECT count(*) FROM read_parquet('{sys.argv[1]}')").fetchall()}))
`;
    expect(JSON.parse(runPython(script, path))).toEqual({
      rows: 0,
      columns: ['name', 'points', 'x', 'label'],
      duckdb: [[0]],
    });
  });
});
