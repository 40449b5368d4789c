// Finding the fields a consumer needs by name, whatever the writer's letter case (PDAL writes `X Y Z Intensity`).
import { LabelJoinError } from './join-error.js';
import type { PcdFieldArray } from './layout.js';
import type { PointCloud } from './read.js';

export const POSITION_NAMES = ['x', 'y', 'z'] as const;
/** The spellings of a lidar return's strength, in order of preference: PCL, KITTI's `i`, and others' words. */
export const INTENSITY_NAMES: readonly string[] = Object.freeze(['intensity', 'i', 'reflectance', 'remission']);

/**
 * The name under which `pcd` holds a field called `name`, compared without letter case; a field spelt exactly so
 * wins over one that differs only in case. undefined when there is none.
 */
export function fieldName(pcd: PointCloud, name: string): string | undefined {
  if (name in pcd.fields) return name;
  const lower = name.toLowerCase();
  return Object.keys(pcd.fields).find((candidate) => candidate.toLowerCase() === lower);
}

/** The x, y and z arrays and their names. Throws LabelJoinError `MISSING_POSITION_FIELD` unless each has one value a point. */
export function positionFields(pcd: PointCloud): { names: string[]; arrays: PcdFieldArray[] } {
  const names = POSITION_NAMES.map((name) => {
    const found = fieldName(pcd, name);
    if (found === undefined || pcd.fields[found]!.length !== pcd.pointCount) {
      throw new LabelJoinError('MISSING_POSITION_FIELD', `the point cloud has no single-element field ${name}`);
    }
    return found;
  });
  return { names, arrays: names.map((name) => pcd.fields[name]!) };
}

/**
 * The intensity array: the first of INTENSITY_NAMES the cloud has (any case), undefined when it has none. Throws
 * LabelJoinError `INVALID_INTENSITY_FIELD` when that field holds more than one value a point.
 */
export function intensityField(pcd: PointCloud): PcdFieldArray | undefined {
  for (const spelling of INTENSITY_NAMES) {
    const found = fieldName(pcd, spelling);
    if (found === undefined) continue;
    const array = pcd.fields[found]!;
    if (array.length !== pcd.pointCount) {
      throw new LabelJoinError(
        'INVALID_INTENSITY_FIELD',
        `the point cloud's ${found} field has more than one value a point`,
      );
    }
    return array;
  }
  return undefined;
}

/** Writes `column[i]` (as float32) to `target[i * stride + offset]` for every point; 64-bit integers included. */
export function copyColumn(column: PcdFieldArray, target: Float32Array, stride: number, offset: number): void {
  const n = column.length;
  if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) target[i * stride + offset] = Number(column[i]!);
  } else {
    for (let i = 0; i < n; i++) target[i * stride + offset] = column[i]!;
  }
}
