// `playment-masks dataset semantickitti`: the SemanticKITTI layout built from a finished export (format kitti, with
// points), without copying: sequences/NN/{velodyne/FFFFFF.bin, labels/FFFFFF.label} are hard links to the export's
// files (symbolic links across file systems), next to poses.txt, calib.txt, semantic-kitti.yaml and sequences.json.
// One sequence per job and lidar sensor, in the index's job order; frames in the order of the result's frames[].
import { link, mkdir, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlaymentMasksError, reasonOf } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';
import { checkClassTable, type ClassEntry } from '../export/classes.js';
import { writeFileAtomic } from '../export/files.js';
import type { ExportSummary, IndexLine } from '../export/records.js';

/** The export cannot become a SemanticKITTI tree (wrong settings, missing or misaligned files). */
export class DatasetError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'DatasetError'>;

  constructor(code: ErrorCodeOf<'DatasetError'>, message: string) {
    super(code, message);
  }
}

export interface SemanticKittiOptions {
  /** The export folder. */
  from: string;
  /** The tree's folder: missing, empty, or a tree built here before (then rebuilt). */
  out: string;
}

export interface SemanticKittiSequence {
  job_id: string;
  sensor_id: string;
  /** Frame ids, in file order (000000, 000001...). */
  frames: string[];
}

export const SEQUENCES_NAME = 'sequences.json';
export const YAML_NAME = 'semantic-kitti.yaml';
const POINT_BYTES = 16; // float32 x y z intensity
const LABEL_BYTES = 4; // uint32 instance << 16 | class

interface Pose {
  heading?: { w?: unknown; x?: unknown; y?: unknown; z?: unknown };
  position?: { x?: unknown; y?: unknown; z?: unknown };
}

/**
 * Builds the tree; resolves to its sequences by number (zero-padded to one width: sort the keys for numeric order,
 * since an object lists integer-like keys first).
 */
