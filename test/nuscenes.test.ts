// `dataset nuscenes`: the tree read back by a reader written here from the nuScenes schema the devkit documents
// (tables and their token links, nuScenes-lidarseg and nuScenes-panoptic files), with numpy only, doing what
// `NuScenes(version, dataroot, colormap=...)` asserts when it loads and what its lidarseg and panoptic loaders read;
// and, where a copy of the devkit is given, by the devkit itself. Expected contents come from the simulator's ground
// truth, not from the exporter.
import { spawnSync } from 'node:child_process';
import { appendFile, cp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNuScenes, buildParquet, exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { pointCloudFields, type Simulator, startSimulator } from '../src/sim/index.js';
import {
  expectedLabels,
  readTree,
  removeTempDirs,
  type TableEntry,
  tempDir,
  treeDifference,
} from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
afterAll(() => Promise.all([pool.close(), removeTempDirs()]));

const SHAPE = { jobs: 2, frames: 3, sensors: 2, points: 600, pageSize: 2 };

async function exported(
  format: 'npy' | 'bin' | 'kitti',
  nanReturns: boolean,
): Promise<{ simulator: Simulator; out: string; close: () => Promise<void> }> {
  const simulator = await startSimulator({ ...SHAPE, nanReturns });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const out = await tempDir();
  const options = { client, projectId: simulator.projectId, batchId: simulator.batchId, outDir: out, pool };
  await exportBatch({ ...options, format, withPoints: true, instances: true });
  return { simulator, out, close: () => client.close().then(() => simulator.close()) };
}

// The reader: loads every table the devkit loads, checks the links its reverse index follows (and fails on, as
// it does, with a KeyError), the one-record-per-label-file count, category indices, the colour map's names, then
// reads each key frame's LIDAR_TOP point cloud (float32, 5 per point), lidarseg (uint8) and panoptic (.npz, key
// `data`, uint16) and prints them per scene.
const PYTHON_READER = `
import json, os, sys
import numpy as np
root, version = sys.argv[1], sys.argv[2]
tables = ['category', 'attribute', 'visibility', 'instance', 'sensor', 'calibrated_sensor', 'ego_pose', 'log',
          'scene', 'sample', 'sample_data', 'sample_annotation', 'map']
db = {t: json.load(open(os.path.join(root, version, t + '.json'))) for t in tables}
colormap = json.load(open(os.path.join(root, version, 'colormap.json')))
for task in ['lidarseg', 'panoptic']:
    path = os.path.join(root, version, task + '.json')
    if not os.path.exists(path):
        continue
    db[task] = json.load(open(path))
    files = [n for n in os.listdir(os.path.join(root, task, version)) if n.endswith('.bin') or n.endswith('.npz')]
    assert len(files) == len(db[task]), f'{len(files)} label files but {len(db[task])} {task} records'
    tables.append(task)
index = {t: {r['token']: r for r in db[t]} for t in tables}
for t in tables:
    assert len(index[t]) == len(db[t]), f'{t}: tokens not unique'
    for r in db[t]:
        assert len(r['token']) == 32 and int(r['token'], 16) >= 0
# category: 'index' on every record (the lidarseg category.json), 0..n-1; the colour map names them all.
indices = sorted(c['index'] for c in db['category'])
assert indices == list(range(len(indices))), indices
idx2name = {c['index']: c['name'] for c in db['category']}
ordered = {c['name']: colormap[c['name']] for c in sorted(db['category'], key=lambda c: c['index'])}
assert all(len(rgb) == 3 and all(0 <= v <= 255 for v in rgb) for rgb in ordered.values())
for r in db['sample_data']:
    cs = index['calibrated_sensor'][r['calibrated_sensor_token']]
    sensor = index['sensor'][cs['sensor_token']]
    r['channel'], r['sensor_modality'] = sensor['channel'], sensor['modality']
    index['ego_pose'][r['ego_pose_token']]
    assert len(cs['rotation']) == 4 and len(cs['translation']) == 3
for r in db['sample']:
    r['data'] = {}
for r in db['sample_data']:
    if r['is_key_frame']:
        index['sample'][r['sample_token']]['data'][r['channel']] = r['token']
log_to_map = {l: m['token'] for m in db['map'] for l in m['log_tokens']}
for m in db['map']:
    assert os.path.exists(os.path.join(root, m['filename'])), 'map mask does not exist'
for l in db['log']:
    l['map_token'] = log_to_map[l['token']]
report = []
for scene in db['scene']:
    index['log'][scene['log_token']]
    token, previous, samples, last = scene['first_sample_token'], '', [], None
    while token:
        sample = index['sample'][token]
        assert sample['scene_token'] == scene['token'] and sample['prev'] == previous
        if last is not None:
            assert sample['timestamp'] > last, 'timestamps increase within a scene'
        last, previous = sample['timestamp'], token
        sd = index['sample_data'][sample['data']['LIDAR_TOP']]
        assert sd['sensor_modality'] == 'lidar' and sd['timestamp'] == sample['timestamp']
        # LidarPointCloud.from_file: float32, 5 values per point, x y z intensity kept.
        scan = np.fromfile(os.path.join(root, sd['filename']), dtype=np.float32)
        points = scan.reshape((-1, 5))[:, :4]
        # load_bin_file(..., 'lidarseg') and (..., 'panoptic').
        seg = np.fromfile(os.path.join(root, index['lidarseg'][sd['token']]['filename']), dtype=np.uint8)
        assert index['lidarseg'][sd['token']]['sample_data_token'] == sd['token']
        entry = {'points': points.shape[0], 'xyz': points[:, :3].astype(float).tolist(),
                 'intensity': points[:, 3].astype(float).tolist(), 'ring': float(scan.reshape((-1, 5))[:, 4].sum()),
                 'names': [idx2name[int(i)] for i in seg], 'labels': int(seg.shape[0])}
        if 'panoptic' in index:
            pan = np.load(os.path.join(root, index['panoptic'][sd['token']]['filename']))['data']
            assert pan.dtype == np.uint16 and list(np.load(os.path.join(root, index['panoptic'][sd['token']]['filename'])).keys()) == ['data']
            assert ((pan // 1000).astype(np.uint8) == seg).all(), 'panoptic_to_lidarseg gives the lidarseg labels'
            entry['panoptic'] = pan.astype(int).tolist()
        samples.append(entry)
        token = sample['next']
    assert previous == scene['last_sample_token'] and len(samples) == scene['nbr_samples']
    report.append({'name': scene['name'], 'samples': samples})
print(json.dumps(report))
`;

const numpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!numpy && process.env.CI === 'true')
  throw new Error('CI runs the nuScenes reader, but python3 with numpy is missing');
