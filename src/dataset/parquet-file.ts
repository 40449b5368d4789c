// One Parquet file of `dataset parquet`, built where it runs (a thread, see threads.ts): its rows'
// frames read from the export, copied into one buffer per column, encoded as one row group by parquet-wasm (arrow-rs
// compiled to WebAssembly) from Apache Arrow data, and written whole under its final name. A file's bytes depend on
// its rows only, whichever thread builds it.
import type { IndexLine } from '../export/records.js';
import { writeFileAtomic } from '../export/files.js';
import { DatasetError } from './dataset-error.js';
import { type ExportTree, type FrameData, LITTLE_ENDIAN, ReadBuffers, readFrames } from './export-reader.js';

/** One row: a frame of one lidar. */
export interface ParquetRow {
  jobId: string;
  referenceId: string | null;
  frameId: string;
  sensorId: string;
  line: IndexLine;
}

/** What an encoding thread needs to build one file (structured-cloneable). */
export interface ParquetFileTask {
  /** The export (its `lines` need not be given: the rows name theirs). */
  tree: ExportTree;
  rows: ParquetRow[];
  withPoints: boolean;
  withIntensity: boolean;
  /** The Arrow schema's key-value metadata (`huggingface`), written into every file. */
  metadata: [string, string][];
  dir: string;
  name: string;
}

const MAX_LIST_VALUES = 2 ** 31 - 1; // Arrow List offsets are int32
const SCALAR_COLUMNS = ['job_id', 'reference_id', 'frame_id', 'sensor_id', 'points'];

type Arrow = typeof import('apache-arrow');
type ParquetWasm = typeof import('parquet-wasm');

/** The two packages, loaded once per thread, when its first file is built. */
let libraries: Promise<{ arrow: Arrow; parquet: ParquetWasm }> | undefined;

/** Builds the file `task.name` in `task.dir`; on a failure, nothing is left under that name. */
export async function writeParquetFile(task: ParquetFileTask): Promise<void> {
  libraries ??= Promise.all([import('apache-arrow'), import('parquet-wasm')]).then(([arrow, parquet]) => ({
    arrow,
    parquet,
  }));
  const { arrow, parquet } = await libraries;
  const { tree, rows } = task;
  const frames = readFrames(
    tree,
    rows.map((row) => row.line),
    readBuffers,
  );
  let columns: Columns;
  try {
    columns = await columnsOf(frames, rows, tree.summary.instances, task.withPoints, task.withIntensity);
  } finally {
    // On an error, the frame read ahead ends before the thread's buffers go to its next task.
    await frames.return(undefined);
  }
  const metadata = new Map(task.metadata);
  const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(arrowTable(arrow, columns, metadata), 'stream'));
  const bytes = parquet.writeParquet(wasmTable, properties(parquet, metadata, rows.length));
  // Without fsync: the files are rebuilt from the export after a crash.
  await writeFileAtomic(task.dir, task.name, [bytes], { sync: false });
}

/**
 * No dictionary encoding: coordinates are nearly all distinct, and building a dictionary of them only to drop it took
 * 4 times as long as writing them plainly, for files 3% smaller. Statistics (min and max) only for the scalar columns
 * a query filters on: for the per-point lists they cost a fifth of the writing time and prune nothing. (parquet-wasm's
 * per-column settings reach top-level columns only, not a list's items.)
 */
function properties(parquet: ParquetWasm, metadata: Map<string, string>, rows: number) {
  const builder = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(parquet.EnabledStatistics.None)
    .setMaxRowGroupSize(Math.max(1, rows))
    .setKeyValueMetadata(metadata);
  return SCALAR_COLUMNS.reduce(
    (properties, column) => properties.setColumnStatisticsEnabled(column, parquet.EnabledStatistics.Chunk),
    builder,
  ).build();
}

interface Columns {
  strings: Record<'job_id' | 'reference_id' | 'frame_id' | 'sensor_id', (string | null)[]>;
  points: Uint32Array;
  offsets: Int32Array;
  floats: Partial<Record<'x' | 'y' | 'z' | 'intensity', Float32Array>>;
  label: BigInt64Array;
  instance: Uint16Array | undefined;
}

