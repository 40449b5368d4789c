// The one reader of a finished export that every `dataset` target builds from: summary.json, classes.json,
// index.jsonl, each job's result.json (frame order, poses; any documented shape, read by describeResult) and
// legend.json, and the label, instance and points files of any export format. Sequences are one per job and lidar,
// in the index's job order; frames in the order of the result's frames[].
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reasonOf } from '../errors.js';
import { checkClassTable, type ClassEntry } from '../export/classes.js';
import { pointsFileSize } from '../export/points.js';
import type { ExportSummary, IndexLine } from '../export/records.js';
import { type ExportFormat, FORMATS, type IdWords } from '../formats/index.js';
import { cloudOf, describeResult, type JobDescription } from '../result/index.js';
import { DatasetError } from './dataset-error.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

/** A position and a heading quaternion, as the result object gives ego and sensor poses. */
export interface Pose {
  heading?: { w?: unknown; x?: unknown; y?: unknown; z?: unknown };
  position?: { x?: unknown; y?: unknown; z?: unknown };
}

export interface ExportTree {
  /** The export folder (absolute). */
  from: string;
  summary: ExportSummary;
  /** classes.json, in file order. */
  table: ClassEntry[];
  lines: IndexLine[];
}

export interface SequenceFrame {
  frameId: string;
  line: IndexLine;
  /** The frame's ego_pose; the identity for a legacy result (its points are in world coordinates already). */
  egoPose: Pose | undefined;
  /** The pose of the lidar whose cloud the mask labels (found as --with-points finds the cloud), where given. */
  sensorPose: Pose | undefined;
}

const IDENTITY_POSE: Pose = Object.freeze({ heading: { w: 1, x: 0, y: 0, z: 0 }, position: { x: 0, y: 0, z: 0 } });

export interface Sequence {
  jobId: string;
  sensorId: string;
  frames: SequenceFrame[];
}

/** One mask's files, read: per point (in the files' order) its class id, instance id and coordinates. */
export interface FrameData {
  points: number;
  /** Empty where `idWords` holds the ids. */
  labels: Uint16Array;
  /** With --instances; else undefined (and where `idWords` holds them). */
  instances: Uint16Array | undefined;
  /**
   * With readFrames' `idsInPlace`, an export with --instances and a format that keeps them in the label file
   * (OutputFormat.idWords): the label file's bytes, class and instance ids left undecoded where they lie.
   */
  idWords?: { bytes: Uint8Array; layout: IdWords };
  /** float32 per point, `stride` values each: x, y, z, then kitti's remission (npy and bin have none); empty without points. */
  values: Float32Array;
  stride: number;
}

/** What a target needs of the export. */
export interface ExportNeeds {
  formats?: readonly ExportFormat[];
  points?: boolean;
  /** Reads an export of raw label keys (`--labels raw`) too; else it is refused with NOT_CLASS_LABELS. */
  rawLabels?: boolean;
}

/** Reads summary.json, classes.json and index.jsonl; throws DatasetError for what the target cannot use. */
export async function readExport(from: string, needs: ExportNeeds = {}): Promise<ExportTree> {
  const root = resolve(from);
  const summary = await readJson<ExportSummary>(join(root, 'summary.json'), 'NOT_AN_EXPORT');
  if (typeof summary?.jobs !== 'object' || !Array.isArray(summary.classes)) {
    throw new DatasetError('NOT_AN_EXPORT', `${join(root, 'summary.json')} is not an export summary`);
  }
  if (needs.formats && !needs.formats.includes(summary.format)) {
    throw new DatasetError(
      needs.formats.length === 1 && needs.formats[0] === 'kitti' ? 'NOT_KITTI' : 'WRONG_FORMAT',
      `the export is in format ${String(summary.format)}: export with --format ${needs.formats.join(' or ')}`,
    );
  }
  if (summary.labels !== 'class' && !needs.rawLabels) {
    throw new DatasetError('NOT_CLASS_LABELS', 'the export holds raw label keys: export with --labels class');
  }
  const table = checkClassTable(await readJson(join(root, 'classes.json'), 'NOT_AN_EXPORT'), 'classes.json');
  const lines = await readIndex(join(root, 'index.jsonl'));
  if (needs.points) {
    const without = lines.find((line) => typeof line.points_file !== 'string');
    if (without) throw new DatasetError('NO_POINTS', `${without.file} has no points file: export with --with-points`);
  }
  return { from: root, summary, table, lines };
}

/** index.jsonl's lines; a line that is no index line is refused with its byte offset. */
async function readIndex(path: string): Promise<IndexLine[]> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new DatasetError('NOT_AN_EXPORT', `cannot read ${path}: ${reasonOf(error)}`);
  });
  const lines: IndexLine[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    if (raw !== '') {
      let line: IndexLine;
      try {
        line = JSON.parse(raw) as IndexLine;
      } catch (error) {
        throw new DatasetError('BAD_INDEX', `${path} at byte ${offset}: ${reasonOf(error)}`);
      }
      if (
        typeof line?.job_id !== 'string' ||
        typeof line.file !== 'string' ||
        !Array.isArray(line.histogram) ||
        !(Number.isSafeInteger(line.points) && line.points >= 0 && line.points <= MAX_POINTS)
      ) {
        throw new DatasetError('BAD_INDEX', `${path} at byte ${offset}: not an index line`);
      }
      lines.push(line);
    }
    offset += Buffer.byteLength(raw, 'utf8') + 1;
  }
  return lines;
}

