// exportBatch({ withPoints }) and `--with-points` against the simulator, which serves each frame's lidar PCD in the
// three DATA forms in turn: exact points files per format, a point-count mismatch recorded as that job's failure,
// resume, and option checks.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  exportBatch,
  InvalidArgumentError,
  MaskDecoderPool,
  PlaymentClient,
  type ExportOptions,
} from '../src/index.js';
import {
  pointCloudFields,
  pointCloudFile,
  pointCloudForm,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../src/sim/index.js';
import { parseArgs } from '../src/cli/args.js';
import { npyHeader } from '../src/formats/index.js';
import { pointsFileName } from '../src/export/points.js';
import { indexLines, labelsOf, readTree, removeTempDirs, tempDir } from './export-support.js';

const POINTS = 1500;
const pool = new MaskDecoderPool({ threads: 2 });
// Simulators and clients of the running test, closed after it.
const cleanups: (() => Promise<void>)[] = [];

afterEach(() => Promise.all(cleanups.splice(0).map((cleanup) => cleanup())));
afterAll(() => Promise.all([pool.close(), removeTempDirs()]));

async function setup(options: SimulatorOptions = {}) {
  const simulator = await startSimulator({ jobs: 3, frames: 2, sensors: 2, points: POINTS, pageSize: 2, ...options });
  const client = new PlaymentClient({
    apiKey: simulator.apiKey,
    baseUrl: simulator.baseUrl,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
  });
  cleanups.push(() => client.close().then(() => simulator.close()));
  const { projectId, batchId } = simulator;
  const base = (outDir: string): ExportOptions => ({ client, projectId, batchId, outDir, pool, withPoints: true });
  return { simulator, base };
}

/** The float32 values of one mask's points file: x y z (npy, bin) or x y z intensity (kitti), point after point. */
function expectedValues(
  simulator: Simulator,
  jobId: string,
  frameId: string,
  sensorId: string,
  withIntensity: boolean,
): Float32Array {
  const dataset = simulator.dataset;
  const fields = pointCloudFields(
    dataset,
    dataset.job(jobId)!.index,
    Number(frameId),
    dataset.sensorIds.indexOf(sensorId),
  );
  const columns = fields.slice(0, withIntensity ? 4 : 3).map((field) => field.values);
  const values = new Float32Array(POINTS * columns.length);
  for (let i = 0; i < POINTS; i++) columns.forEach((column, c) => (values[i * columns.length + c] = column[i]!));
  return values;
}

function floats(bytes: Buffer): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('exportBatch with points', () => {
  it.each(['npy', 'bin', 'kitti'] as const)('writes each frame point cloud next to its labels (%s)', async (format) => {
    const { simulator, base } = await setup();
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), format });
    expect(summary.jobs).toEqual({
      listed: 3,
      exported: 3,
      failed: 0,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 3 },
    });
    const tree = await readTree(out);
    const lines = indexLines(tree);
    expect(lines).toHaveLength(3 * 2 * 2);
    const forms = new Set<string>();
    for (const line of lines) {
      const {
        job_id: jobId,
        frame_id: frameId,
        sensor_id: sensorId,
      } = line as { job_id: string; frame_id: string; sensor_id: string };
      const pointsFile = (line as { points_file?: string }).points_file!;
      expect(pointsFile).toBe(
        line.file.slice(0, line.file.lastIndexOf('/') + 1) + pointsFileName(line.file.split('/').pop()!, format),
      );
      let bytes = tree.get(pointsFile)!;
      if (format === 'npy') {
        const header = npyHeader(POINTS, '<f4', 3);
        expect(Buffer.from(header).toString('latin1')).toBe(
          "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1500, 3), }" +
            ' '.repeat(55) +
            '\n',
        );
        expect(bytes.subarray(0, header.length).equals(Buffer.from(header))).toBe(true);
        bytes = bytes.subarray(header.length);
      }
      expect(floats(bytes)).toEqual(expectedValues(simulator, jobId, frameId, sensorId, format === 'kitti'));
      const dataset = simulator.dataset;
      forms.add(pointCloudForm(dataset.job(jobId)!.index, Number(frameId), dataset.sensorIds.indexOf(sensorId)));
    }
    expect([...forms].sort()).toEqual(['ascii', 'binary', 'binary_compressed']);
    // Per job: result, fragment, and a label file and a points file per mask.
    expect(tree.size).toBe(3 + 3 * (3 + 4 * 2));
  });

  it('reads clouds padded as PCL pads them; kitti leaves out NaN points and their labels, npy keeps every point', async () => {
    const { simulator, base } = await setup({ pclPadding: true, nanReturns: true });
    const dataset = simulator.dataset;
    let leftOut = 0;
    for (const format of ['kitti', 'npy'] as const) {
      const out = await tempDir();
      // Raw label keys in the label files, to compare with the simulator's masks.
      const summary = await exportBatch({ ...base(out), format, labels: 'raw' });
      expect(summary.jobs).toEqual({
        listed: 3,
        exported: 3,
        failed: 0,
        skipped: {},
        without_labels: 0,
        statuses: { completed: 3 },
      });
      const tree = await readTree(out);
      for (const line of indexLines(tree)) {
        const { job_id: jobId, frame_id: frameId, sensor_id: sensorId } = line as unknown as Record<string, string>;
        const job = dataset.job(jobId!)!.index;
        const sensor = dataset.sensorIds.indexOf(sensorId!);
        const all = expectedValues(simulator, jobId!, frameId!, sensorId!, format === 'kitti');
        const labels = dataset.maskLabels(job, Number(frameId), sensor);
        const stride = format === 'kitti' ? 4 : 3;
        const finite = Array.from({ length: POINTS }, (_, i) => i).filter((i) => Number.isFinite(all[i * stride]));
        expect(finite.length).toBeLessThan(POINTS);
        let bytes = tree.get((line as { points_file: string }).points_file)!;
        if (format === 'npy') bytes = bytes.subarray(npyHeader(POINTS, '<f4', 3).length);
        const written = floats(bytes);
        if (format === 'npy') {
          expect(written).toEqual(all);
          expect(Array.from(labelsOf(tree.get(line.file)!, format))).toEqual(Array.from(labels));
          expect(line).not.toHaveProperty('points_left_out');
          continue;
        }
        // Aligned: point k of the .bin is the kth finite point, label k of the .label its label.
        expect(written).toEqual(Float32Array.from(finite.flatMap((i) => Array.from(all.subarray(i * 4, i * 4 + 4)))));
        expect(Array.from(labelsOf(tree.get(line.file)!, format))).toEqual(finite.map((i) => labels[i]));
        expect(line).toMatchObject({ points: finite.length, points_left_out: POINTS - finite.length });
        expect(line.histogram.reduce((sum, entry) => sum + entry.points, 0)).toBe(finite.length);
        leftOut += POINTS - finite.length;
      }
      if (format === 'kitti') expect(summary.points).toBe(3 * 2 * 2 * POINTS - leftOut);
    }
    // Padded, as PCL leaves its binary files.
    const file = pointCloudFile(dataset, 0, 0, 0);
    expect(pointCloudForm(0, 0, 0)).not.toBe('ascii');
    expect(file.length % 4096).toBe(0);
  });

  it('records a point cloud of another size than its mask as its job failing; the others complete', async () => {
    const { simulator, base } = await setup({ mismatchedPointClouds: [1] });
    const out = await tempDir();
    const summary = await exportBatch(base(out));
    expect(summary.jobs).toEqual({
      listed: 3,
      exported: 2,
      failed: 1,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 3 },
    });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]).toMatchObject({ job_id: simulator.dataset.jobs[1]!.id, code: 'POINT_COUNT_MISMATCH' });
    expect(summary.failures[0]!.message).toMatch(/the mask has 1500 labels, the point cloud 1501 points/);
    const tree = await readTree(out);
    expect(indexLines(tree).some((line) => line.job_id === simulator.dataset.jobs[1]!.id)).toBe(false);
  });

  it('resumes: a rerun with points skips complete jobs; points added to an export made without them', async () => {
    const { simulator, base } = await setup();
    const out = await tempDir();
    await exportBatch({ ...base(out), withPoints: false });
    expect([...(await readTree(out)).keys()].some((path) => path.endsWith('.points.npy'))).toBe(false);
    const before = simulator.stats.storageRequests;
    await exportBatch(base(out));
    const withPoints = await readTree(out);
    expect([...withPoints.keys()].filter((path) => path.endsWith('.points.npy'))).toHaveLength(12);
    expect(simulator.stats.storageRequests).toBeGreaterThan(before);
    const again = simulator.stats.storageRequests;
    let resumed = 0;
    await exportBatch({ ...base(out), onProgress: (progress) => void (resumed = progress.jobsResumed) });
    expect(resumed).toBe(3);
    expect(simulator.stats.storageRequests).toBe(again);
    // A damaged points file makes its job incomplete: it is redone.
    const damaged = indexLines(withPoints)[0] as { points_file?: string };
    const damagedPath = join(out, damaged.points_file!);
    await writeFile(damagedPath, (await readFile(damagedPath)).subarray(1));
    await exportBatch({ ...base(out), onProgress: (progress) => void (resumed = progress.jobsResumed) });
    expect(resumed).toBe(2);
    expect((await readTree(out)).get(damaged.points_file!)).toEqual(withPoints.get(damaged.points_file!));
  });

  it('checks the option', async () => {
    const { base } = await setup();
    await expect(
      exportBatch({ ...base(await tempDir()), withPoints: 'yes' } as unknown as ExportOptions),
    ).rejects.toThrow(InvalidArgumentError);
  });
});

describe('--with-points', () => {
  it('is a flag of export and demo, off by default', () => {
    const required = ['--project', 'p', '--batch', 'b', '--out', 'o'];
    expect(parseArgs(['export', ...required])).toMatchObject({ options: { withPoints: false } });
    expect(parseArgs(['export', ...required, '--with-points'])).toMatchObject({
      command: 'export',
      options: { withPoints: true },
    });
    expect(parseArgs(['demo', '--with-points'])).toMatchObject({ command: 'demo', options: { withPoints: true } });
    expect(() => parseArgs(['simulate', '--with-points'])).toThrow(/with-points/);
  });
});
