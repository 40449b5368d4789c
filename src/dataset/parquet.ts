// `playment-masks dataset parquet`: the export as Parquet files for data pipelines and Hugging Face `datasets`, one
// row per frame and lidar, in the order of the export's sequences (job, lidar, frame). Each file is one row group of
// at most `rowsPerFile` rows, built, written and released before the next: memory holds one row group, whatever the
// export's size. Written with parquet-wasm (arrow-rs compiled to WebAssembly) from Apache Arrow data.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClassEntry } from '../export/classes.js';
import { writeFileAtomic } from '../export/files.js';
import { uniqueNames } from './class-names.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { DatasetError } from './dataset-error.js';
import {
  type FrameData,
  handled,
  LITTLE_ENDIAN,
  readExport,
  readFrames,
  type SequenceFrame,
  sequencesOf,
} from './export-reader.js';
import { DATASET_OPTIONS, PARQUET_OPTIONS } from './option-table.js';
import { prepareOut, writeText } from './out-folder.js';

export type ParquetOptions = OptionValues<typeof DATASET_OPTIONS & typeof PARQUET_OPTIONS>;

export interface ParquetSummary {
  /** The files, relative to `out`. */
  files: string[];
  rows: number;
  /** ClassLabel names by class id (ids missing from classes.json are named `unused_<id>`; a name given twice gets its class id). */
  names: string[];
}

export const PARQUET_SUMMARY_NAME = 'playment-parquet.json';
const MAX_LIST_VALUES = 2 ** 31 - 1; // Arrow List offsets are int32
const SCALAR_COLUMNS = ['job_id', 'reference_id', 'frame_id', 'sensor_id', 'points'];

interface Row {
  jobId: string;
  referenceId: string | null;
  sensorId: string;
  frame: SequenceFrame;
}

