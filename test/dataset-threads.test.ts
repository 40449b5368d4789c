// `dataset parquet` and `dataset nuscenes` on several threads: the same export gives the same files, byte for byte,
// whatever the number of threads (each file is built by one thread from its frames alone); a file whose build fails
// leaves nothing under its name and no temporary file, and the failure comes back as a DatasetError with its code.
// The threads are real (piscina, the worker bundled from src/dataset/dataset-worker.ts by vitest.config.ts).
import { spawnSync } from 'node:child_process';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNuScenes, buildParquet, exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import type { DatasetTask } from '../src/dataset/dataset-worker.js';
import { startSimulator } from '../src/sim/index.js';
import { readTree, removeTempDirs, tempDir, treeDifference } from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
afterAll(() => Promise.all([pool.close(), removeTempDirs()]));

/** The worker as the tests' threads run it: built from the source by vitest.config.ts at the start of the run. */
const TEST_WORKER = fileURLToPath(new URL('../build/test/dataset-worker.js', import.meta.url));

/** An export of 3 jobs x 3 frames x 2 lidars (18 rows) of 500 points, kitti with points and instances. */
async function exported(): Promise<string> {
  const simulator = await startSimulator({ jobs: 3, frames: 3, sensors: 2, points: 500, pageSize: 2 });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const out = await tempDir();
  try {
    const options = { client, projectId: simulator.projectId, batchId: simulator.batchId, outDir: out, pool };
    await exportBatch({ ...options, format: 'kitti', withPoints: true, instances: true });
  } finally {
    await client.close();
    await simulator.close();
  }
  return out;
}

/** A whole Parquet file: `PAR1` at both ends. */
function isWholeParquet(bytes: Buffer): boolean {
  return bytes.subarray(0, 4).toString('latin1') === 'PAR1' && bytes.subarray(-4).toString('latin1') === 'PAR1';
}

