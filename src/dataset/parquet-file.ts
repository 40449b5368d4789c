// One Parquet file of `dataset parquet`, built where it runs (a thread, see threads.ts): its rows' frames read from
// the export, copied into one buffer per column, and written as one row group (parquet-writer.ts) into a temporary
// file that takes its final name once whole. A file's bytes depend on its rows only, whichever thread builds it.
import { wasmCore } from '../core/wasm.js';
import { AtomicFile } from '../export/files.js';
import type { IndexLine } from '../export/records.js';
import { ColumnBuffers } from './column-buffers.js';
import { DatasetError } from './dataset-error.js';
import { type ExportTree, type FrameData, LITTLE_ENDIAN, ReadBuffers, readFrames } from './export-reader.js';
import { PhysicalType } from './parquet-column-chunk.js';
import { type RowGroupColumn, writeRowGroupFile } from './parquet-writer.js';
import { align8 } from './snappy.js';

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
  /** The key-value metadata (`huggingface`), written into every file. */
  metadata: [string, string][];
  dir: string;
  name: string;
}

/**
 * Points in one file: a column's page is compressed in the WebAssembly core's memory (at most 4 GiB), its input and
 * output side by side, 4 bytes a point each, and its sizes are int32.
 */
const MAX_LIST_VALUES = 250_000_000;

/** The string columns, which name a row's frame and lidar. */
const STRING_COLUMNS: [string, (row: ParquetRow) => string | null][] = [
  ['job_id', (row) => row.jobId],
  ['reference_id', (row) => row.referenceId],
  ['frame_id', (row) => row.frameId],
  ['sensor_id', (row) => row.sensorId],
];

/** Builds the file `task.name` in `task.dir`; on a failure, nothing is left under that name. */
export async function writeParquetFile(task: ParquetFileTask): Promise<void> {
  const { tree, rows } = task;
  // Ids in place (a kitti label file's words), gathered into the columns as the little-endian bytes they are.
  const frames = readFrames(
    tree,
    rows.map((row) => row.line),
    readBuffers,
    { idsInPlace: LITTLE_ENDIAN },
  );
  let columns: RowGroupColumn[];
  try {
    columns = await columnsOf(frames, rows, tree.summary.instances, task.withPoints, task.withIntensity);
  } finally {
    // On an error, the reader stops before the thread's buffers go to its next task.
    await frames.return(undefined);
  }
  const file = await AtomicFile.create(task.dir, task.name);
  try {
    await writeRowGroupFile(columns, rows.length, task.metadata, buffers, (...parts) => file.write(...parts));
  } catch (error) {
    await file.discard();
    throw error;
  }
  // Without fsync: the files are rebuilt from the export after a crash.
  await file.commit({ sync: false });
}

/** The row group's columns in file order, the rows' frames (the next ones of `frames`) copied into one buffer each. */
async function columnsOf(
  frames: AsyncGenerator<FrameData>,
  rows: readonly ParquetRow[],
  withInstances: boolean,
  withPoints: boolean,
  withIntensity: boolean,
): Promise<RowGroupColumn[]> {
  const counts = new Uint32Array(rows.length);
  let total = 0;
  for (const [r, row] of rows.entries()) {
    total += row.line.points;
    if (total > MAX_LIST_VALUES) {
      throw new DatasetError(
        'ROW_GROUP_TOO_LARGE',
        'over 250 million points in one file: use a smaller --rows-per-file',
      );
    }
    counts[r] = row.line.points;
  }
  const floatNames = withPoints ? (withIntensity ? ['x', 'y', 'z', 'intensity'] : ['x', 'y', 'z']) : [];
  const floats = floatNames.map((name) => buffers.take(name, total, Float32Array));
  const label = buffers.take('label', total, Uint16Array);
  const instance = withInstances ? buffers.take('instance', total, Uint16Array) : undefined;
  let at = 0;
  for (const [r, row] of rows.entries()) {
    const frame = (await frames.next()).value as FrameData;
    const n = frame.points;
    if (n !== counts[r]) {
      throw new DatasetError('MISALIGNED', `${row.line.file} does not hold the points index.jsonl gives`);
    }
    if (frame.idWords) {
      const { bytes, layout } = frame.idWords;
      gatherColumns(bytes, layout.stride, 2, [layout.classOffset, layout.instanceOffset], [label, instance!], at);
    } else {
      label.set(frame.labels, at);
      if (instance && frame.instances) instance.set(frame.instances, at);
    }
    if (withPoints) {
      const { values, stride } = frame;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      gatherColumns(bytes, stride * 4, 4, [0, 4, 8, 12], floats, at);
    }
    at += n;
  }
  return [
    ...STRING_COLUMNS.map(
      ([name, stringOf]): RowGroupColumn => [
        { name, type: 'string' },
        { kind: 'strings', values: rows.map(stringOf) },
      ],
    ),
    [
      { name: 'points', type: 'uint32' },
      { kind: 'uint32', values: counts },
    ],
    ...floatNames.map(
      (name, c): RowGroupColumn => [
        { name, type: 'list<float>' },
        { kind: 'floats', values: floats[c]!, counts },
      ],
    ),
    [
      { name: 'label', type: 'list<int64>' },
      { kind: 'ids', type: PhysicalType.Int64, values: label, counts },
    ],
    ...(instance
      ? [
          [
            { name: 'instance', type: 'list<uint16>' },
            { kind: 'ids', type: PhysicalType.Int32, values: instance, counts },
          ] as RowGroupColumn,
        ]
      : []),
  ];
}

/** The thread's column, page and read buffers, reused from file to file. */
const buffers = new ColumnBuffers();
const readBuffers = new ReadBuffers();

/**
 * A frame's interleaved records (`stride` bytes each) into columns from `at`: the `width` bytes at each of `offsets`
 * into the column of the same place (x, y, z, intensity; class and instance ids), by the WebAssembly core's gather
 * (the bytes copied into its scratch region, the columns gathered there and copied out): a third of the time of the
 * same loop in JavaScript, whose every value is a bounds-checked load and store. Records of four float32 (kitti's
 * x, y, z, intensity) are split in one pass. Bytes are moved as they are.
 */
function gatherColumns(
  bytes: Uint8Array,
  stride: number,
  width: 2 | 4,
  offsets: readonly number[],
  columns: readonly (Float32Array | Uint16Array)[],
  at: number,
): void {
  const points = bytes.length / stride;
  const core = wasmCore();
  const from = core.base;
  const to = align8(from + bytes.length);
  const size = points * width;
  const whole = width === 4 && stride === 16 && offsets.every((offset, c) => offset === c * 4) && columns.length === 4;
  core.reserve(to + (whole ? 4 * size : size));
  core.u8.set(bytes, from);
  if (whole) core.exports.gatherWords4(from, points, to);
  columns.forEach((column, c) => {
    const gathered = whole ? to + c * size : to;
    if (!whole) core.exports.gatherField(from + offsets[c]!, points, stride, width, gathered);
    new Uint8Array(column.buffer, column.byteOffset + at * width, size).set(
      core.u8.subarray(gathered, gathered + size),
    );
  });
}
