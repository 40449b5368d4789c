// Every documented result shape, read by one parser: the vendor's three result objects (multi-frame, single frame,
// legacy instance-aware legend with a PCD mask) built from the documented facts and served by a small vendor-shaped
// mock as the vendor writes them; a mixed batch of every shape from the simulator; unnamed points counted, jobs with
// no class flagged or failed; statuses in the vendor's three spellings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildSemanticKitti,
  cloudOf,
  describeResult,
  exportBatch,
  PlaymentClient,
  type PlaymentMasksError,
} from '../src/index.js';
import {
  generateMaskLabels,
  formatMaskText,
  lidarScan,
  startHostileServer,
  startSimulator,
  writePcd,
  type SimDataset,
} from '../src/sim/index.js';
import { instanceSuffix } from '../src/result/keys.js';
import { statusKey } from '../src/export/statuses.js';
import { killChildren, run } from './cli-support.js';
import { exportTestPool, indexLines, labelsOf, readTree, tempDir, type TableEntry } from './export-support.js';

const pool = exportTestPool();
afterEach(killChildren);

// ---- The vendor's documented objects, built from the facts the docs state (ids and names as documented). ----

const SENSOR_META_ID = '18158562';
const VEHICLE_CLASS_ID = '24aaea97-002d-41f1-9632-ce36b829445a';
// The sample mask: 285 points of keys 1, 4, 11, 16 and 58, of which only key 1 is named.
const SAMPLE_KEYS = [1, 4, 11, 16, 58];
const SAMPLE_POINTS = 285;

function pcdCloud(points: number, seed: number): Uint8Array {
  return writePcd(lidarScan(points, seed), points, 'binary');
}

/** The legacy PCD mask: world coordinates around 5,000 m, the key as a float in the fourth column. */
function legacyMask(keys: Uint16Array): Uint8Array {
  const scan = lidarScan(keys.length, 7);
  const shifted = scan.slice(0, 3).map((field) => ({
    ...field,
    values: Float32Array.from(field.values, (value) => value + 5000),
  }));
  const label = { name: 'label_key', type: 'F', size: 4, values: Float32Array.from(keys) } as const;
  return writePcd([...shifted, label], keys.length, 'ascii');
}

function multiFrameObject(maskUrl: string, cloudUrl: string, annotatedKey = 1) {
  return {
    annotation_data: {
      annotations: [
        {
          _id: '14e4bd90-6bdc-4571-87e1-adf41908b0ed',
          class_id: VEHICLE_CLASS_ID,
          color: 'rgb(71, 153, 193)',
          frame_id: '0',
          label: 'Vehicle',
          label_key: annotatedKey,
          sensor_id: '',
          text: 'Vehicle',
          track_id: 'bce3dd47-0938-4fd7-963b-47e459fda54e',
          type: 'segmentation3d',
        },
      ],
      frames: [{ _id: '0' }],
      groups: null,
      masks: [
        { _id: 'm0', frame_id: '0', label_url: maskUrl, sensor_id: SENSOR_META_ID, type: 'segmentation3d', url: '' },
      ],
      // The docs' example calls the sensor_meta id a camera here.
      sensors: [{ sensor_id: SENSOR_META_ID, sensor_type: 'CAMERA' }],
      tracks: [{ _id: 'bce3dd47-0938-4fd7-963b-47e459fda54e', color: 'rgb(71, 153, 193)', label: '' }],
    },
    sensor_data: {
      frames: [
        {
          ego_pose: { heading: { w: 0.979, x: 0, y: -0.02, z: 0.202 }, position: { x: -40, y: -8, z: -1 } },
          frame_id: '0',
          // Listed by sensor_meta name; the example's cloud URL has no extension.
          sensors: [
            {
              data_url: cloudUrl,
              original_url: `${cloudUrl}.jpg`,
              sensor_id: 'front_center_rgb',
              sensor_pose: { heading: { w: 0.98, x: 0, y: -0.05, z: 0.189 }, position: { x: -40, y: -8, z: -1 } },
            },
          ],
        },
      ],
      sensor_meta: [
        { id: SENSOR_META_ID, modality: 'camera', name: 'front_center_rgb', primary_view: false },
        { id: SENSOR_META_ID, modality: 'lidar', name: 'front_lidar', primary_view: true },
      ],
    },
  };
}

