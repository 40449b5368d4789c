// --with-points: the lidar point cloud of each mask's frame, fetched through the attachment endpoint, checked against
// the mask (same number of points, or the mask fails), and written next to the labels. In the kitti layout points
// without a finite x, y and z (an organized cloud's missing returns) are left out, and so are their labels.
import { stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { ResultObject } from '../api/index.js';
import { ExportError } from './export-error.js';
import { copyColumn, intensityField, positionFields } from '../pcd/fields.js';
import { LabelJoinError } from '../pcd/join-error.js';
import { parsePcdHeader } from '../pcd/header.js';
import { readPcd, type PointCloud } from '../pcd/read.js';
import { npyHeader, type ExportFormat } from './formats.js';
import type { IndexLine } from './records.js';

// npy: float32 (N, 3); bin: raw float32 x y z; kitti: the velodyne .bin layout, float32 x y z intensity.
const EXTENSIONS: Record<ExportFormat, string> = { npy: '.points.npy', bin: '.points.bin', kitti: '.bin' };
const VALUES_PER_POINT: Record<ExportFormat, number> = { npy: 3, bin: 3, kitti: 4 };
const FLOAT32_BYTES = 4;
const LITTLE_ENDIAN = endianness() === 'LE';

/** The size in bytes of the points file `encodePoints` produces for `points` points. */
export function pointsFileSize(points: number, format: ExportFormat): number {
  const data = points * VALUES_PER_POINT[format] * FLOAT32_BYTES;
  return format === 'npy' ? npyHeader(points, '<f4', 3).length + data : data;
}

/**
 * The private URL of the point cloud `sensorId` recorded for `frameId`: `sensor_data.frames[].sensors[].data_url`.
 * Throws ExportError `NO_POINT_CLOUD` when the result object does not name one.
 */
export function pointCloudUrlOf(result: ResultObject, frameId: string, sensorId: string): string {
  const frames = result.sensor_data?.frames;
  const frame = Array.isArray(frames) ? frames.find((candidate) => String(candidate?.frame_id) === frameId) : undefined;
  const sensors = frame?.sensors;
  const sensor = Array.isArray(sensors)
    ? sensors.find((candidate) => String(candidate?.sensor_id) === sensorId)
    : undefined;
  const url = sensor?.data_url;
  if (typeof url !== 'string' || url === '') {
    throw new ExportError('NO_POINT_CLOUD', `frame ${frameId} has no point cloud (data_url) for sensor ${sensorId}`);
  }
  return url;
}

/** Where a mask's points come from and go to, for --with-points. */
export interface PointsTarget {
  url: string;
  name: string;
}

/** The point cloud URL and points file name of a mask whose labels go to `labelName`. */
export function pointsTargetOf(
  result: ResultObject,
  frameId: string,
  sensorId: string,
  labelName: string,
  format: ExportFormat,
): PointsTarget {
  return { url: pointCloudUrlOf(result, frameId, sensorId), name: pointsFileName(labelName, format) };
}

/** The points file's name next to the label file `labelName` (which ends in the label extension of `format`). */
export function pointsFileName(labelName: string, format: ExportFormat): string {
  return labelName.slice(0, labelName.lastIndexOf('.')) + EXTENSIONS[format];
}

/** A points file, and which of the cloud's points it holds. */
export interface PointsFile {
  /** The file, as chunks to write one after the other. */
  chunks: Uint8Array[];
  /** kitti: the indices of the points written (ascending) when some were left out; undefined when all are written. */
  kept: Uint32Array | undefined;
}

/**
 * Reads a PCD file and returns the points file for `format`. Throws PcdParseError for a broken PCD, LabelJoinError
 * `POINT_COUNT_MISMATCH` unless it has exactly `maskPoints` points (`where` names the mask in the message).
 */
export function pointsFile(pcdBytes: Uint8Array, maskPoints: number, format: ExportFormat, where: string): PointsFile {
  // From the header, before any data is parsed or decompressed: a small file may claim (and LZF-expand to) a GiB.
  const { points } = parsePcdHeader(pcdBytes);
  if (points !== maskPoints) {
    throw new LabelJoinError(
      'POINT_COUNT_MISMATCH',
      `${where}: the mask has ${maskPoints} labels, the point cloud ${points} points`,
    );
  }
  return encodePoints(readPcd(pcdBytes), format);
}

/** Whether every line of a job's fragment names its points file, in the job's folder, with the size it must have. */
export async function pointsFilesComplete(
  outDir: string,
  jobPath: string,
  lines: readonly IndexLine[],
  format: ExportFormat,
): Promise<boolean> {
  for (const { points_file: file, points } of lines) {
    if (typeof file !== 'string' || !file.startsWith(`${jobPath}/`) || !file.endsWith(EXTENSIONS[format])) return false;
    if (file.indexOf('/', jobPath.length + 1) !== -1) return false;
    const size = await stat(join(outDir, file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== pointsFileSize(points, format)) return false;
  }
  return true;
}

/**
 * The points file for `format`. x, y, z and intensity are found in any letter case, intensity under any of
 * INTENSITY_NAMES (KITTI's reflectance: 0 where the cloud has none).
 */
export function encodePoints(pcd: PointCloud, format: ExportFormat): PointsFile {
  const columns = positionFields(pcd).arrays;
  const kitti = format === 'kitti';
  const intensity = kitti ? intensityField(pcd) : undefined;
  if (intensity) columns.push(intensity);
  const n = pcd.pointCount;
  const stride = kitti ? 4 : 3;
  let values: Float32Array = new Float32Array(n * stride);
  columns.forEach((column, c) => copyColumn(column, values, stride, c));
  const kept = kitti ? finitePoints(values, n) : undefined;
  if (kept) values = compact(values, kept);
  const bytes = LITTLE_ENDIAN ? new Uint8Array(values.buffer) : littleEndian(values);
  return { chunks: format === 'npy' ? [npyHeader(n, '<f4', 3), bytes] : [bytes], kept };
}

/** The points whose x, y and z (the first three of each 4) are finite, or undefined when all are. */
function finitePoints(values: Float32Array, n: number): Uint32Array | undefined {
  let finite = 0;
  const kept = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i * 4;
    if (Number.isFinite(values[j]! + values[j + 1]! + values[j + 2]!)) kept[finite++] = i;
  }
  return finite === n ? undefined : kept.slice(0, finite);
}

function compact(values: Float32Array, kept: Uint32Array): Float32Array {
  const out = new Float32Array(kept.length * 4);
  kept.forEach((point, k) => out.set(values.subarray(point * 4, point * 4 + 4), k * 4));
  return out;
}

/** The values of the `kept` points (labels, class or instance ids), in order. */
export function pickPoints(values: Uint16Array, kept: Uint32Array): Uint16Array {
  const out = new Uint16Array(kept.length);
  kept.forEach((point, k) => {
    out[k] = values[point]!;
  });
  return out;
}

/** `histogram[k]` counts the labels k; its length is the largest label + 1 (as decodeMask gives it). */
export function histogramOf(labels: Uint16Array): Uint32Array {
  const histogram = new Uint32Array(labels.reduce((max, label) => Math.max(max, label), -1) + 1);
  for (const label of labels) histogram[label]!++;
  return histogram;
}

function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * FLOAT32_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * FLOAT32_BYTES, values[i]!, true);
  return bytes;
}