export async function buildSemanticKitti(
  options: SemanticKittiOptions,
): Promise<Record<string, SemanticKittiSequence>> {
  const from = resolve(options.from);
  const out = resolve(options.out);
  const summary = await readJson<ExportSummary>(join(from, 'summary.json'), 'NOT_AN_EXPORT');
  if (summary.format !== 'kitti') {
    throw new DatasetError(
      'NOT_KITTI',
      `the export is in format ${String(summary.format)}: export with --format kitti`,
    );
  }
  if (summary.labels !== 'class') {
    throw new DatasetError('NOT_CLASS_LABELS', 'the export holds raw label keys: export with --labels class');
  }
  const table = checkClassTable(await readJson(join(from, 'classes.json'), 'NOT_AN_EXPORT'), 'classes.json');
  const lines = (await readFile(join(from, 'index.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as IndexLine);
  await prepareOut(out);

  const sequences: Record<string, SemanticKittiSequence> = {};
  const byJob = new Map<string, IndexLine[]>();
  for (const line of lines) byJob.set(line.job_id, [...(byJob.get(line.job_id) ?? []), line]);
  const seqCount = [...byJob.values()].reduce(
    (sum, jobLines) => sum + new Set(jobLines.map((l) => String(l.sensor_id))).size,
    0,
  );
  const digits = Math.max(2, String(seqCount - 1).length);
  for (const [jobId, jobLines] of byJob) {
    const jobDir = jobLines[0]!.file.slice(0, jobLines[0]!.file.lastIndexOf('/'));
    const result = await readJson<ResultFields>(join(from, jobDir, 'result.json'), 'NOT_AN_EXPORT');
    const frameIds = frameOrder(result);
    const poses = posesOf(result);
    for (const sensorId of sensorOrder(result, jobLines)) {
      const number = String(Object.keys(sequences).length).padStart(digits, '0');
      const dir = join(out, 'sequences', number);
      await mkdir(join(dir, 'velodyne'), { recursive: true });
      await mkdir(join(dir, 'labels'), { recursive: true });
      const frames: string[] = [];
      const poseLines: string[] = [];
      for (const frameId of frameIds) {
        const line = jobLines.find((l) => String(l.frame_id) === frameId && String(l.sensor_id) === sensorId);
        if (!line) continue;
        if (typeof line.points_file !== 'string') {
          throw new DatasetError('NO_POINTS', `${line.file} has no points file: export with --with-points`);
        }
        // The files themselves say how many points they hold (kitti drops non-finite points from both).
        const points = await stat(join(from, line.points_file));
        const labels = await stat(join(from, line.file));
        if (
          points.size % POINT_BYTES !== 0 ||
          labels.size % LABEL_BYTES !== 0 ||
          points.size / POINT_BYTES !== labels.size / LABEL_BYTES
        ) {
          throw new DatasetError('MISALIGNED', `${line.file} and ${line.points_file} do not hold the same points`);
        }
        const name = String(frames.length).padStart(6, '0');
        await linkFile(join(from, line.points_file), join(dir, 'velodyne', `${name}.bin`));
        await linkFile(join(from, line.file), join(dir, 'labels', `${name}.label`));
        frames.push(frameId);
        poseLines.push(poseLine(poses.get(frameId), `job ${jobId} frame ${frameId}`));
      }
      await writeText(dir, 'poses.txt', poseLines.map((line) => `${line}\n`).join(''));
      await writeText(dir, 'calib.txt', CALIB);
      sequences[number] = { job_id: jobId, sensor_id: sensorId, frames };
    }
  }
  // Numbered in build order, zero-padded to one width: sorted as strings they are in numeric order. An object's
  // own key order is not that (integer-like keys such as "10" or "100" come before "00"..."09").
  const numbers = Object.keys(sequences).sort();
  await writeText(out, YAML_NAME, semanticKittiYaml(table, summary, numbers));
  await writeText(out, SEQUENCES_NAME, sequencesJson(numbers, sequences));
  return sequences;
}

/** sequences.json, as JSON.stringify(…, null, 2) writes it but with the sequences in numeric order. */
function sequencesJson(numbers: readonly string[], sequences: Record<string, SemanticKittiSequence>): string {
  if (numbers.length === 0) return '{\n  "sequences": {}\n}\n';
  const entries = numbers.map(
    (number) =>
      `    ${JSON.stringify(number)}: ${JSON.stringify(sequences[number], null, 2).replaceAll('\n', '\n    ')}`,
  );
  return `{\n  "sequences": {\n${entries.join(',\n')}\n  }\n}\n`;
}

interface ResultFields {
  annotation_data?: { frames?: { _id?: unknown }[] };
  sensor_data?: {
    frames?: { frame_id?: unknown; ego_pose?: Pose }[];
    sensor_meta?: { id?: unknown; modality?: unknown }[];
  };
}

function frameOrder(result: ResultFields): string[] {
  const listed = result.annotation_data?.frames?.map((frame) => frame?._id);
  const frames = Array.isArray(listed) ? listed : (result.sensor_data?.frames ?? []).map((frame) => frame?.frame_id);
  return [...new Set(frames.map((id) => String(id)))];
}

function posesOf(result: ResultFields): Map<string, Pose | undefined> {
  const frames = Array.isArray(result.sensor_data?.frames) ? result.sensor_data!.frames! : [];
  return new Map(frames.map((frame) => [String(frame?.frame_id), frame?.ego_pose]));
}

/** The job's lidars that have masks: in sensor_meta order, then any others in index order. */
function sensorOrder(result: ResultFields, lines: readonly IndexLine[]): string[] {
  const withMasks = [...new Set(lines.map((line) => String(line.sensor_id)))];
  const meta = (result.sensor_data?.sensor_meta ?? []).map((sensor) => String(sensor?.id));
  return [...meta.filter((id) => withMasks.includes(id)), ...withMasks.filter((id) => !meta.includes(id))].filter(
    (id, i, all) => all.indexOf(id) === i,
  );
}

/** The ego pose as KITTI writes one: the 3x4 matrix [R | t], row-major, from the (normalised) quaternion. */
export function poseLine(pose: Pose | undefined, where: string): string {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN);
  let [w, x, y, z] = ['w', 'x', 'y', 'z'].map((axis) => number(pose?.heading?.[axis as 'w']));
  const [tx, ty, tz] = ['x', 'y', 'z'].map((axis) => number(pose?.position?.[axis as 'x']));
  const norm = Math.hypot(w!, x!, y!, z!);
  if (![norm, tx, ty, tz].every(Number.isFinite) || norm === 0) {
    throw new DatasetError('NO_POSE', `${where} has no ego_pose with a heading and a position`);
  }
  [w, x, y, z] = [w! / norm, x! / norm, y! / norm, z! / norm];
  const matrix = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), tx!],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), ty!],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y), tz!],
  ];
  return matrix.flat().map(kittiNumber).join(' ');
}