function singleFrameObject(maskUrl: string, cloudUrl: string) {
  return {
    annotation_data: {
      annotations: [
        { label: 'Road', class_id: 'road-id', color: 'rgb(255, 225, 25)', label_key: 3, track_id: 't-road' },
        { label: 'Pole', color: 'rgb(128, 128, 128)', label_key: 5, track_id: 't-pole' },
      ],
      masks: [{ _id: 'single-mask', label_url: maskUrl, sensor_id: 'lidar_top' }],
    },
    sensor_data: {
      ego_pose: { heading: { w: 1, x: 0, y: 0, z: 0 }, position: { x: 1, y: 2, z: 3 } },
      sensors: [
        {
          sensor_id: 'lidar_top',
          data_url: cloudUrl,
          sensor_pose: { heading: { w: 1, x: 0, y: 0, z: 0 }, position: { x: 1, y: 2, z: 4 } },
        },
      ],
    },
  };
}

function legacyObject(url: string) {
  const entry = (id: number, key: number, text: string, value: string, color: string) => ({
    id,
    text,
    color,
    label_key: key,
    value,
  });
  return {
    legend: [
      entry(101, 0, 'crosswalk', 'crosswalk', 'rgb(255, 255, 255)'),
      entry(102, 1, 'MINIVAN # 1', 'MINIVAN #1', 'rgb(10, 20, 30)'),
      entry(103, 2, 'MINIVAN # 2', 'MINIVAN #2', 'rgb(40, 50, 60)'),
      entry(104, 3, 'CAR # 1', 'CAR #1', 'rgb(70, 80, 90)'),
    ],
    url,
  };
}

const enc = (value: unknown) => ({ body: JSON.stringify(value) });

