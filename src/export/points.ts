// --with-points: the lidar point cloud of each mask's frame, fetched through the attachment endpoint, checked against
// the mask (same number of points, or the mask fails), and written next to the labels.
import { stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { ResultObject } from '../api/index.js';
import { PlaymentMasksError } from '../errors.js';
import { LabelJoinError } from '../pcd/join-error.js';
import type { PcdFieldArray } from '../pcd/layout.js';
import { parsePcdHeader } from '../pcd/header.js';
import { readPcd, type PointCloud } from '../pcd/read.js';
import { npyHeader, type ExportFormat } from './formats.js';
import type { IndexLine } from './records.js';

// npy: float32 (N, 3); bin: raw float32 x y z; kitti: the velodyne .bin layout, float32 x y z intensity.
const EXTENSIONS: Record<ExportFormat, string> = { npy: '.points.npy', bin: '.points.bin', kitti: '.bin' };
const VALUES_PER_POINT: Record<ExportFormat, number> = { npy: 3, bin: 3, kitti: 4 };
const FLOAT32_BYTES = 4;
const LITTLE_ENDIAN = endianness() === 'LE';

/** The extension of the points file written next to a label file in `format`, with its dot. */
export function pointsExtensionOf(format: ExportFormat): string {
  return EXTENSIONS[format];
}

/** The size in bytes of the points file `encodePoints` produces for `points` points. */
export function pointsFileSize(points: number, format: ExportFormat): number {
  const data = points * VALUES_PER_POINT[format] * FLOAT32_BYTES;
  return format === 'npy' ? npyHeader(points, '<f4', 3).length + data : data;
}

/**
 * The private URL of the point cloud `sensorId` recorded for `frameId`: `sensor_data.frames[].sensors[].data_url`.
 * Throws PlaymentMasksError `NO_POINT_CLOUD` when the result object does not name one.
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
    throw new PlaymentMasksError(
      'NO_POINT_CLOUD',
      `frame ${frameId} has no point cloud (data_url) for sensor ${sensorId}`,
    );
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

/**
 * Reads a PCD file and returns the points file for `format`. Throws PcdParseError for a broken PCD, LabelJoinError
 * `POINT_COUNT_MISMATCH` unless it has exactly `maskPoints` points (`where` names the mask in the message).
 */
export function pointsFile(
  pcdBytes: Uint8Array,
  maskPoints: number,
  format: ExportFormat,
  where: string,
): Uint8Array[] {
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

/** The points file for `format`, as chunks to write one after the other. */
export function encodePoints(pcd: PointCloud, format: ExportFormat): Uint8Array[] {
  const columns: (PcdFieldArray | undefined)[] = ['x', 'y', 'z'].map((name) => single(pcd, name, true));
  // KITTI's reflectance: the cloud's intensity where it has one, 0 otherwise.
  if (format === 'kitti') columns.push(single(pcd, 'intensity', false));
  const n = pcd.pointCount;
  const stride = columns.length;
  const values = new Float32Array(n * stride);
  columns.forEach((column, c) => {
    if (column) for (let i = 0; i < n; i++) values[i * stride + c] = column[i]!;
  });
  const bytes = LITTLE_ENDIAN ? new Uint8Array(values.buffer) : littleEndian(values);
  return format === 'npy' ? [npyHeader(n, '<f4', 3), bytes] : [bytes];
}

function single(pcd: PointCloud, name: string, required: boolean): PcdFieldArray | undefined {
  const array = pcd.fields[name];
  if (array && array.length === pcd.pointCount) return array;
  if (!required) return undefined;
  throw new LabelJoinError('MISSING_POSITION_FIELD', `the point cloud has no single-element field ${name}`);
}

function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * FLOAT32_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * FLOAT32_BYTES, values[i]!, true);
  return bytes;
}