/** The export's sequences: one per job and lidar with masks, frames in the result's order. */
export async function sequencesOf(tree: ExportTree): Promise<Sequence[]> {
  const byJob = new Map<string, IndexLine[]>();
  for (const line of tree.lines) byJob.set(line.job_id, [...(byJob.get(line.job_id) ?? []), line]);
  const sequences: Sequence[] = [];
  for (const [jobId, jobLines] of byJob) {
    const jobDir = jobLines[0]!.file.slice(0, jobLines[0]!.file.lastIndexOf('/'));
    const result = describeResult(await readJson<unknown>(join(tree.from, jobDir, 'result.json'), 'NOT_AN_EXPORT'));
    // The masks are in frame order (a frame the result lists no data for, last): every index line is reached.
    const frameIds = [...new Set(result.masks.map((mask) => mask.frameId))];
    for (const sensorId of sensorOrder(result, jobLines)) {
      const frames: SequenceFrame[] = [];
      for (const frameId of frameIds) {
        const line = jobLines.find((l) => String(l.frame_id) === frameId && String(l.sensor_id) === sensorId);
        if (!line) continue;
        const egoPose =
          result.shape === 'legacy' ? IDENTITY_POSE : result.frames.find((frame) => frame.id === frameId)?.egoPose;
        frames.push({ frameId, line, egoPose, sensorPose: sensorPoseOf(result, frameId, sensorId) });
      }
      sequences.push({ jobId, sensorId, frames });
    }
  }
  return sequences;
}

/** Points of one mask an index line may give: buffers for that many are made before the files are read. */
const MAX_POINTS = 2 ** 31 - 1;

/** Typed arrays are in the machine's byte order; the files are little-endian. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where a frame's files are read and its ids decoded: two places of each kind, used in turns (`turn % 2`). */
export interface FrameBuffers {
  /** The `kind` file buffer of turn `turn % 2`, at least `size` bytes. */
  take(kind: 'labels' | 'points', turn: number, size: number): Uint8Array;
  /** The `kind` values of turn `turn % 2`, at least `length` of them. */
  values(kind: 'labels' | 'instances', turn: number, length: number): Uint16Array;
}

/**
 * The bytes read of a mask's label and points files: the sizes of those files for the points index.jsonl gives, and
 * a byte more (a longer file shows).
 */
export function readSizes(tree: ExportTree, line: IndexLine): { labels: number; points: number } {
  const { format } = tree.summary;
  return { labels: FORMATS[format].labelFileSize(line.points) + 1, points: pointsFileSize(line.points, format) + 1 };
}

/**
 * The buffers that label and points files are read into, and their labels and instance ids decoded into, two of each
 * used in turns (one being read while the caller holds the other): reused from frame to frame, and by a thread from
 * one run of frames to the next, rather than fresh buffers per frame that leave the heap growing with the export
 * until a garbage collection.
 */
export class ReadBuffers implements FrameBuffers {
  readonly #bytes = {
    labels: [new Uint8Array(0), new Uint8Array(0)],
    points: [new Uint8Array(0), new Uint8Array(0)],
  };
  readonly #values = {
    labels: [new Uint16Array(0), new Uint16Array(0)],
    instances: [new Uint16Array(0), new Uint16Array(0)],
  };

  take(kind: 'labels' | 'points', turn: number, size: number): Uint8Array {
    const pair = this.#bytes[kind];
    if (pair[turn % 2]!.length < size) pair[turn % 2] = new Uint8Array(size);
    return pair[turn % 2]!;
  }

  values(kind: 'labels' | 'instances', turn: number, length: number): Uint16Array {
    const pair = this.#values[kind];
    if (pair[turn % 2]!.length < length) pair[turn % 2] = new Uint16Array(length);
    return pair[turn % 2]!;
  }
}

/**
 * The frames of `lines` in order, each one's files read when the caller asks for it, into the buffers of turns 0, 1,
 * 0...: a frame's arrays are valid until the caller asks for the one after the next.
 */
export async function* readFrames(
  tree: ExportTree,
  lines: readonly IndexLine[],
  buffers: FrameBuffers = new ReadBuffers(),
  { idsInPlace = false }: { idsInPlace?: boolean } = {},
): AsyncGenerator<FrameData> {
  for (const [i, line] of lines.entries()) yield await readFrame(tree, line, buffers, i, idsInPlace);
}

/**
 * `promise`, marked as handled: one started ahead and awaited later must not count as an unhandled rejection while
 * the caller awaits something else (awaiting it still throws its error).
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Reads and checks one mask's label, instance and points files (all of the same points) into the buffers of turn
 * `turn`: the files sized for the points index.jsonl gives (a byte more: a longer file shows).
 */
