// `playment-masks dataset nuscenes`: a nuScenes-lidarseg tree (nuScenes-panoptic too, from an export with
// --instances) built from an export made with --with-points, in any format. One scene (and log) per job and lidar,
// one sample per frame in the result's frame order, one LIDAR_TOP key frame per sample. Tokens are hashes of the ids
// they stand for, so the same export gives the same tree, byte for byte.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../export/files.js';
import type { ClassEntry } from '../export/classes.js';
import type { JobLegend } from '../export/legend.js';
import { blankPng } from './blank-png.js';
import { rgbOf } from './class-colors.js';
import { uniqueNames } from './class-names.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { DatasetError } from './dataset-error.js';
import { type ExportTree, handled, poseOf, readExport, readJson, sequencesOf } from './export-reader.js';
import type { NuScenesFrameFiles, NuScenesFrameResult } from './nuscenes-frames.js';
import { DATASET_OPTIONS, NUSCENES_OPTIONS } from './option-table.js';
import { prepareOut, writeText } from './out-folder.js';
import { DatasetThreads, threadCount } from './threads.js';

export type NuScenesOptions = OptionValues<typeof DATASET_OPTIONS & typeof NUSCENES_OPTIONS>;

export interface NuScenesScene {
  name: string;
  token: string;
  job_id: string;
  sensor_id: string;
  /** Frame ids, one sample each, in time order. */
  frames: string[];
  /** Points left out of the tree (and of its labels) for a non-finite x, y or z. */
  points_left_out: number;
}

export const SCENES_NAME = 'scenes.json';
const CHANNEL = 'LIDAR_TOP';
/** lidarseg labels are uint8: index 0 (no class) and 255 classes. */
const MAX_CATEGORIES = 256;
/** Panoptic labels are uint16 category index * 1000 + instance id. */
const MAX_INSTANCE = 999;
const MAX_PANOPTIC_LABEL = 0xffff;
const LIDAR_PERIOD_US = 50_000; // 20 Hz, as nuScenes' lidar
const FIRST_TIMESTAMP_US = 1_600_000_000_000_000;
const SCENE_SPACING_US = 3_600_000_000;
/** Frames per thread task: enough to keep a thread's read-ahead and write-behind going. */
const FRAMES_PER_TASK = 8;

interface Category {
  token: string;
  name: string;
  description: string;
  index: number;
}

/** The package's buildNuScenes() (documented in entries.ts, which loads this module on its first call). */
export async function buildNuScenes(options: NuScenesOptions): Promise<NuScenesScene[]> {
  resolveOptions(DATASET_OPTIONS, options);
  const { version, threads } = resolveOptions(NUSCENES_OPTIONS, options);
  // The threads start (about 0.1 s) while the export is read and the tables are made.
  const pool = new DatasetThreads(threadCount(threads));
  try {
    return await buildTree(options, version, pool);
  } finally {
    await pool.close();
  }
}