describe('describeResult', () => {
  it('reads the multi-frame example and finds its lidar cloud through sensor_meta', () => {
    const job = describeResult(multiFrameObject('m', 'c'));
    expect(job.shape).toBe('frames');
    expect(job.masks).toEqual([{ frameId: '0', sensorId: SENSOR_META_ID, labelUrl: 'm', maskId: 'm0' }]);
    expect(job.keys).toEqual([
      {
        key: 1,
        jobClass: { name: 'Vehicle', classId: VEHICLE_CLASS_ID, color: '#4799c1' },
        trackId: 'bce3dd47-0938-4fd7-963b-47e459fda54e',
      },
    ]);
    expect(cloudOf(job, job.masks[0]!).dataUrl).toBe('c');
  });

  it('prefers the lidar that sensor_meta names, by id and then by name', () => {
    const object = multiFrameObject('m', 'camera-image');
    object.sensor_data.frames[0]!.sensors.push({
      ...object.sensor_data.frames[0]!.sensors[0]!,
      sensor_id: 'front_lidar',
      data_url: 'cloud',
    });
    const job = describeResult(object);
    expect(cloudOf(job, job.masks[0]!).dataUrl).toBe('cloud');
    // A mask naming the lidar by its sensor_meta name.
    expect(cloudOf(job, { ...job.masks[0]!, sensorId: 'front_lidar' }).dataUrl).toBe('cloud');
  });

  it('says what the frame lists and what sensor_meta says when no cloud is found', () => {
    const object = multiFrameObject('m', 'c');
    object.sensor_data.frames[0]!.sensors[0]!.sensor_id = 'rear_rgb';
    const job = describeResult(object);
    const error = catchError(() => cloudOf(job, job.masks[0]!));
    expect(error).toMatchObject({ code: 'NO_POINT_CLOUD' });
    expect(error.message).toBe(
      'frame 0 has no point cloud (data_url) for sensor 18158562: the frame lists [rear_rgb]; sensor_meta says ' +
        '[18158562 = front_center_rgb (camera), 18158562 = front_lidar (lidar)]',
    );
  });

  it('reads a single-frame result as frame "0", or the frame it names', () => {
    const job = describeResult(singleFrameObject('m', 'c'));
    expect(job.shape).toBe('single-frame');
    expect(job.frames.map((frame) => frame.id)).toEqual(['0']);
    expect(job.masks[0]).toMatchObject({ frameId: '0', sensorId: 'lidar_top' });
    expect(cloudOf(job, job.masks[0]!)).toMatchObject({ dataUrl: 'c', pose: { position: { z: 4 } } });
    const named = {
      ...singleFrameObject('m', 'c'),
      sensor_data: { ...singleFrameObject('m', 'c').sensor_data, frame_id: 'f7' },
    };
    expect(describeResult(named).masks[0]!.frameId).toBe('f7');
  });

  it('reads a legacy result: one frame "0", one mask without a sensor id, its instance-aware legend', () => {
    const job = describeResult(legacyObject('pcd'));
    expect(job.shape).toBe('legacy');
    expect(job.masks).toEqual([{ frameId: '0', sensorId: '', labelUrl: 'pcd', maskId: '' }]);
    expect(cloudOf(job, job.masks[0]!).dataUrl).toBe('pcd');
    expect(job.keys).toEqual([
      { key: 0, jobClass: { name: 'crosswalk', color: '#ffffff' }, instance: 0 },
      { key: 1, jobClass: { name: 'MINIVAN' }, instance: 1 },
      { key: 2, jobClass: { name: 'MINIVAN' }, instance: 2 },
      { key: 3, jobClass: { name: 'CAR' }, instance: 1 },
    ]);
  });

  it('names what it found in an object of no documented shape', () => {
    const cases: [unknown, string][] = [
      [null, 'the result object is null'],
      [[], 'the result object is an array'],
      [
        {},
        'the result object is none of the documented shapes (annotation_data, or a legacy legend and url): found an empty object',
      ],
      [{ result: 1, frames: [] }, 'found "result", "frames"'],
      [
        { legend: [] },
        'found "legend" (a legacy result needs both a legend array and a url string, with no annotation_data)',
      ],
      [{ legend: {}, url: 'u' }, 'found "legend", "url" (a legacy result'],
      [{ annotation_data: { masks: {} } }, 'annotation_data.masks is not an array'],
    ];
    for (const [value, message] of cases) {
      const error = catchError(() => describeResult(value));
      expect(error, JSON.stringify(value)).toMatchObject({ code: 'BAD_RESULT_OBJECT' });
      expect(error.message).toContain(message);
    }
  });

  it('fails a key named without a class instead of leaving it unlabelled', () => {
    const error = catchError(() =>
      describeResult({ legend: [{ id: 1, label_key: 4, color: 'rgb(1, 2, 3)' }], url: 'u' }),
    );
    expect(error).toMatchObject({ code: 'UNREADABLE_CLASS' });
    expect(error.message).toContain('label_key 4');
    // A later entry that gives the key a class is enough.
    const job = describeResult({
      legend: [
        { label_key: 4, text: '' },
        { label_key: 4, value: 'tree' },
      ],
      url: 'u',
    });
    expect(job.keys).toEqual([{ key: 4, jobClass: { name: 'tree' }, instance: 0 }]);
  });
});

describe('instance suffixes', () => {
  it.each([
    ['MINIVAN # 1', 'MINIVAN', 1],
    ['MINIVAN #1', 'MINIVAN', 1],
    ['MINIVAN#12', 'MINIVAN', 12],
    [' MINIVAN  #  3 ', 'MINIVAN', 3],
    ['traffic sign # 65535', 'traffic sign', 65535],
  ])('reads %j as class %j, instance %i', (text, name, instance) => {
    expect(instanceSuffix(text)).toEqual({ name, instance });
  });

  it.each(['MINIVAN', '#1', 'MINIVAN # 0', 'MINIVAN # 65536', 'MINIVAN # 1a', 'MINIVAN 1', 'MINIVAN No. 1'])(
    'reads %j as no instance',
    (text) => {
      expect(instanceSuffix(text)).toBeUndefined();
    },
  );
});