/** Builds the files; resolves to what was written. */
export async function buildParquet(options: ParquetOptions): Promise<ParquetSummary> {
  resolveOptions(DATASET_OPTIONS, options);
  const { rowsPerFile } = resolveOptions(PARQUET_OPTIONS, options);
  const out = resolve(options.out);
  const tree = await readExport(options.from);
  const withPoints = tree.lines.length > 0 && tree.lines.every((line) => typeof line.points_file === 'string');
  const withIntensity = withPoints && tree.summary.format === 'kitti';
  const rows: Row[] = (await sequencesOf(tree)).flatMap(({ jobId, sensorId, frames }) =>
    frames.map((frame) => ({
      jobId,
      sensorId,
      referenceId: frame.line.reference_id == null ? null : String(frame.line.reference_id),
      frame,
    })),
  );
  const names = classLabelNames(tree.table);
  const features = featuresOf(names, withPoints, withIntensity, tree.summary.instances);
  await prepareOut(out, PARQUET_SUMMARY_NAME, ['data', 'README.md', PARQUET_SUMMARY_NAME]);
  const dataDir = join(out, 'data');
  await mkdir(dataDir, { recursive: true });

  const arrow = await import('apache-arrow');
  const parquet = await import('parquet-wasm');
  const metadata = new Map([['huggingface', JSON.stringify({ info: { features } })]]);
  // No dictionary encoding: coordinates are nearly all distinct, and building a dictionary of them only to drop it
  // took 4 times as long as writing them plainly, for files 3% smaller. Statistics (min and max) only for the scalar
  // columns a query filters on: for the per-point lists they cost a fifth of the writing time and prune nothing.
  // (parquet-wasm's per-column settings reach top-level columns only, not a list's items.)
  const properties = () => {
    const builder = new parquet.WriterPropertiesBuilder()
      .setCompression(parquet.Compression.SNAPPY)
      .setDictionaryEnabled(false)
      .setStatisticsEnabled(parquet.EnabledStatistics.None)
      .setMaxRowGroupSize(rowsPerFile)
      .setKeyValueMetadata(metadata);
    return SCALAR_COLUMNS.reduce(
      (properties, column) => properties.setColumnStatisticsEnabled(column, parquet.EnabledStatistics.Chunk),
      builder,
    ).build();
  };
  const fileCount = Math.max(1, Math.ceil(rows.length / rowsPerFile));
  const files: string[] = [];
  // The frames are read one ahead, across files, and each file is written while the next one is built.
  const frames = readFrames(
    tree,
    rows.map((row) => row.frame.line),
  );
  let writing: Promise<unknown> = Promise.resolve();
  const buffers = new ColumnBuffers();
  try {
    for (let k = 0; k < fileCount; k++) {
      const chunk = rows.slice(k * rowsPerFile, (k + 1) * rowsPerFile);
      const columns = await columnsOf(frames, buffers, chunk, tree.summary.instances, withPoints, withIntensity);
      const table = arrowTable(arrow, columns, metadata);
      const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
      const bytes = parquet.writeParquet(wasmTable, properties());
      const name = `train-${String(k).padStart(5, '0')}-of-${String(fileCount).padStart(5, '0')}.parquet`;
      await writing;
      writing = handled(writeFileAtomic(dataDir, name, [bytes], { sync: false })); // rebuilt from the export after a crash
      files.push(`data/${name}`);
    }
    await writing;
  } finally {
    // On an error, the files in flight end (whole under their names, or removed) before it is thrown.
    await writing.catch(() => {});
  }
  const summary: ParquetSummary = { files, rows: rows.length, names };
  await writeText(out, 'README.md', datasetCard(features));
  await writeText(out, PARQUET_SUMMARY_NAME, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** ClassLabel's names: one per id 0..largest, classes.json's name where it has the id. */
function classLabelNames(table: readonly ClassEntry[]): string[] {
  const largest = Math.max(0, ...table.map((entry) => entry.id));
  const unique = uniqueNames(table);
  const byId = new Map(table.map((entry, i) => [entry.id, unique[i]!]));
  return Array.from({ length: largest + 1 }, (_, id) => byId.get(id) ?? `unused_${id}`);
}

type Feature = Record<string, unknown>;

/**
 * The `datasets` features. `label` is a List of ClassLabel, stored as int64: the type ClassLabel has in Arrow, so
 * that `datasets` applies the names from the files alone (a narrower type would need the dataset card).
 */
function featuresOf(names: string[], points: boolean, intensity: boolean, instances: boolean): Record<string, Feature> {
  const value = (dtype: string): Feature => ({ dtype, _type: 'Value' });
  const list = (feature: Feature): Feature => ({ feature, _type: 'List' });
  return {
    job_id: value('string'),
    reference_id: value('string'),
    frame_id: value('string'),
    sensor_id: value('string'),
    points: value('uint32'),
    ...(points && { x: list(value('float32')), y: list(value('float32')), z: list(value('float32')) }),
    ...(intensity && { intensity: list(value('float32')) }),
    label: list({ names, _type: 'ClassLabel' }),
    ...(instances && { instance: list(value('uint16')) }),
  };
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
  buffers: ColumnBuffers,
  rows: readonly Row[],
  withInstances: boolean,
  withPoints: boolean,
  withIntensity: boolean,
): Promise<Columns> {
  const offsets = new Int32Array(rows.length + 1);
  for (const [r, row] of rows.entries()) {
    const total = offsets[r]! + row.frame.line.points;
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
      throw new DatasetError('MISALIGNED', `${row.frame.line.file} does not hold the points index.jsonl gives`);
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
      frame_id: rows.map((row) => row.frame.frameId),
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

type Arrow = typeof import('apache-arrow');

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

/** DIR/README.md: the Hugging Face dataset card, its YAML naming the data files and the features. */
function datasetCard(features: Record<string, Feature>): string {
  const yaml = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    '    path: data/train-*.parquet',
    'dataset_info:',
    '  features:',
  ];
  for (const [name, feature] of Object.entries(features)) {
    yaml.push(`  - name: ${name}`);
    const inner = feature.feature as Feature | undefined;
    if (!inner) {
      yaml.push(`    dtype: ${String(feature.dtype)}`);
      continue;
    }
    yaml.push('    list:');
    if (inner._type === 'ClassLabel') {
      yaml.push('      class_label:', '        names:');
      (inner.names as string[]).forEach((className, id) =>
        yaml.push(`          '${id}': ${JSON.stringify(className)}`),
      );
    } else {
      yaml.push(`      dtype: ${String(inner.dtype)}`);
    }
  }
  yaml.push('---', '');
  return `${yaml.join('\n')}
# playment-masks export

Per-point segmentation labels, one row per frame and lidar. \`label\` holds each point's class id (its ClassLabel
name is the class of classes.json), aligned with \`x\`, \`y\`, \`z\` (and \`intensity\`, \`instance\`) where present.

\`\`\`python
from datasets import load_dataset
ds = load_dataset("parquet", data_dir="data", split="train")
\`\`\`
`;
}
