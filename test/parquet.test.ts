// `dataset parquet`: the files read by the readers data pipelines use, installed from this machine's package mirror
// (.ci/run): pyarrow.parquet for the schema and row groups, Hugging Face `datasets` for the features and values,
// DuckDB for SQL over all files. Expected contents come from the simulator's ground truth and summary.json.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IndexLine } from '../src/export/records.js';
import { buildParquet, exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { pointCloudFields, type Simulator, startSimulator } from '../src/sim/index.js';
import { expectedLabels, labelsOf, removeTempDirs, type TableEntry, tempDir } from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
afterAll(() => Promise.all([pool.close(), removeTempDirs()]));

const READERS = 'import pyarrow, datasets, duckdb';
const readers = spawnSync('python3', ['-c', READERS], { stdio: 'ignore' }).status === 0;
if (!readers && process.env.CI === 'true')
  throw new Error('CI runs the Parquet readers, but pyarrow, datasets or duckdb is missing');
if (!readers) {
  console.warn(
    'test/parquet.test.ts: the Parquet readers are skipped (python3 -m pip install pyarrow datasets duckdb)',
  );
}

const PYTHON_READER = `
import glob, json, os, sys
import pyarrow.parquet as pq
import datasets, duckdb
root = sys.argv[1]
files = sorted(glob.glob(os.path.join(root, 'data', '*.parquet')))
schema = pq.read_schema(files[0])
report = {'files': [os.path.basename(f) for f in files],
          'schema': {f.name: str(f.type) for f in schema},
          'huggingface': 'huggingface' in {k.decode() for k in (schema.metadata or {})},
          'row_groups': [pq.ParquetFile(f).num_row_groups for f in files],
          'rows_per_file': [pq.ParquetFile(f).metadata.num_rows for f in files]}
group = pq.ParquetFile(files[0]).metadata.row_group(0)
report['codecs'] = {group.column(i).path_in_schema.split('.')[0]:
                        [group.column(i).compression, group.column(i).has_dictionary_page]
                    for i in range(group.num_columns)}
datasets.disable_progress_bars()
for name, source in [('plain', dict(path='parquet', data_dir=os.path.join(root, 'data'))), ('card', dict(path=root))]:
    ds = datasets.load_dataset(**source, split='train', cache_dir=os.path.join(root, '..', 'hf-cache-' + name))
    label = ds.features['label']
    report[name] = {'label': type(label).__name__, 'item': type(label.feature).__name__,
                    'names': getattr(label.feature, 'names', None), 'rows': len(ds)}
ds = datasets.load_dataset('parquet', data_dir=os.path.join(root, 'data'), split='train',
                           cache_dir=os.path.join(root, '..', 'hf-cache-plain'))
report['rows'] = [{k: row[k] for k in ds.column_names} for row in ds]
glob_path = os.path.join(root, 'data', '*.parquet')
report['duckdb'] = duckdb.sql(
    f"SELECT l, count(*) FROM (SELECT unnest(label) AS l FROM read_parquet('{glob_path}')) GROUP BY l ORDER BY l"
).fetchall()
print(json.dumps(report))
`;

async function exported(
  format: 'npy' | 'kitti',
  withPoints: boolean,
): Promise<{ simulator: Simulator; out: string; close: () => Promise<void> }> {
  const simulator = await startSimulator({ jobs: 3, frames: 3, sensors: 2, points: 403, pageSize: 2 });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const out = await tempDir();
  const options = { client, projectId: simulator.projectId, batchId: simulator.batchId, outDir: out, pool };
  await exportBatch({ ...options, format, withPoints, instances: true });
  return { simulator, out, close: () => client.close().then(() => simulator.close()) };
}

interface Report {
  files: string[];
  schema: Record<string, string>;
  huggingface: boolean;
  row_groups: number[];
  rows_per_file: number[];
  plain: { label: string; item: string; names: string[] | null; rows: number };
  card: { label: string; item: string; names: string[] | null; rows: number };
  rows: Record<string, unknown>[];
  duckdb: [number, number][];
  codecs: Record<string, [string, boolean]>;
}

describe.runIf(readers)('dataset parquet, read by pyarrow, datasets and DuckDB', { timeout: 180_000 }, () => {
  for (const [format, withPoints] of [
    ['kitti', true],
    ['npy', false],
  ] as const) {
    const what = withPoints ? 'labels, instances and points' : 'labels and instances (no points)';
    it(`${format}: one row per frame and lidar with its ${what}; ClassLabel names; points per class`, async () => {
      const { simulator, out, close } = await exported(format, withPoints);
      try {
        const dir = join(await tempDir('parquet-'), 'set');
        const summary = await buildParquet({ from: out, out: dir, rowsPerFile: 5 });
        const run = spawnSync('python3', ['-c', PYTHON_READER, dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
        expect(run.status, run.stderr).toBe(0);
        const report = JSON.parse(run.stdout) as Report;
        const table = JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')).classes as TableEntry[];
        const exportSummary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
        const indexLines = (await readFile(join(out, 'index.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as IndexLine);

        // 18 rows in files of at most 5 rows, each one row group.
        expect(report.files).toEqual(['00000', '00001', '00002', '00003'].map((k) => `train-${k}-of-00004.parquet`));
        expect(summary.files).toEqual(report.files.map((file) => `data/${file}`));
        expect(report.rows_per_file).toEqual([5, 5, 5, 3]);
        expect(report.row_groups).toEqual([1, 1, 1, 1]);
        expect(report.huggingface).toBe(true);
        expect(report.schema).toEqual({
          job_id: 'string',
          reference_id: 'string',
          frame_id: 'string',
          sensor_id: 'string',
          points: 'uint32',
          ...(withPoints && {
            x: 'list<item: float>',
            y: 'list<item: float>',
            z: 'list<item: float>',
            intensity: 'list<item: float>',
          }),
          label: 'list<item: int64>',
          instance: 'list<item: uint16>',
        });
        // Per column chunk, Snappy where its first block shrinks by an eighth, else as it is: x (coordinates hardly
        // compress) and the intensities' 8-bit indices (floats of few distinct values go through a dictionary) as they
        // are, the ids' indices compressed. Files of mixed codecs, which every reader above has read.
        const { x, y, z, intensity, label, instance } = report.codecs;
        expect({ x, intensity, label, instance }).toEqual({
          ...(withPoints && { x: ['UNCOMPRESSED', false], intensity: ['UNCOMPRESSED', true] }),
          label: ['SNAPPY', true],
          instance: ['SNAPPY', true],
        });
        if (withPoints) expect([y![1], z![1]]).toEqual([false, false]);
        // `datasets` shows label as a list of ClassLabel named from classes.json, from the files alone and with the card.
        for (const view of [report.plain, report.card]) {
          expect(view).toMatchObject({ label: 'List', item: 'ClassLabel', rows: 18 });
          for (const entry of table) {
            const name = view.names![entry.id]!;
            expect(name === entry.name || name.startsWith(`${entry.name} (`)).toBe(true);
          }
          expect(new Set(view.names).size).toBe(view.names!.length);
        }
        // Values: the simulator's classes (and points) per frame and lidar.
        const dataset = simulator.dataset;
        const seen = new Set<string>();
        const instanceIds: number[] = [];
        for (const row of report.rows) {
          const job = dataset.jobs.find((candidate) => candidate.id === row.job_id)!;
          const sensor = dataset.sensorIds.indexOf(row.sensor_id as string);
          const frame = Number(row.frame_id);
          seen.add(`${job.index}/${sensor}/${frame}`);
          const semantic = expectedLabels(dataset, table, job.index, frame, sensor);
          expect(row.points).toBe(403);
          expect(row.label).toEqual([...semantic]);
          // Instance ids: the export's, read here from its files (kitti: a label word's high 16 bits).
          const line = indexLines.find(
            (l) =>
              l.job_id === row.job_id && String(l.frame_id) === row.frame_id && String(l.sensor_id) === row.sensor_id,
          )!;
          const instances =
            format === 'kitti'
              ? Array.from(
                  new Uint32Array(Uint8Array.from(await readFile(join(out, line.file))).buffer),
                  (w) => w >>> 16,
                )
              : [...labelsOf(await readFile(join(out, line.instances_file!)), 'npy')];
          expect(row.instance).toEqual(instances);
          instanceIds.push(...instances);
          if (withPoints) {
            const fields = pointCloudFields(dataset, job.index, frame, sensor);
            (['x', 'y', 'z', 'intensity'] as const).forEach((name, c) => {
              expect(row[name]).toEqual(Array.from(fields[c]!.values, (value) => Math.fround(value)));
            });
          } else {
            expect(row).not.toHaveProperty('x');
          }
        }
        expect(seen.size).toBe(18);
        // Instance ids that differ from the class ids and from each other: the comparison above could fail.
        expect(new Set(instanceIds).size).toBeGreaterThan(1);
        // DuckDB over all files: the batch's points per class, as summary.json counts them.
        const counts = Object.fromEntries(report.duckdb);
        const expected = Object.fromEntries(
          (exportSummary.classes as { id: number; points: number }[])
            .filter((entry) => entry.points > 0)
            .map((entry) => [entry.id, entry.points]),
        );
        expect(counts).toEqual(expected);
      } finally {
        await close();
      }
    });
  }
});

describe('dataset parquet', { timeout: 60_000 }, () => {
  it('refuses a folder that holds something else, and rows per file below 1', async () => {
    const { out, close } = await exported('npy', false);
    try {
      await expect(buildParquet({ from: out, out: out })).rejects.toMatchObject({ code: 'OUT_NOT_EMPTY' });
      await expect(buildParquet({ from: out, out: await tempDir(), rowsPerFile: 0 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'options.rowsPerFile must be an integer >= 1',
      });
    } finally {
      await close();
    }
  });
});