async function buildTree(options: NuScenesOptions, version: string, pool: DatasetThreads): Promise<NuScenesScene[]> {
  const out = resolve(options.out);
  const tree = await readExport(options.from, { points: true });
  const { entries, categories } = categoriesOf(tree.table);
  const panoptic = tree.summary.instances;
  if (panoptic) checkPanopticRange(categories.length - 1, await mostInstances(tree));
  const sequences = await sequencesOf(tree);
  await prepareOut(out, SCENES_NAME, [version, 'samples', 'lidarseg', 'panoptic', 'maps', SCENES_NAME]);

  const indexOfClass = new Uint8Array(0x10000);
  entries.forEach((entry, index) => {
    indexOfClass[entry.id] = index;
  });
  const tables: Record<string, object[]> = {
    sensor: [{ token: token('sensor', CHANNEL), channel: CHANNEL, modality: 'lidar' }],
    calibrated_sensor: [],
    ego_pose: [],
    log: [],
    scene: [],
    sample: [],
    sample_data: [],
    lidarseg: [],
    panoptic: [],
  };
  const scenes: NuScenesScene[] = [];
  for (const dir of ['samples/LIDAR_TOP', `lidarseg/${version}`, ...(panoptic ? [`panoptic/${version}`] : []), 'maps'])
    await mkdir(join(out, dir), { recursive: true });

  // The frames' files are written by the threads (nuscenes-frames.ts), in runs of consecutive frames; the tables,
  // which need of the points only how many each frame kept, are made here.
  const frameFiles: NuScenesFrameFiles[] = [];
  const leftOutOf: (() => number)[] = [];
  for (const [s, { jobId, sensorId, frames }] of sequences.entries()) {
    const name = `scene-${String(s + 1).padStart(4, '0')}`;
    const sceneToken = token('scene', jobId, sensorId);
    const logToken = token('log', jobId, sensorId);
    const ids = frames.map(({ frameId }) => [jobId, sensorId, frameId]);
    const sampleTokens = ids.map((id) => token('sample', ...id));
    const dataTokens = ids.map((id) => token('sample_data', ...id));
    const first = frameFiles.length;
    for (const [f, { egoPose, sensorPose, line }] of frames.entries()) {
      const timestamp = FIRST_TIMESTAMP_US + s * SCENE_SPACING_US + f * LIDAR_PERIOD_US;
      const dataToken = dataTokens[f]!;
      const egoToken = token('ego_pose', ...ids[f]!);
      const calibratedToken = token('calibrated_sensor', ...ids[f]!);
      const filename = `samples/${CHANNEL}/${name}__${CHANNEL}__${timestamp}.pcd.bin`;
      frameFiles.push({
        line,
        cloud: filename,
        lidarseg: `lidarseg/${version}/${dataToken}_lidarseg.bin`,
        panoptic: `panoptic/${version}/${dataToken}_panoptic.npz`,
      });
      tables.ego_pose!.push({ token: egoToken, timestamp, ...rotationTranslation(egoPose) });
      tables.calibrated_sensor!.push({
        token: calibratedToken,
        sensor_token: token('sensor', CHANNEL),
        ...rotationTranslation(sensorPose),
        camera_intrinsic: [],
      });
      tables.sample!.push({
        token: sampleTokens[f],
        timestamp,
        prev: sampleTokens[f - 1] ?? '',
        next: sampleTokens[f + 1] ?? '',
        scene_token: sceneToken,
      });
      tables.sample_data!.push({
        token: dataToken,
        sample_token: sampleTokens[f],
        ego_pose_token: egoToken,
        calibrated_sensor_token: calibratedToken,
        timestamp,
        fileformat: 'pcd',
        is_key_frame: true,
        height: 0,
        width: 0,
        filename,
        prev: dataTokens[f - 1] ?? '',
        next: dataTokens[f + 1] ?? '',
      });
    }
    tables.log!.push({
      token: logToken,
      logfile: `${jobId}/${sensorId}`,
      vehicle: sensorId,
      date_captured: new Date((FIRST_TIMESTAMP_US + s * SCENE_SPACING_US) / 1000).toISOString().slice(0, 10),
      location: 'playment',
    });
    tables.scene!.push({
      token: sceneToken,
      log_token: logToken,
      nbr_samples: frames.length,
      first_sample_token: sampleTokens[0] ?? '',
      last_sample_token: sampleTokens.at(-1) ?? '',
      name,
      description: `job ${jobId}, lidar ${sensorId}`,
    });
    const scene: NuScenesScene = {
      name,
      token: sceneToken,
      job_id: jobId,
      sensor_id: sensorId,
      frames: frames.map((frame) => frame.frameId),
      points_left_out: 0,
    };
    scenes.push(scene);
    leftOutOf.push(() => frames.reduce((sum, { line }, f) => sum + line.points - results[first + f]!.kept, 0));
  }

  const exportTree = { ...tree, lines: [] };
  const tasks = Array.from({ length: Math.ceil(frameFiles.length / FRAMES_PER_TASK) }, (_, t) => {
    const frames = frameFiles.slice(t * FRAMES_PER_TASK, (t + 1) * FRAMES_PER_TASK);
    const name = `frames ${t * FRAMES_PER_TASK + 1} to ${t * FRAMES_PER_TASK + frames.length}`;
    return { kind: 'nuscenes' as const, name, tree: exportTree, out, frames, indexOfClass };
  });
  const runs = await pool.run<NuScenesFrameResult[]>(tasks);
  // The threads end while the tables are written.
  handled(pool.close());
  const results = runs.flat();
  scenes.forEach((scene, s) => {
    scene.points_left_out = leftOutOf[s]!();
  });
  for (const [k, { lidarseg, panoptic }] of frameFiles.entries()) {
    const dataToken = (tables.sample_data![k] as { token: string }).token;
    // the devkit looks a record up by its sample_data token
    tables.lidarseg!.push({ token: dataToken, sample_data_token: dataToken, filename: lidarseg });
    if (results[k]!.panoptic) {
      tables.panoptic!.push({ token: dataToken, sample_data_token: dataToken, filename: panoptic });
    }
  }
  const mapFile = 'maps/playment-masks-blank.png';
  await writeFileAtomic(join(out, 'maps'), mapFile.slice('maps/'.length), [blankPng()]);
  const tableDir = join(out, version);
  await mkdir(tableDir, { recursive: true });
  await writeTables(tableDir, {
    category: categories,
    attribute: [],
    visibility: [],
    instance: [],
    sensor: tables.sensor!,
    calibrated_sensor: tables.calibrated_sensor!,
    ego_pose: tables.ego_pose!,
    log: tables.log!,
    scene: tables.scene!,
    sample: tables.sample!,
    sample_data: tables.sample_data!,
    sample_annotation: [],
    map: [
      {
        token: token('map', 'blank'),
        log_tokens: tables.log!.map((log) => (log as { token: string }).token),
        category: 'semantic_prior',
        filename: mapFile,
      },
    ],
    lidarseg: tables.lidarseg!,
    ...(panoptic && { panoptic: tables.panoptic! }),
    colormap: Object.fromEntries(categories.map((category, i) => [category.name, rgbOf(entries[i]!)])),
  });
  await writeText(out, SCENES_NAME, jsonText({ version, scenes }));
  return scenes;
}