function kittiNumber(value: number): string {
  return (value === 0 ? 0 : value).toExponential(9);
}

// The points are in the lidar's own frame: projections and velodyne-to-camera transform are identities.
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0].map(kittiNumber).join(' ');
const CALIB = ['P0', 'P1', 'P2', 'P3', 'Tr'].map((name) => `${name}: ${IDENTITY}\n`).join('');

/** semantic-kitti.yaml: labels, color_map (BGR), content, learning maps (ids to 0..n-1 and back), split. */
export function semanticKittiYaml(table: readonly ClassEntry[], summary: ExportSummary, sequences: string[]): string {
  const ids = table.map((entry) => entry.id).sort((a, b) => a - b);
  const total = summary.points || 1;
  const points = new Map((summary.classes ?? []).map((count) => [count.id, count.points]));
  const out: string[] = [
    '# SemanticKITTI configuration of a playment-masks export',
    'name: "playment-masks"',
    'labels:',
  ];
  for (const entry of table) out.push(`  ${entry.id}: ${JSON.stringify(entry.name)}`);
  out.push('color_map: # bgr');
  for (const entry of table) out.push(`  ${entry.id}: [${bgrOf(entry).join(', ')}]`);
  out.push('content: # as a ratio with the total number of points');
  for (const entry of table) out.push(`  ${entry.id}: ${(points.get(entry.id) ?? 0) / total}`);
  out.push(
    '# classes that are indistinguishable from single scan or inconsistent in',
    '# ground truth are mapped to their closest equivalent',
    'learning_map:',
  );
  ids.forEach((id, index) => out.push(`  ${id}: ${index}`));
  out.push('learning_map_inv: # inverse of previous map');
  ids.forEach((id, index) => out.push(`  ${index}: ${id}`));
  out.push('learning_ignore: # Ignore classes');
  ids.forEach((id, index) => out.push(`  ${index}: ${id === 0 ? 'True' : 'False'}`));
  out.push('split: # sequence numbers', `  train: [${sequences.map(Number).join(', ')}]`, '  valid: []', '  test: []');
  return `${out.join('\n')}\n`;
}

function bgrOf(entry: ClassEntry): number[] {
  if (entry.id === 0) return [0, 0, 0];
  if (entry.color !== undefined) {
    const rgb = [1, 3, 5].map((at) => Number.parseInt(entry.color!.slice(at, at + 2), 16));
    return [rgb[2]!, rgb[1]!, rgb[0]!];
  }
  // A class without a colour gets a fixed one from its id.
  const hash = Math.imul(entry.id, 0x9e3779b1) >>> 0;
  return [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff];
}

async function prepareOut(out: string): Promise<void> {
  const names = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  if (names.length > 0 && !names.includes(SEQUENCES_NAME)) {
    throw new DatasetError('OUT_NOT_EMPTY', `${out} is neither empty nor a tree this command built`);
  }
  for (const name of ['sequences', YAML_NAME, SEQUENCES_NAME])
    await rm(join(out, name), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
}

async function linkFile(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    await symlink(source, target);
  }
}

async function writeText(dir: string, name: string, text: string): Promise<void> {
  await writeFileAtomic(dir, name, [Buffer.from(text, 'utf8')]);
}

async function readJson<T>(path: string, code: ErrorCodeOf<'DatasetError'>): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new DatasetError(code, `cannot read ${path}: ${reasonOf(error)}`);
  }
}