describe('statuses', () => {
  it.each([
    ['completed', 'completed'],
    ['COMPLETED', 'completed'],
    ['Complete', 'completed'],
    [' complete ', 'completed'],
    ['PENDING', 'pending'],
    ['in_progress', 'in_progress'],
  ])('%j is %j', (status, key) => {
    expect(statusKey(status)).toBe(key);
  });
});

describe("the vendor's three documented result objects, served as the vendor writes them", { timeout: 60_000 }, () => {
  async function vendorMock() {
    const sample = generateMaskLabels({ points: SAMPLE_POINTS, seed: 3, classes: SAMPLE_KEYS });
    const single = generateMaskLabels({ points: 400, seed: 5, classes: [0, 3, 5, 77] });
    const legacyKeys = generateMaskLabels({ points: 500, seed: 9, classes: [0, 1, 2, 3, 9] });
    const allUnnamed = generateMaskLabels({ points: 120, seed: 11, classes: [4, 11] });
    const files = new Map([
      ['https://xyz.s3.com/123.txt', { body: formatMaskText(sample) }],
      ['https://xyz.s3.com/123', { body: pcdCloud(SAMPLE_POINTS, 1) }],
      ['https://xyz.s3.com/single.txt', { body: formatMaskText(single) }],
      ['https://xyz.s3.com/single-cloud', { body: pcdCloud(400, 2) }],
      ['https://xyz.s3.com/legacy-mask', { body: legacyMask(legacyKeys) }],
      ['https://xyz.s3.com/none.txt', { body: formatMaskText(allUnnamed) }],
      ['https://xyz.s3.com/none', { body: pcdCloud(120, 3) }],
    ]);
    const server = await startHostileServer({
      jobs: [
        { id: 'a-multi', result: enc(multiFrameObject('https://xyz.s3.com/123.txt', 'https://xyz.s3.com/123')) },
        {
          id: 'b-single',
          result: enc(singleFrameObject('https://xyz.s3.com/single.txt', 'https://xyz.s3.com/single-cloud')),
        },
        { id: 'c-legacy', result: enc(legacyObject('https://xyz.s3.com/legacy-mask')) },
        // Its annotation names a key the mask does not hold: every point is unnamed.
        {
          id: 'd-unnamed',
          result: enc(multiFrameObject('https://xyz.s3.com/none.txt', 'https://xyz.s3.com/none', 99)),
        },
      ],
      files,
    });
    const client = new PlaymentClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    const close = async () => {
      await client.close();
      await server.close();
    };
    return { server, client, close, masks: { sample, single, legacyKeys, allUnnamed } };
  }

  it('exports every named key with its class, finds each lidar cloud and counts every unnamed point', async () => {
    const { server, client, close, masks } = await vendorMock();
    try {
      const out = await tempDir();
      const summary = await exportBatch({
        client,
        projectId: server.projectId,
        batchId: server.batchId,
        outDir: out,
        pool,
        withPoints: true,
        instances: true,
      });
      expect(summary.failures).toEqual([]);
      const tree = await readTree(out);
      const table = JSON.parse(tree.get('classes.json')!.toString()).classes as TableEntry[];
      expect(table.map((entry) => entry.name)).toEqual([
        'unlabelled',
        'CAR',
        'MINIVAN',
        'Pole',
        'Road',
        'Vehicle',
        'crosswalk',
      ]);
      const idOf = (name: string) => table.find((entry) => entry.name === name)!.id;
      const lines = new Map(indexLines(tree).map((line) => [line.job_id, line]));
      const unnamedOf = (keys: Uint16Array, named: number[]) => keys.filter((key) => !named.includes(key)).length;

      // Multi-frame: key 1 is Vehicle, keys 4, 11, 16, 58 are unnamed; the cloud is the one front_center_rgb lists.
      const multi = lines.get('a-multi')!;
      expect(multi).toMatchObject({ frame_id: '0', sensor_id: SENSOR_META_ID, points: SAMPLE_POINTS });
      const expectedMulti = Uint16Array.from(masks.sample, (key) => (key === 1 ? idOf('Vehicle') : 0));
      expect(labelsOf(tree.get(multi.file)!, 'npy')).toEqual(expectedMulti);
      expect(multi.unnamed_points).toBe(unnamedOf(masks.sample, [1]));
      expect(multi.unnamed_points).toBeGreaterThan(0);
      expect(tree.has(multi.points_file!)).toBe(true);
      expect(server.fetched).toContain('https://xyz.s3.com/123');

      // Single frame: frame "0", keys 3 and 5 named, 0 and 77 not.
      const single = lines.get('b-single')!;
      expect(single).toMatchObject({ frame_id: '0', sensor_id: 'lidar_top', file: 'jobs/b-single/0.lidar_top.npy' });
      const singleClass: Record<number, number> = { 3: idOf('Road'), 5: idOf('Pole') };
      expect(labelsOf(tree.get(single.file)!, 'npy')).toEqual(
        Uint16Array.from(masks.single, (key) => singleClass[key] ?? 0),
      );
      expect(single.unnamed_points).toBe(unnamedOf(masks.single, [3, 5]));

      // Legacy: one mask named 0.%.npy, key 0 is crosswalk, MINIVAN # 1 and # 2 one class, two instances.
      const legacy = lines.get('c-legacy')!;
      expect(legacy).toMatchObject({ frame_id: '0', sensor_id: '', file: 'jobs/c-legacy/0.%.npy' });
      const legacyClass: Record<number, number> = {
        0: idOf('crosswalk'),
        1: idOf('MINIVAN'),
        2: idOf('MINIVAN'),
        3: idOf('CAR'),
      };
      expect(labelsOf(tree.get(legacy.file)!, 'npy')).toEqual(
        Uint16Array.from(masks.legacyKeys, (key) => legacyClass[key] ?? 0),
      );
      const legacyInstances = labelsOf(tree.get(legacy.instances_file!)!, 'npy');
      const instanceOf: Record<number, number> = { 1: 1, 2: 2, 3: 1 };
      expect(legacyInstances).toEqual(Uint16Array.from(masks.legacyKeys, (key) => instanceOf[key] ?? 0));
      expect(legacy.unnamed_points).toBe(unnamedOf(masks.legacyKeys, [0, 1, 2, 3]));
      // Its points come from the PCD mask's own x y z (world coordinates).
      const points = new Float32Array(Uint8Array.from(tree.get(legacy.points_file!)!.subarray(128)).buffer);
      expect(points.length).toBe(500 * 3);
      expect(Math.min(...points.filter((value) => value !== 5000))).toBeGreaterThan(4900);

      // Every point of d-unnamed is unnamed: the job is exported, and flagged.
      const none = lines.get('d-unnamed')!;
      expect(none.unnamed_points).toBe(120);
      expect(summary.jobs.without_labels).toBe(1);
      expect(summary.unnamed_points).toBe(
        multi.unnamed_points + single.unnamed_points + legacy.unnamed_points + none.unnamed_points,
      );
      const saved = JSON.parse(tree.get('summary.json')!.toString());
      expect(saved.jobs.without_labels).toBe(1);
      expect(saved.unnamed_points).toBe(summary.unnamed_points);
    } finally {
      await close();
    }
  });

  it('fails the job with no class under requireLabels (NO_LABELS), on a fresh run and on a resumed one', async () => {
    const { server, client, close } = await vendorMock();
    try {
      const out = await tempDir();
      const base = { client, projectId: server.projectId, batchId: server.batchId, outDir: out, pool };
      // First without: d-unnamed is exported; then the resumed run fails it.
      expect((await exportBatch(base)).jobs.exported).toBe(4);
      for (const outDir of [out, await tempDir()]) {
        const summary = await exportBatch({ ...base, outDir, requireLabels: true });
        expect(summary.failures.map((failure) => [failure.job_id, failure.code])).toEqual([['d-unnamed', 'NO_LABELS']]);
        expect(summary.jobs).toMatchObject({ exported: 3, failed: 1, without_labels: 0 });
      }
    } finally {
      await close();
    }
  });
});