/** The row group's columns, the rows' frames (the next ones of `frames`) copied into one buffer per column. */
async function columnsOf(
  frames: AsyncGenerator<FrameData>,
  rows: readonly ParquetRow[],
  withInstances: boolean,
  withPoints: boolean,
  withIntensity: boolean,
): Promise<Columns> {
  const offsets = new Int32Array(rows.length + 1);
  for (const [r, row] of rows.entries()) {
    const total = offsets[r]! + row.line.points;
    if (total > MAX_LIST_VALUES) {
      throw new DatasetError('ROW_GROUP_TOO_LARGE', 'over 2^31 points in one file: use a smaller --rows-per-file');
    }
    offsets[r + 1] = total;
  }
  const total = offsets[rows.length]!;
  const floats: Columns['floats'] = {};
  const floatColumns = withIntensity ? (['x', 'y', 'z', 'intensity'] as const) : (['x', 'y', 'z'] as const);
  if (withPoints) for (const name of floatColumns) floats[name] = buffers.take(name, total, Float32Array);
  // The high words of a label stay 0 from the buffer's making: setInt64 writes the low ones.
  const label = buffers.take('label', total, BigInt64Array);
  const instance = withInstances ? buffers.take('instance', total, Uint16Array) : undefined;
  const points = new Uint32Array(rows.length);
  for (const [r, row] of rows.entries()) {
    const frame = (await frames.next()).value as FrameData;
    const at = offsets[r]!;
    const n = frame.labels.length;
    if (n !== offsets[r + 1]! - at) {
      throw new DatasetError('MISALIGNED', `${row.line.file} does not hold the points index.jsonl gives`);
    }
    points[r] = n;
    setInt64(label, at, frame.labels);
    if (instance && frame.instances) instance.set(frame.instances, at);
    if (withPoints) splitPoints(frame, at, floats);
  }
  return {
    strings: {
      job_id: rows.map((row) => row.jobId),
      reference_id: rows.map((row) => row.referenceId),
      frame_id: rows.map((row) => row.frameId),
      sensor_id: rows.map((row) => row.sensorId),
    },
    points,
    offsets,
    floats,
    label,
    instance,
  };
}

/**
 * The per-point columns' buffers, reused from one row group to the next (each is copied into WebAssembly memory
 * before the next is filled): a fresh 40 MB per file would leave the allocator's heap growing with the export.
 */
class ColumnBuffers {
  readonly #buffers = new Map<string, Float32Array | BigInt64Array | Uint16Array>();

  /** The first `length` values of the buffer `name`, made by `make` (again when too short). */
  take<T extends Float32Array | BigInt64Array | Uint16Array>(
    name: string,
    length: number,
    make: new (length: number) => T,
  ): T {
    let buffer = this.#buffers.get(name) as T | undefined;
    if (!buffer || buffer.length < length) {
      buffer = new make(length);
      this.#buffers.set(name, buffer);
    }
    return buffer.subarray(0, length) as T;
  }
}

/** The thread's column and read buffers, reused from file to file. */
const buffers = new ColumnBuffers();
const readBuffers = new ReadBuffers();

/**
 * A frame's interleaved x, y, z (intensity) into the columns from `at`. The loop has a function of its own: V8
 * optimises a loop while it runs, and code after it in the same function, not yet run, would undo that every frame.
 */
function splitPoints(frame: FrameData, at: number, floats: Columns['floats']): void {
  const { values, stride } = frame;
  const { x, y, z, intensity } = floats;
  for (let i = at, from = 0; from < values.length; i++, from += stride) {
    x![i] = values[from]!;
    y![i] = values[from + 1]!;
    z![i] = values[from + 2]!;
    if (intensity) intensity[i] = values[from + 3]!;
  }
}

/** `target[at + i] = values[i]`, without a BigInt per value: the low 32-bit words of little-endian int64s. */
function setInt64(target: BigInt64Array, at: number, values: Uint16Array): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < values.length; i++) target[at + i] = BigInt(values[i]!);
    return;
  }
  const words = new Int32Array(target.buffer, target.byteOffset + at * 8, values.length * 2);
  for (let i = 0; i < values.length; i++) words[i * 2] = values[i]!;
}

function arrowTable(arrow: Arrow, columns: Columns, metadata: Map<string, string>) {
  const rows = columns.points.length;
  const list = (
    child: import('apache-arrow').Data<
      import('apache-arrow').Float32 | import('apache-arrow').Int64 | import('apache-arrow').Uint16
    >,
  ) =>
    arrow.makeVector(
      arrow.makeData({
        type: new arrow.List(new arrow.Field('item', child.type, true)),
        length: rows,
        nullCount: 0,
        valueOffsets: columns.offsets,
        child,
      }),
    );
  const vectors: Record<string, import('apache-arrow').Vector> = {};
  for (const [name, values] of Object.entries(columns.strings)) {
    vectors[name] = arrow.vectorFromArray(values, new arrow.Utf8());
  }
  vectors.points = arrow.makeVector(columns.points);
  for (const [name, floats] of Object.entries(columns.floats)) {
    vectors[name] = list(
      arrow.makeData({ type: new arrow.Float32(), length: floats.length, nullCount: 0, data: floats }),
    );
  }
  vectors.label = list(
    arrow.makeData({ type: new arrow.Int64(), length: columns.label.length, nullCount: 0, data: columns.label }),
  );
  if (columns.instance) {
    const { instance } = columns;
    vectors.instance = list(
      arrow.makeData({ type: new arrow.Uint16(), length: instance.length, nullCount: 0, data: instance }),
    );
  }
  const table = new arrow.Table(vectors);
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}