/**
 * `<name>.json` in `dir` for each entry of `tables`, all at once (each is flushed: one after the other, the flushes
 * took longer than the rest of the tables' work); on a failure, once every write has ended.
 */
async function writeTables(dir: string, tables: Record<string, unknown>): Promise<void> {
  const writes = Object.entries(tables).map(([name, records]) => writeText(dir, `${name}.json`, jsonText(records)));
  const failed = (await Promise.allSettled(writes)).find((write) => write.status === 'rejected');
  if (failed) throw failed.reason;
}

/** category.json: index 0 for points without a class, then the export's classes in classes.json order. */
function categoriesOf(table: readonly ClassEntry[]): { entries: ClassEntry[]; categories: Category[] } {
  const entries = [unlabelledOf(table), ...table.filter((entry) => entry.id !== 0)];
  if (entries.length > MAX_CATEGORIES) {
    throw new DatasetError(
      'TOO_MANY_CLASSES',
      `the export has ${entries.length - 1} classes; nuScenes-lidarseg labels are uint8 (255 classes at most): ` +
        'export again with --classes FILE listing at most 255 classes and --unknown-classes ignore (the others ' +
        'become 0, unlabelled)',
    );
  }
  const names = uniqueNames(entries);
  const categories = entries.map((entry, index) => {
    const description =
      entry.class_id === undefined ? `class ${entry.id}` : `class ${entry.id}, class_id ${entry.class_id}`;
    return { token: token('category', String(entry.id)), name: names[index]!, description, index };
  });
  return { entries, categories };
}

function unlabelledOf(table: readonly ClassEntry[]): ClassEntry {
  return table.find((entry) => entry.id === 0) ?? { id: 0, name: 'unlabelled' };
}

/** The most objects of any job; refuses more than panoptic labels can number (999), before anything is written. */
async function mostInstances(tree: ExportTree): Promise<number> {
  const jobDirs = new Set(tree.lines.map((line) => line.file.slice(0, line.file.lastIndexOf('/'))));
  let most = 0;
  for (const dir of jobDirs) {
    const { legend } = await readJson<JobLegend>(join(tree.from, dir, 'legend.json'), 'NOT_AN_EXPORT');
    const inJob = Math.max(0, ...legend.map((entry) => entry.instance));
    if (inJob > MAX_INSTANCE) {
      throw new DatasetError(
        'TOO_MANY_INSTANCES',
        `${dir} has ${inJob} objects; nuScenes-panoptic numbers at most ${MAX_INSTANCE} per scene`,
      );
    }
    most = Math.max(most, inJob);
  }
  return most;
}

/** Panoptic labels are uint16: the last category index times 1000 plus the most objects must stay below 65536. */
function checkPanopticRange(lastIndex: number, most: number): void {
  if (lastIndex * 1000 + most <= MAX_PANOPTIC_LABEL) return;
  const fit = Math.floor((MAX_PANOPTIC_LABEL - most) / 1000);
  throw new DatasetError(
    'TOO_MANY_CLASSES',
    `the export has ${lastIndex} classes and up to ${most} objects per job; nuScenes-panoptic labels are uint16 ` +
      `(category index * 1000 + object), which holds ${fit} classes with that many objects: export again with ` +
      `--classes FILE listing at most ${fit} classes and --unknown-classes ignore, or without --instances`,
  );
}

/** A pose as nuScenes writes one: rotation [w, x, y, z] and translation [x, y, z]; identity where there is none. */
function rotationTranslation(pose: Parameters<typeof poseOf>[0]): { rotation: number[]; translation: number[] } {
  return poseOf(pose) ?? { rotation: [1, 0, 0, 0], translation: [0, 0, 0] };
}

/** A 32-hex-digit token, as nuScenes' own, from what the record stands for. */
function token(kind: string, ...ids: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, ...ids]))
    .digest('hex')
    .slice(0, 32);
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}