describe('dataset parquet on threads', { timeout: 120_000 }, () => {
  it('writes the same files, byte for byte, on 1, 2 and 3 threads', async () => {
    const from = await exported();
    const built = [];
    for (const threads of [1, 2, 3]) {
      const out = await tempDir('parquet-');
      const summary = await buildParquet({ from, out, rowsPerFile: 2, threads });
      built.push({ summary, files: await readTree(join(out, 'data')) });
    }
    const [one, ...others] = built;
    expect(one!.files.size).toBe(9);
    expect([...one!.files.values()].every(isWholeParquet)).toBe(true);
    // Files that differ in their rows differ in their bytes: the comparison below could fail.
    expect(new Set([...one!.files.values()].map((bytes) => bytes.toString('base64'))).size).toBe(9);
    for (const other of others) {
      expect(other.summary).toEqual(one!.summary);
      expect([...other.files.keys()]).toEqual([...one!.files.keys()]);
      for (const [name, bytes] of one!.files) expect(other.files.get(name)!.equals(bytes), name).toBe(true);
    }
  });

  it('fails with ENCODE_FAILED naming the file when a frame cannot be read; no partial file is left', async () => {
    const from = await exported();
    const whole = await tempDir('parquet-');
    await buildParquet({ from, out: whole, rowsPerFile: 2, threads: 1 });
    const expected = await readTree(join(whole, 'data'));

    const broken = await tempDir();
    await cp(from, broken, { recursive: true });
    const lines = (await readFile(join(broken, 'index.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { points_file: string });
    await rm(join(broken, lines[9]!.points_file));
    const out = await tempDir('parquet-');
    const failure = await buildParquet({ from: broken, out, rowsPerFile: 2, threads: 2 }).catch((error) => error);
    expect(failure).toMatchObject({ name: 'DatasetError', code: 'ENCODE_FAILED' });
    expect(failure.message).toContain(lines[9]!.points_file);
    // The message names the file that failed; the files that were written are whole and the same as a complete
    // build's; the failed one is absent.
    const failed = /^(train-\d{5}-of-00009\.parquet): .*ENOENT/.exec(failure.message)?.[1];
    expect(expected.has(failed!)).toBe(true);
    const left = await readTree(join(out, 'data'));
    expect(left.has(failed!)).toBe(false);
    for (const [name, bytes] of left) expect(expected.get(name)?.equals(bytes), name).toBe(true);
  });

  it('leaves no file, under its name or a temporary one, when the disk refuses the write midway', async () => {
    // The thread's task run in a child whose file size limit (ulimit -f, 1 KiB blocks) is below the file's size:
    // the write fails with EFBIG after the first bytes.
    const from = await exported();
    const reference = await tempDir('parquet-');
    await buildParquet({ from, out: reference, rowsPerFile: 2, threads: 1 });
    const size = (await readFile(join(reference, 'data', 'train-00000-of-00009.parquet'))).length;
    expect(size).toBeGreaterThan(8 * 1024);

    const lines = (await readFile(join(from, 'index.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const summary = JSON.parse(await readFile(join(from, 'summary.json'), 'utf8'));
    const dir = await tempDir('parquet-data-');
    const task: DatasetTask = {
      kind: 'parquet',
      tree: { from, summary, table: [], lines: [] },
      rows: lines.slice(0, 2).map((line) => ({
        jobId: line.job_id,
        referenceId: null,
        frameId: String(line.frame_id),
        sensorId: String(line.sensor_id),
        line,
      })),
      withPoints: true,
      withIntensity: true,
      metadata: [['huggingface', '{}']],
      dir,
      name: 'train-00000-of-00001.parquet',
    };
    const script = `
      const { default: run } = await import(${JSON.stringify(TEST_WORKER)});
      process.stdout.write(JSON.stringify(await run(JSON.parse(process.argv[1]))));
    `;
    const child = spawnSync(
      'bash',
      [
        '-c',
        'ulimit -f 8 && exec "$0" --input-type=module -e "$1" "$2"',
        process.execPath,
        script,
        JSON.stringify(task),
      ],
      { encoding: 'utf8' },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({
      error: { code: 'ENCODE_FAILED', message: expect.stringMatching(/^train-00000-of-00001\.parquet: .*EFBIG/) },
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('dataset nuscenes on threads', { timeout: 120_000 }, () => {
  it('writes the same tree, byte for byte, on 1, 2 and 3 threads', async () => {
    const from = await exported();
    const trees = [];
    for (const threads of [1, 2, 3]) {
      const out = await tempDir('nuscenes-');
      await buildNuScenes({ from, out, threads });
      trees.push(await readTree(out));
    }
    // 18 frames: a point cloud, lidarseg and panoptic file each, in runs of 8 frames per task.
    expect([...trees[0]!.keys()].filter((path) => path.endsWith('.pcd.bin'))).toHaveLength(18);
    expect([...trees[0]!.keys()].filter((path) => path.endsWith('_panoptic.npz'))).toHaveLength(18);
    expect(treeDifference(trees[0]!, trees[1]!)).toBe('');
    expect(treeDifference(trees[0]!, trees[2]!)).toBe('');
  });

  it('fails with ENCODE_FAILED naming the export file that cannot be read; every file left is whole', async () => {
    const from = await exported();
    const whole = await tempDir('nuscenes-');
    await buildNuScenes({ from, out: whole, threads: 1 });
    const expected = await readTree(whole);
    const lines = (await readFile(join(from, 'index.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { points_file: string });
    await rm(join(from, lines[12]!.points_file));
    const out = await tempDir('nuscenes-');
    const failure = await buildNuScenes({ from, out, threads: 2 }).catch((error) => error);
    expect(failure).toMatchObject({ name: 'DatasetError', code: 'ENCODE_FAILED' });
    expect(failure.message).toMatch(/^frames \d+ to \d+: .*ENOENT/);
    expect(failure.message).toContain(lines[12]!.points_file);
    // No temporary file, no tables, no marker: only frame files, each the same as a complete build's.
    const left = await readTree(out);
    expect(left.size).toBeGreaterThan(0);
    expect(left.size).toBeLessThan(3 * 18);
    for (const [path, bytes] of left) expect(expected.get(path)?.equals(bytes), path).toBe(true);
  });
});
