// `playment-masks dataset semantickitti`: the SemanticKITTI layout built from a finished export (format kitti, with
// points), without copying: sequences/NN/{velodyne/FFFFFF.bin, labels/FFFFFF.label} are hard links to the export's
// files (symbolic links across file systems), next to poses.txt, calib.txt, semantic-kitti.yaml and sequences.json.
// One sequence per job and lidar sensor, in the index's job order; frames in the order of the result's frames[].
// Frames: calib.txt's Tr (velodyne to camera) and projections are identities, so the camera frame of poses.txt is
// the lidar's own; poses.txt line i is that lidar's pose at scan i in the result's world frame: its `sensor_pose`
// where the result gives one, else the frame's `ego_pose`. A legacy result's mask holds world coordinates already:
// its pose is the identity.
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClassEntry } from '../export/classes.js';
import type { ExportSummary } from '../export/records.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { rgbOf } from './class-colors.js';
import { DatasetError } from './dataset-error.js';
import { type Pose, poseOf, readExport, sequencesOf } from './export-reader.js';
import { DATASET_OPTIONS } from './option-table.js';
import { linkFile, prepareOut, writeText } from './out-folder.js';

export type SemanticKittiOptions = OptionValues<typeof DATASET_OPTIONS>;

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

/** The package's buildSemanticKitti() (documented in entries.ts, which loads this module on its first call). */
export async function buildSemanticKitti(
  options: SemanticKittiOptions,
): Promise<Record<string, SemanticKittiSequence>> {
  resolveOptions(DATASET_OPTIONS, options);
  const out = resolve(options.out);
  const tree = await readExport(options.from, { formats: ['kitti'], points: true });
  const { from, summary, table } = tree;
  const all = await sequencesOf(tree);
  await prepareOut(out, SEQUENCES_NAME, ['sequences', YAML_NAME, SEQUENCES_NAME]);

  const sequences: Record<string, SemanticKittiSequence> = {};
  const digits = Math.max(2, String(all.length - 1).length);
  for (const { jobId, sensorId, frames: sequenceFrames } of all) {
    const number = String(Object.keys(sequences).length).padStart(digits, '0');
    const dir = join(out, 'sequences', number);
    await mkdir(join(dir, 'velodyne'), { recursive: true });
    await mkdir(join(dir, 'labels'), { recursive: true });
    const frames: string[] = [];
    const poseLines: string[] = [];
    for (const { frameId, line, egoPose, sensorPose } of sequenceFrames) {
      // The files themselves say how many points they hold (kitti drops non-finite points from both).
      const points = await stat(join(from, line.points_file!));
      const labels = await stat(join(from, line.file));
      if (
        points.size % POINT_BYTES !== 0 ||
        labels.size % LABEL_BYTES !== 0 ||
        points.size / POINT_BYTES !== labels.size / LABEL_BYTES
      ) {
        throw new DatasetError('MISALIGNED', `${line.file} and ${line.points_file} do not hold the same points`);
      }
      const name = String(frames.length).padStart(6, '0');
      await linkFile(join(from, line.points_file!), join(dir, 'velodyne', `${name}.bin`));
      await linkFile(join(from, line.file), join(dir, 'labels', `${name}.label`));
      frames.push(frameId);
      poseLines.push(poseLine(sensorPose ?? egoPose, `job ${jobId} frame ${frameId}`));
    }
    await writeText(dir, 'poses.txt', poseLines.map((line) => `${line}\n`).join(''));
    await writeText(dir, 'calib.txt', CALIB);
    sequences[number] = { job_id: jobId, sensor_id: sensorId, frames };
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

/** A lidar pose as KITTI writes one: the 3x4 matrix [R | t], row-major, from the (normalised) quaternion. */
export function poseLine(pose: Pose | undefined, where: string): string {
  const unit = poseOf(pose);
  if (!unit) {
    throw new DatasetError('NO_POSE', `${where} has no sensor_pose nor ego_pose with a heading and a position`);
  }
  const [w, x, y, z] = unit.rotation as [number, number, number, number];
  const [tx, ty, tz] = unit.translation as [number, number, number];
  const matrix = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), tx],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), ty],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y), tz],
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
  for (const entry of table) out.push(`  ${entry.id}: [${rgbOf(entry).reverse().join(', ')}]`);
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