describe('a mixed batch of every shape, statuses spelt three ways', { timeout: 120_000 }, () => {
  it('exports every mask with the exact class of every key, counting the unnamed ones', async () => {
    const simulator = await startSimulator({
      shape: 'mixed',
      jobs: 9,
      frames: 2,
      sensors: 2,
      points: 300,
      pageSize: 4,
    });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
    try {
      const { dataset } = simulator;
      expect(new Set(dataset.jobs.map((job) => dataset.status(job.index)))).toEqual(
        new Set(['completed', 'COMPLETED', 'Complete']),
      );
      const out = await tempDir();
      const summary = await exportBatch({
        client,
        projectId: simulator.projectId,
        batchId: simulator.batchId,
        outDir: out,
        pool,
        withPoints: true,
        instances: true,
        format: 'kitti',
      });
      expect(summary.failures).toEqual([]);
      expect(summary.jobs).toMatchObject({ listed: 9, exported: 9, without_labels: 0, skipped: {} });
      const tree = await readTree(out);
      expect(checkMixed(tree, dataset)).toBe(3 * 4 + 3 * 2 + 3);

      // SemanticKITTI: every shape has its poses (each lidar's sensor_pose; legacy: the identity, world coordinates).
      const kitti = await tempDir();
      const sequences = await buildSemanticKitti({ from: out, out: kitti });
      expect(Object.keys(sequences)).toHaveLength(3 * 2 + 3 * 2 + 3);
      for (const [number, sequence] of Object.entries(sequences)) {
        const job = dataset.jobs.find((candidate) => candidate.id === sequence.job_id)!;
        const poses = (await readFile(join(kitti, 'sequences', number, 'poses.txt'), 'utf8')).trim().split('\n');
        expect(poses).toHaveLength(sequence.frames.length);
        const translation = poses[0]!
          .split(' ')
          .map(Number)
          .filter((_, i) => i % 4 === 3);
        const result = JSON.parse(tree.get(`jobs/${job.id}/result.json`)!.toString());
        const shape = dataset.shapeOf(job.index);
        const lidar = `lidar_${dataset.sensorIds.indexOf(sequence.sensor_id)}`;
        const sensors = shape === 'single-frame' ? result.sensor_data?.sensors : result.sensor_data?.frames[0].sensors;
        const expected =
          shape === 'legacy'
            ? { x: 0, y: 0, z: 0 }
            : sensors.find((sensor: { sensor_id: string }) => sensor.sensor_id === lidar).sensor_pose.position;
        expect(translation).toEqual([expected.x, expected.y, expected.z]);
      }
    } finally {
      await client.close();
      await simulator.close();
    }
  });

  it('exits 0 through the CLI, and 2 naming the statuses the batch has for a --status no job has', async () => {
    const simulator = await startSimulator({ shape: 'mixed', jobs: 6, frames: 1, points: 200, unnamedJobs: [4] });
    try {
      const out = await tempDir();
      const args = [
        'export',
        '--base-url',
        simulator.baseUrl,
        '--project',
        simulator.projectId,
        '--batch',
        simulator.batchId,
      ];
      const env = { PLAYMENT_API_KEY: simulator.apiKey };
      const ok = await run([...args, '--out', out, '--status', 'complete', '--with-points'], env);
      expect(ok.stderr.split('\n').filter((line) => line.startsWith('playment-masks:'))).toEqual([]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^Exported 6\/6 jobs/m);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(ok.stdout).toContain(`Unnamed: ${summary.unnamed_points} of ${summary.points} points`);
      expect(ok.stdout).toMatch(/^Warning: 1 exported job\(s\) have no point with a class/m);
      expect(summary.jobs.statuses).toEqual({ completed: 2, COMPLETED: 2, Complete: 2 });

      const strict = await run([...args, '--out', await tempDir(), '--require-labels'], env);
      expect(strict.code).toBe(1);
      expect(strict.stdout).toContain(`${JSON.stringify(simulator.dataset.jobs[4]!.id)}: NO_LABELS`);

      const unmatched = await run([...args, '--out', await tempDir(), '--status', 'finished'], env);
      expect(unmatched.code).toBe(2);
      expect(unmatched.stderr).toContain(
        'export: --status "finished" matches no job of the batch, whose statuses are: 2 "completed", 2 "COMPLETED", 2 "Complete"; the closest: ',
      );
      expect(unmatched.stdout).toMatch(/^Exported 0\/6 jobs/m);
    } finally {
      await simulator.close();
    }
  });
});