if (!numpy) console.warn('test/nuscenes.test.ts: the numpy reader is skipped (python3 -m pip install numpy)');

interface SampleReport {
  points: number;
  labels: number;
  xyz: number[][];
  intensity: number[];
  /** The fifth value of each point, summed (the devkit's LidarPointCloud drops it: not in its report). */
  ring?: number;
  names: string[];
  panoptic?: number[];
}

type SceneReport = { name: string; samples: SampleReport[] }[];

function runReader(tree: string, version = 'v1.0-playment'): SceneReport {
  return reportOf(spawnSync('python3', ['-c', PYTHON_READER, tree, version], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

function reportOf(run: ReturnType<typeof spawnSync>): SceneReport {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout as string);
}

// The devkit itself (github.com/nutonomy/nuscenes-devkit), where NUSCENES_DEVKIT names its python-sdk folder and
// NUSCENES_PYTHON (default python3) a Python with its requirements: no package index here has them all, so CI runs
// the reader above instead. NuScenes(..., colormap=...) loads the tree; per key frame, LidarPointCloud.from_file,
// load_bin_file of its lidarseg and panoptic files and panoptic_to_lidarseg, get_sample_lidarseg_stats; then
// list_lidarseg_categories (from lidarseg and from panoptic) and list_panoptic_instances. Same report as the reader's.
const DEVKIT_READER = `
import contextlib, io, json, os, sys
root, version = sys.argv[1], sys.argv[2]
from nuscenes.nuscenes import NuScenes
from nuscenes.utils.data_classes import LidarPointCloud
from nuscenes.utils.data_io import load_bin_file, panoptic_to_lidarseg
colormap = json.load(open(os.path.join(root, version, 'colormap.json')))
nusc = NuScenes(version=version, dataroot=root, colormap=colormap, verbose=False)
printed = io.StringIO()
report = []
for scene in nusc.scene:
    token, samples = scene['first_sample_token'], []
    while token:
        sample = nusc.get('sample', token)
        lidar = sample['data']['LIDAR_TOP']
        cloud = LidarPointCloud.from_file(os.path.join(root, nusc.get('sample_data', lidar)['filename']))
        seg = load_bin_file(os.path.join(root, nusc.get('lidarseg', lidar)['filename']), 'lidarseg')
        pan = load_bin_file(os.path.join(root, nusc.get('panoptic', lidar)['filename']), 'panoptic')
        assert (panoptic_to_lidarseg(pan) == seg).all()
        with contextlib.redirect_stdout(printed):
            nusc.get_sample_lidarseg_stats(token, sort_by='count')
        samples.append({'points': int(cloud.points.shape[1]), 'labels': int(seg.shape[0]),
                        'xyz': cloud.points[:3].T.astype(float).tolist(),
                        'intensity': cloud.points[3].astype(float).tolist(),
                        'names': [nusc.lidarseg_idx2name_mapping[int(i)] for i in seg],
                        'panoptic': pan.astype(int).tolist()})
        token = sample['next']
    report.append({'name': scene['name'], 'samples': samples})
with contextlib.redirect_stdout(printed):
    nusc.list_lidarseg_categories(sort_by='count')
    nusc.list_lidarseg_categories(sort_by='count', gt_from='panoptic')
    nusc.list_panoptic_instances(sort_by='count')
print(json.dumps(report))
`;
const devkit = process.env.NUSCENES_DEVKIT;
if (!devkit) {
  console.info(
    'test/nuscenes.test.ts: the nuScenes devkit itself is not run (NUSCENES_DEVKIT=DIR, its python-sdk folder; NUSCENES_PYTHON)',
  );
}

function runDevkit(tree: string): SceneReport {
  const python = process.env.NUSCENES_PYTHON ?? 'python3';
  const env = { ...process.env, PYTHONPATH: devkit };
  return reportOf(
    spawnSync(python, ['-c', DEVKIT_READER, tree, 'v1.0-playment'], { encoding: 'utf8', env, maxBuffer: 1 << 28 }),
  );
}

/** Exports the simulator's batch, builds its tree and has `read` read it: every key frame as the simulator made it. */
async function readEveryKeyFrame(read: (tree: string) => SceneReport, format: 'npy' | 'kitti', nanReturns: boolean) {
  const { simulator, out, close } = await exported(format, nanReturns);
  try {
    const tree = await tempDir('nuscenes-');
    const scenes = await buildNuScenes({ from: out, out: tree });
    const report = read(tree);
    const dataset = simulator.dataset;
    const table = JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')).classes as TableEntry[];
    const nameOf = new Map(table.map((entry) => [entry.id, entry.name]));
    // One scene per job and lidar, one sample per frame.
    expect(report.map((scene) => scene.name)).toEqual(scenes.map((scene) => scene.name));
    expect(new Set(scenes.map((scene) => `${scene.job_id}/${scene.sensor_id}`)).size).toBe(4);
    let leftOut = 0;
    for (const [s, scene] of scenes.entries()) {
      let sceneLeftOut = 0;
      const job = dataset.jobs.find((candidate) => candidate.id === scene.job_id)!;
      const sensor = dataset.sensorIds.indexOf(scene.sensor_id);
      expect(scene.frames).toEqual(['0', '1', '2']);
      // Panoptic ids partition the scene's points as the simulator's tracks do: one id per track.
      const trackOfId = new Map<number, string>();
      const idOfTrack = new Map<string, number>();
      for (let frame = 0; frame < 3; frame++) {
        const sample = report[s]!.samples[frame]!;
        const [x, y, z, intensity] = pointCloudFields(dataset, job.index, frame, sensor);
        const keys = dataset.maskLabels(job.index, frame, sensor);
        const semantic = expectedLabels(dataset, table, job.index, frame, sensor);
        const kept = [...semantic.keys()].filter((i) => [x, y, z].every((field) => Number.isFinite(field!.values[i])));
        sceneLeftOut += semantic.length - kept.length;
        expect(sample.points).toBe(kept.length);
        expect(sample.labels).toBe(kept.length);
        if (sample.ring !== undefined) expect(sample.ring).toBe(0);
        let wrong = 0;
        kept.forEach((i, k) => {
          const xyz = [x, y, z].map((field) => Math.fround(field!.values[i]!));
          if (xyz.some((value, c) => value !== sample.xyz[k]![c])) wrong++;
          const expectedIntensity = format === 'kitti' ? Math.fround(intensity!.values[i]!) : 0;
          if (sample.intensity[k] !== expectedIntensity) wrong++;
          if (
            sample.names[k] !== nameOf.get(semantic[i]!) &&
            !sample.names[k]!.startsWith(`${nameOf.get(semantic[i]!)} (`)
          )
            wrong++;
          const value = sample.panoptic![k]!;
          const track = dataset.keyMeaning(job.index, keys[i]!)?.trackId;
          if (track === undefined) {
            if (value % 1000 !== 0) wrong++;
            return;
          }
          const id = value % 1000;
          if (id < 1 || id > 999) wrong++;
          if ((trackOfId.get(id) ?? track) !== track || (idOfTrack.get(track) ?? id) !== id) wrong++;
          trackOfId.set(id, track);
          idOfTrack.set(track, id);
        });
        expect(wrong).toBe(0);
      }
      expect(trackOfId.size).toBeGreaterThan(1);
      expect(scene.points_left_out).toBe(sceneLeftOut);
      leftOut += sceneLeftOut;
    }
    if (nanReturns) expect(leftOut).toBeGreaterThan(0);
    else expect(leftOut).toBe(0);
  } finally {
    await close();
  }
}

const CASES = [
  { format: 'kitti', nanReturns: false, source: '' },
  { format: 'npy', nanReturns: true, source: ', points without a return left out of cloud and labels alike' },
] as const;

describe.runIf(numpy)('dataset nuscenes, read as the nuScenes devkit reads it (numpy)', { timeout: 120_000 }, () => {
  for (const { format, nanReturns, source } of CASES) {
    it(`${format}: every key frame's points, classes and objects, as the simulator made them${source}`, () =>
      readEveryKeyFrame(runReader, format, nanReturns));
  }
});

describe.runIf(devkit)('dataset nuscenes, read by the nuScenes devkit itself', { timeout: 120_000 }, () => {
  for (const { format, nanReturns, source } of CASES) {
    it(`${format}: every key frame's points, classes and objects, as the simulator made them${source}`, () =>
      readEveryKeyFrame(runDevkit, format, nanReturns));
  }
});

describe('dataset nuscenes', { timeout: 120_000 }, () => {
  it('the same export gives the same tree, byte for byte, with a colour map for the devkit', async () => {
    const { out, close } = await exported('bin', false);
    try {
      const [first, second] = [await tempDir('nuscenes-'), await tempDir('nuscenes-')];
      await buildNuScenes({ from: out, out: first, version: 'v1.0-mine' });
      await buildNuScenes({ from: out, out: second, version: 'v1.0-mine' });
      const a = await readTree(first);
      expect(treeDifference(a, await readTree(second))).toBe('');
      // Rebuilt in place: the same again.
      await buildNuScenes({ from: out, out: first, version: 'v1.0-mine' });
      expect(treeDifference(a, await readTree(first))).toBe('');
      const table = JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')).classes as TableEntry[];
      const categories = JSON.parse(a.get('v1.0-mine/category.json')!.toString()) as { name: string; index: number }[];
      const colormap = JSON.parse(a.get('v1.0-mine/colormap.json')!.toString()) as Record<string, number[]>;
      expect(categories.map((c) => c.index)).toEqual([...categories.keys()]);
      expect(categories[0]!.name).toBe('unlabelled');
      expect(Object.keys(colormap)).toEqual(categories.map((c) => c.name));
      // category.json: index 0 for no class, then classes.json's classes in order, each in its own colour.
      const entries = [table.find((e) => e.id === 0)!, ...table.filter((e) => e.id !== 0)];
      expect(categories).toHaveLength(entries.length);
      entries.forEach((entry, index) => {
        const name = categories[index]!.name;
        expect(name === entry.name || name.startsWith(`${entry.name} (`)).toBe(true);
        if (entry.color) {
          const rgb = [1, 3, 5].map((at) => Number.parseInt(entry.color!.slice(at, at + 2), 16));
          expect(colormap[name]).toEqual(rgb);
        }
      });
      expect(new Set(categories.map((c) => c.name)).size).toBe(categories.length);
      expect([...a.keys()].filter((name) => name.startsWith('panoptic/v1.0-mine/'))).toHaveLength(12);
    } finally {
      await close();
    }
  });

  it('refuses more than 255 classes, and more than 999 objects in a scene, before writing anything', async () => {
    const { out, close } = await exported('kitti', false);
    try {
      const many = await tempDir();
      await cp(out, many, { recursive: true });
      const classes = JSON.parse(await readFile(join(many, 'classes.json'), 'utf8'));
      const top = Math.max(...classes.classes.map((entry: TableEntry) => entry.id));
      for (let i = 1; classes.classes.length <= 256; i++) classes.classes.push({ id: top + i, name: `extra ${i}` });
      await writeFile(join(many, 'classes.json'), JSON.stringify(classes));
      const tree = join(await tempDir(), 'tree');
      await expect(buildNuScenes({ from: many, out: tree })).rejects.toMatchObject({
        code: 'TOO_MANY_CLASSES',
        message: expect.stringMatching(/256 classes.*--classes FILE.*--unknown-classes ignore/),
      });
      await expect(readdir(tree)).rejects.toMatchObject({ code: 'ENOENT' });

      const objects = await tempDir();
      await cp(out, objects, { recursive: true });
      const jobId = (await readdir(join(objects, 'jobs')))[0]!;
      const legendFile = join(objects, 'jobs', jobId, 'legend.json');
      const legend = JSON.parse(await readFile(legendFile, 'utf8'));
      legend.legend[0].instance = 1000;
      await writeFile(legendFile, JSON.stringify(legend));
      await expect(buildNuScenes({ from: objects, out: tree })).rejects.toMatchObject({
        code: 'TOO_MANY_INSTANCES',
      });
      await expect(readdir(tree)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(buildNuScenes({ from: out, out: tree, version: '../x' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'options.version must be a folder name ([A-Za-z0-9._-])',
      });
    } finally {
      await close();
    }
  });

  it('refuses more classes than uint16 panoptic labels hold with the objects exported, and builds at the limit', async () => {
    const { out, close } = await exported('kitti', false);
    try {
      const legends = await Promise.all(
        (await readdir(join(out, 'jobs'))).map(async (job) =>
          JSON.parse(await readFile(join(out, 'jobs', job, 'legend.json'), 'utf8')),
        ),
      );
      const most = Math.max(...legends.flatMap((l) => l.legend.map((entry: { instance: number }) => entry.instance)));
      // category index * 1000 + object <= 65535: the last index that fits with `most` objects.
      const fit = Math.floor((65535 - most) / 1000);
      const padded = async (lastIndex: number) => {
        const copy = await tempDir();
        await cp(out, copy, { recursive: true });
        const classes = JSON.parse(await readFile(join(copy, 'classes.json'), 'utf8'));
        const top = Math.max(...classes.classes.map((entry: TableEntry) => entry.id));
        const named = () => classes.classes.filter((entry: TableEntry) => entry.id !== 0).length;
        for (let i = 1; named() < lastIndex; i++) classes.classes.push({ id: top + i, name: `extra ${i}` });
        await writeFile(join(copy, 'classes.json'), JSON.stringify(classes));
        return copy;
      };
      const tree = join(await tempDir(), 'tree');
      await expect(buildNuScenes({ from: await padded(fit + 1), out: tree })).rejects.toMatchObject({
        code: 'TOO_MANY_CLASSES',
        message: expect.stringMatching(new RegExp(`uint16.*holds ${fit} classes.*without --instances`)),
      });
      await expect(readdir(tree)).rejects.toMatchObject({ code: 'ENOENT' });
      await buildNuScenes({ from: await padded(fit), out: tree });
      const categories = JSON.parse(await readFile(join(tree, 'v1.0-playment', 'category.json'), 'utf8'));
      expect(categories).toHaveLength(fit + 1);
    } finally {
      await close();
    }
  });

  it('fails with MISALIGNED, nothing left in flight, where a later points file is cut short or runs long', async () => {
    // Frames are read one ahead and written one behind: the error of a frame read early must still be the one
    // thrown, with the files of the frames before it complete (written whole under their final names).
    const { out, close } = await exported('kitti', false);
    try {
      const lines = (await readFile(join(out, 'index.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      for (const [change, at] of [
        [(path: string) => truncate(path, 12), 3],
        [(path: string) => appendFile(path, Buffer.alloc(16)), 5],
      ] as const) {
        const broken = await tempDir();
        await cp(out, broken, { recursive: true });
        await change(join(broken, lines[at].points_file));
        const message = expect.stringContaining(lines[at].file);
        const [tree, parquet] = [await tempDir(), await tempDir()];
        await expect(buildNuScenes({ from: broken, out: tree })).rejects.toMatchObject({ code: 'MISALIGNED', message });
        await expect(buildParquet({ from: broken, out: parquet, rowsPerFile: 2 })).rejects.toMatchObject({
          code: 'MISALIGNED',
          message,
        });
        const samples = await readdir(join(tree, 'samples', 'LIDAR_TOP'));
        expect(samples.filter((name) => !name.endsWith('.pcd.bin'))).toEqual([]);
        expect((await readdir(join(parquet, 'data'))).filter((name) => !name.endsWith('.parquet'))).toEqual([]);
      }
    } finally {
      await close();
    }
  });
});
