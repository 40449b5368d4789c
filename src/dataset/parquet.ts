// `playment-masks dataset parquet`: the export as Parquet files for data pipelines and Hugging Face `datasets`, one
// row per frame and lidar, in the order of the export's sequences (job, lidar, frame). Each file is one row group of
// at most `rowsPerFile` rows, built by one of `threads` encoding threads (parquet-file.ts) and written whole under its
// final name: memory holds one row group per thread, whatever the export's size, and a file's bytes are the same
// whichever thread built it.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClassEntry } from '../export/classes.js';
import { uniqueNames } from './class-names.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { readExport, sequencesOf } from './export-reader.js';
import { DATASET_OPTIONS, PARQUET_OPTIONS } from './option-table.js';
import { prepareOut, writeText } from './out-folder.js';
import type { ParquetRow } from './parquet-file.js';
import { runOnThreads, threadCount } from './threads.js';

export type ParquetOptions = OptionValues<typeof DATASET_OPTIONS & typeof PARQUET_OPTIONS>;

export interface ParquetSummary {
  /** The files, relative to `out`. */
  files: string[];
  rows: number;
  /** ClassLabel names by class id (ids missing from classes.json are named `unused_<id>`; a name given twice gets its class id). */
  names: string[];
}

export const PARQUET_SUMMARY_NAME = 'playment-parquet.json';

/** The package's buildParquet() (documented in entries.ts, which loads this module on its first call). */
export async function buildParquet(options: ParquetOptions): Promise<ParquetSummary> {
  resolveOptions(DATASET_OPTIONS, options);
  const { rowsPerFile, threads } = resolveOptions(PARQUET_OPTIONS, options);
  const out = resolve(options.out);
  const tree = await readExport(options.from);
  const withPoints = tree.lines.length > 0 && tree.lines.every((line) => typeof line.points_file === 'string');
  const withIntensity = withPoints && tree.summary.format === 'kitti';
  const rows: ParquetRow[] = (await sequencesOf(tree)).flatMap(({ jobId, sensorId, frames }) =>
    frames.map(({ frameId, line }) => ({
      jobId,
      sensorId,
      referenceId: line.reference_id == null ? null : String(line.reference_id),
      frameId,
      line,
    })),
  );
  const names = classLabelNames(tree.table);
  const features = featuresOf(names, withPoints, withIntensity, tree.summary.instances);
  await prepareOut(out, PARQUET_SUMMARY_NAME, ['data', 'README.md', PARQUET_SUMMARY_NAME]);
  const dataDir = join(out, 'data');
  await mkdir(dataDir, { recursive: true });

  const fileCount = Math.max(1, Math.ceil(rows.length / rowsPerFile));
  const files = Array.from(
    { length: fileCount },
    (_, k) => `train-${String(k).padStart(5, '0')}-of-${String(fileCount).padStart(5, '0')}.parquet`,
  );
  const metadata: [string, string][] = [['huggingface', JSON.stringify({ info: { features } })]];
  const exportTree = { ...tree, lines: [] };
  const tasks = files.map((name, k) => ({
    kind: 'parquet' as const,
    name,
    tree: exportTree,
    rows: rows.slice(k * rowsPerFile, (k + 1) * rowsPerFile),
    withPoints,
    withIntensity,
    metadata,
    dir: dataDir,
  }));
  await runOnThreads(threadCount(threads), tasks);
  const summary: ParquetSummary = { files: files.map((name) => `data/${name}`), rows: rows.length, names };
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
