// --with-points: the lidar point cloud of each mask's frame, fetched through the attachment endpoint, checked against
// the mask (same number of points, or the mask fails), and written next to the labels in the format's points layout;
// a format may leave out points without a finite x, y and z (an organized cloud's missing returns), and their labels.
import { copyColumn, intensityField, positionFields } from '../pcd/fields.js';
import { LabelJoinError } from '../pcd/join-error.js';
import { parsePcdHeader } from '../pcd/header.js';
import { readPcd, type PointCloud } from '../pcd/read.js';
import { type ExportFormat, FORMATS } from '../formats/index.js';
import { float32LE } from '../formats/little-endian.js';

const FLOAT32_BYTES = 4;

/** The size in bytes of the points file `encodePoints` produces for `points` points. */
export function pointsFileSize(points: number, format: ExportFormat): number {
  const layout = FORMATS[format].points;
  const header = layout.header(points).reduce((sum, chunk) => sum + chunk.length, 0);
  return header + points * layout.valuesPerPoint * FLOAT32_BYTES;
}

/** Where a mask's points come from and go to, for --with-points. */
export interface PointsTarget {
  url: string;
  name: string;
}

/** The points file's name next to the label file `labelName` (which ends in the label extension of `format`). */
export function pointsFileName(labelName: string, format: ExportFormat): string {
  return labelName.slice(0, labelName.lastIndexOf('.')) + FORMATS[format].points.extension;
}

/** A points file, and which of the cloud's points it holds. */
export interface PointsFile {
  /** The file, as chunks to write one after the other. */
  chunks: Uint8Array[];
  /** The indices of the points written (ascending) when the format left some out; undefined when all are written. */
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

/**
 * The points file for `format`. x, y, z and intensity are found in any letter case, intensity under any of
 * INTENSITY_NAMES (KITTI's reflectance: 0 where the cloud has none).
 */
export function encodePoints(pcd: PointCloud, format: ExportFormat): PointsFile {
  const layout = FORMATS[format].points;
  const columns = positionFields(pcd).arrays;
  const stride = layout.valuesPerPoint;
  const intensity = stride === 4 ? intensityField(pcd) : undefined;
  if (intensity) columns.push(intensity);
  const n = pcd.pointCount;
  let values: Float32Array = new Float32Array(n * stride);
  columns.forEach((column, c) => copyColumn(column, values, stride, c));
  const kept = layout.dropsNonFinite ? finitePoints(values, n, stride) : undefined;
  if (kept) values = compact(values, kept, stride);
  return { chunks: [...layout.header(kept ? kept.length : n), float32LE(values)], kept };
}

/** The points whose x, y and z (the first three of each `stride`) are finite, or undefined when all are. */
function finitePoints(values: Float32Array, n: number, stride: number): Uint32Array | undefined {
  let finite = 0;
  const kept = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i * stride;
    if (Number.isFinite(values[j]! + values[j + 1]! + values[j + 2]!)) kept[finite++] = i;
  }
  return finite === n ? undefined : kept.slice(0, finite);
}

function compact(values: Float32Array, kept: Uint32Array, stride: number): Float32Array {
  const out = new Float32Array(kept.length * stride);
  kept.forEach((point, k) => out.set(values.subarray(point * stride, point * stride + stride), k * stride));
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