/**
 * Checks every mask of the simulator's completed jobs against its truth: the class of every key as the job's shape
 * names it (legacy: the legend's text without the instance suffix, key 0 a class), unnamed keys 0 and counted, the
 * legacy instance numbers in the high half of each kitti label. Returns the number of masks checked.
 */
function checkMixed(tree: Map<string, Buffer>, dataset: SimDataset): number {
  const table = JSON.parse(tree.get('classes.json')!.toString()).classes as TableEntry[];
  const lines = indexLines(tree);
  let checked = 0;
  for (const mask of dataset.expectedMasks()) {
    const line = lines.find(
      (candidate) =>
        candidate.job_id === mask.jobId && candidate.frame_id === mask.frameId && candidate.sensor_id === mask.sensorId,
    );
    if (!line) throw new Error(`no line for ${mask.jobId} ${mask.frameId} ${mask.sensorId}`);
    const keys = dataset.maskLabels(mask.jobIndex, mask.frame, mask.sensor);
    const legacy = dataset.shapeOf(mask.jobIndex) === 'legacy';
    const words = new Uint32Array(Uint8Array.from(tree.get(line.file)!).buffer);
    let unnamed = 0;
    keys.forEach((key, i) => {
      const expected = dataset.expectedClass(mask.jobIndex, key);
      if (!expected) unnamed++;
      const id = expected
        ? table.find((entry) =>
            expected.classId === undefined
              ? entry.class_id === undefined && entry.name === expected.name
              : entry.class_id === expected.classId,
          )!.id
        : 0;
      if ((words[i]! & 0xffff) !== id)
        throw new Error(`${line.file} point ${i}: class ${words[i]! & 0xffff}, not ${id}`);
      if (legacy && words[i]! >>> 16 !== (expected?.instance ?? 0))
        throw new Error(`${line.file} point ${i}: instance`);
    });
    if (line.unnamed_points !== unnamed)
      throw new Error(`${line.file}: unnamed ${line.unnamed_points}, not ${unnamed}`);
    if (unnamed === 0) throw new Error('the mixed batch has unnamed keys in every mask');
    if (!line.points_file || !tree.has(line.points_file)) throw new Error(`${line.file}: no points file`);
    checked++;
  }
  if (checked !== lines.length) throw new Error(`${lines.length} lines, ${checked} masks`);
  return checked;
}

