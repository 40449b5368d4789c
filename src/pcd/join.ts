// Labels joined to points: label i belongs to point i of the frame's point cloud, which only holds if the counts match.
import { InvalidArgumentError } from '../errors.js';
import type { DecodedMask } from '../decode/types.js';
import { LabelJoinError } from './join-error.js';
import { copyColumn, positionFields } from './fields.js';
import type { PcdFieldArray } from './layout.js';
import type { PointCloud } from './read.js';

export interface LabelledPoints {
  pointCount: number;
  /** x, y, z of point i at 3i, 3i + 1, 3i + 2 (float32 whatever the PCD's type; names in any letter case). */
  positions: Float32Array;
  /** `labels[i]` is the label key of point i. */
  labels: Uint16Array;
  /** `histogram[k]` counts the points labelled k. */
  histogram: Uint32Array;
  /** The cloud's other fields (intensity, ring, ...), the same arrays as in the PointCloud. */
  fields: Record<string, PcdFieldArray>;
}

/**
 * Joins a decoded mask to its frame's point cloud, checking that they have the same number of points.
 * Throws LabelJoinError `POINT_COUNT_MISMATCH` when they do not, `MISSING_POSITION_FIELD` without x, y and z.
 */
export function labelPoints(pcd: PointCloud, mask: DecodedMask): LabelledPoints {
  if (mask.pointCount !== pcd.pointCount) {
    throw new LabelJoinError(
      'POINT_COUNT_MISMATCH',
      `the mask has ${mask.pointCount} labels, the point cloud ${pcd.pointCount} points`,
    );
  }
  const position = positionFields(pcd);
  const positions = new Float32Array(pcd.pointCount * 3);
  position.arrays.forEach((array, c) => copyColumn(array, positions, 3, c));
  const fields: Record<string, PcdFieldArray> = Object.create(null);
  for (const [name, array] of Object.entries(pcd.fields)) {
    if (!position.names.includes(name)) fields[name] = array;
  }
  return { pointCount: pcd.pointCount, positions, labels: mask.labels, histogram: mask.histogram, fields };
}

interface LabelIndex {
  /** Points of label k are order[starts[k]] .. order[starts[k + 1] - 1], in point order. */
  starts: Uint32Array;
  order: Uint32Array;
}

const indexes = new WeakMap<LabelledPoints, LabelIndex>();

/**
 * Indices of the points labelled `key`, ascending. The first call builds an index of every class at once (a counting
 * sort over the histogram, one pass over the labels); later calls are a lookup.
 */
export function pointsOfLabel(joined: LabelledPoints, key: number): Uint32Array {
  if (!Number.isInteger(key) || key < 0) throw new InvalidArgumentError('key must be a non-negative integer');
  let index = indexes.get(joined);
  if (!index) {
    index = buildIndex(joined.labels, joined.histogram);
    indexes.set(joined, index);
  }
  if (key >= joined.histogram.length) return index.order.subarray(0, 0);
  return index.order.subarray(index.starts[key]!, index.starts[key + 1]!);
}

function buildIndex(labels: Uint16Array, histogram: Uint32Array): LabelIndex {
  const starts = new Uint32Array(histogram.length + 1);
  for (let k = 0; k < histogram.length; k++) starts[k + 1] = starts[k]! + histogram[k]!;
  if (starts[histogram.length] !== labels.length) {
    throw new InvalidArgumentError(
      'the histogram does not count the labels: pass a DecodedMask as decodeMask returns it',
    );
  }
  const next = starts.slice(0, histogram.length);
  const order = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const slot = next[label]!;
    if (label >= histogram.length || slot >= starts[label + 1]!) {
      throw new InvalidArgumentError(
        'the histogram does not count the labels: pass a DecodedMask as decodeMask returns it',
      );
    }
    order[slot] = i;
    next[label] = slot + 1;
  }
  return { starts, order };
}