async function readFrame(
  tree: ExportTree,
  line: IndexLine,
  buffers: FrameBuffers,
  turn: number,
  idsInPlace: boolean,
): Promise<FrameData> {
  const bufferOf = (kind: 'labels' | 'points', size: number) => buffers.take(kind, turn, size);
  const valuesOf = (kind: 'labels' | 'instances') => buffers.values(kind, turn, line.points);
  const { instances: withInstances } = tree.summary;
  const format = FORMATS[tree.summary.format];
  const sizes = readSizes(tree, line);
  const pointsSize = sizes.points - 1;
  const labelBytes = readAtMost(join(tree.from, line.file), bufferOf('labels', sizes.labels));
  const pointBytes =
    typeof line.points_file === 'string'
      ? readAtMost(join(tree.from, line.points_file), bufferOf('points', sizes.points))
      : undefined;
  // Ids in place: any word is a class id and an instance id, so the file is checked by its size alone.
  const inPlace = idsInPlace && withInstances ? format.idWords : undefined;
  const labels = inPlace ? new Uint16Array(0) : format.decodeLabels(labelBytes, withInstances, valuesOf('labels'));
  const points = inPlace ? wordsIn(labelBytes, inPlace) : (labels?.length ?? -1);
  if (!labels || labelBytes.length !== format.labelFileSize(points)) {
    throw new DatasetError('MISALIGNED', `${line.file} is not a ${tree.summary.format} label file`);
  }
  let instances: Uint16Array | undefined;
  if (inPlace || !withInstances) instances = undefined;
  else if (format.decodeInstances) instances = format.decodeInstances(labelBytes, valuesOf('instances'));
  else if (typeof line.instances_file === 'string') {
    instances = format.decodeLabels(await readFile(join(tree.from, line.instances_file)), false, valuesOf('instances'));
    if (instances?.length !== points) {
      throw new DatasetError('MISALIGNED', `${line.file} and ${line.instances_file} do not hold the same points`);
    }
  }
  const stride = format.points.valuesPerPoint;
  const ids = { points, labels, instances, ...(inPlace && { idWords: { bytes: labelBytes, layout: inPlace } }) };
  if (!pointBytes) return { ...ids, values: new Float32Array(0), stride };
  if (points !== line.points || pointBytes.length !== pointsSize) {
    throw new DatasetError('MISALIGNED', `${line.file} and ${line.points_file} do not hold the same points`);
  }
  return { ...ids, values: float32LE(pointBytes.subarray(pointBytes.length - points * stride * 4)), stride };
}

/** The points of a label file of `layout` words, or -1 where its size is no whole number of them. */
function wordsIn(bytes: Uint8Array, layout: IdWords): number {
  return bytes.length % layout.stride === 0 ? bytes.length / layout.stride : -1;
}

/**
 * The first bytes of the file `path`, as many as `buffer` holds: a view of `buffer`. Blocking: the readers run on
 * threads of their own, where four round trips per file through libuv's thread pool (shared with the threads' writes
 * and compression) left the threads waiting more than reading.
 */
function readAtMost(path: string, buffer: Uint8Array): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/** The float32s of `bytes`: a view where the machine is little-endian and they are aligned, else a copy. */
function float32LE(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }
  const values = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  }
  return values;
}

/** The pose of the lidar of a mask (frame, sensor), or undefined where the result names no cloud or no pose. */
function sensorPoseOf(result: JobDescription, frameId: string, sensorId: string): Pose | undefined {
  try {
    return cloudOf(result, { frameId, sensorId, labelUrl: '', maskId: '' }).pose;
  } catch {
    // No cloud named for this mask: the frame's pose is all there is.
    return undefined;
  }
}

/** The job's lidars that have masks: in sensor_meta order, then any others in index order. */
function sensorOrder(result: JobDescription, lines: readonly IndexLine[]): string[] {
  const withMasks = [...new Set(lines.map((line) => String(line.sensor_id)))];
  const meta = result.sensorMeta.map((sensor) => sensor.id);
  return [...meta.filter((id) => withMasks.includes(id)), ...withMasks.filter((id) => !meta.includes(id))].filter(
    (id, i, all) => all.indexOf(id) === i,
  );
}

/** The unit quaternion [w, x, y, z] and translation [x, y, z] of a pose, or undefined when it has no finite one. */
export function poseOf(pose: Pose | undefined): { rotation: number[]; translation: number[] } | undefined {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN);
  const q = (['w', 'x', 'y', 'z'] as const).map((axis) => number(pose?.heading?.[axis]));
  const translation = (['x', 'y', 'z'] as const).map((axis) => number(pose?.position?.[axis]));
  const norm = Math.hypot(...q);
  if (![norm, ...translation].every(Number.isFinite) || norm === 0) return undefined;
  return { rotation: q.map((value) => value / norm), translation };
}

export async function readJson<T>(path: string, code: ErrorCodeOf<'DatasetError'>): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new DatasetError(code, `cannot read ${path}: ${reasonOf(error)}`);
  }
}