function catchError(action: () => unknown): PlaymentMasksError {
  try {
    action();
  } catch (error) {
    return error as PlaymentMasksError;
  }
  throw new Error('no error thrown');
}

describe('the simulator', () => {
  it.each([
    ['frames', 'frames', 2],
    ['single-frame', 'single-frame', 1],
    ['legacy', 'legacy', 1],
  ] as const)('serves %s results as the documented shape', async (shape, described, frames) => {
    const simulator = await startSimulator({ shape, jobs: 2, frames: 2, sensors: 2, points: 50, vendorSensors: true });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
    try {
      const result = await client.annotationResult(simulator.projectId, simulator.dataset.jobs[0]!.id);
      const job = describeResult(result);
      expect(job.shape).toBe(described);
      expect(job.frames).toHaveLength(frames);
      expect(job.masks).toHaveLength(shape === 'legacy' ? 1 : frames * 2);
      if (shape === 'legacy') {
        expect(Object.keys(result).sort()).toEqual(['legend', 'url']);
        expect(result.legend!.every((entry) => /^[A-Z]+ # \d+$/.test(entry.text!) || entry.label_key === 0)).toBe(true);
      } else {
        // The mask names the sensor_meta id a camera and a lidar share; the frame lists both by name.
        const mask = job.masks[0]!;
        expect(job.sensorMeta.filter((meta) => meta.id === mask.sensorId).map((meta) => meta.modality)).toEqual([
          'camera',
          'lidar',
        ]);
        expect(cloudOf(job, mask).dataUrl).toMatch(/\/pointclouds\//);
      }
    } finally {
      await client.close();
      await simulator.close();
    }
  });
});
