// A frame's points in nuScenes' layout as the WebAssembly core makes them, against the rule written out here: a point
// is kept when its x, y and z are finite (whatever its intensity), as x y z intensity (0 without) and ring 0, with its
// class's category index and category index * 1000 + instance id. Frames are read into the core's memory through
// the FrameBuffers it hands out, as the export reader does.
import { describe, expect, it } from 'vitest';
import type { ExportTree, FrameData } from '../src/dataset/export-reader.js';
import { NuScenesPointsCore } from '../src/dataset/nuscenes-points.js';
import type { IndexLine } from '../src/export/records.js';

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Points with a non-finite x, y or z (each kind, each axis) among finite ones; some intensities NaN. */
function cloudOf(points: number, stride: 3 | 4): Float32Array {
  const values = new Float32Array(points * stride);
  for (let i = 0; i < points; i++) {
    for (let axis = 0; axis < stride; axis++) values[i * stride + axis] = (i * 7 + axis * 3) / 8 - 40;
    if (i % 5 === 1) values[i * stride + ((i >> 1) % 3)] = SPECIALS[i % 3]!;
    if (stride === 4 && i % 7 === 3) values[i * stride + 3] = Number.NaN;
  }
  return values;
}

function expected(
  values: Float32Array,
  stride: number,
  labels: Uint16Array,
  instances: Uint16Array | undefined,
  table: Uint8Array,
) {
  const cloud: number[] = [];
  const lidarseg: number[] = [];
  const panoptic: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const [x, y, z] = values.subarray(i * stride, i * stride + 3);
    if (![x, y, z].every(Number.isFinite)) continue;
    cloud.push(x!, y!, z!, stride === 4 ? values[i * stride + 3]! : 0, 0);
    lidarseg.push(table[labels[i]!]!);
    if (instances) panoptic.push(table[labels[i]!]! * 1000 + instances[i]!);
  }
  return { cloud: new Float32Array(cloud), lidarseg: Uint8Array.from(lidarseg), panoptic: Uint16Array.from(panoptic) };
}

function treeOf(format: 'kitti' | 'npy', points: number[]): { tree: ExportTree; lines: IndexLine[] } {
  const lines = points.map((count) => ({ points: count }) as IndexLine);
  const tree = { from: '', summary: { format, instances: true }, table: [], lines } as unknown as ExportTree;
  return { tree, lines };
}

// Category indices up to 60: category index * 1000 + instance id stays within uint16, as the builder checks.
const table = new Uint8Array(0x10000).map((_, id) => (id * 37) % 61);

describe('nuScenes points in the WebAssembly core', () => {
  it('kitti: class and instance ids taken from the label words, intensity kept, non-finite points left out', () => {
    const core = new NuScenesPointsCore();
    const counts = [1001, 333];
    const { tree, lines } = treeOf('kitti', counts);
    core.startRun(tree, lines, table);
    for (const [turn, points] of counts.entries()) {
      const values = cloudOf(points, 4);
      const labels = Uint16Array.from({ length: points }, (_, i) => (i * 613) % 0x10000);
      const instances = Uint16Array.from({ length: points }, (_, i) => (i * 3) % 1000);
      const bytes = core.take('labels', turn, points * 4 + 1).subarray(0, points * 4);
      new Uint32Array(bytes.buffer, bytes.byteOffset, points).set(
        Array.from(labels, (id, i) => id + instances[i]! * 0x10000),
      );
      const pointBytes = core.take('points', turn, points * 16 + 1);
      const floats = new Float32Array(pointBytes.buffer, pointBytes.byteOffset, points * 4);
      floats.set(values);
      const idWords = { bytes, layout: { stride: 4, classOffset: 0, instanceOffset: 2 } };
      const frame = { points, labels: new Uint16Array(0), instances: undefined, idWords, values: floats, stride: 4 };
      const made = core.convert(frame, turn);
      const want = expected(values, 4, labels, instances, table);
      expect(made.kept).toBe(want.lidarseg.length);
      expect(made.kept).toBeLessThan(points);
      expect(new Float32Array(made.cloud.slice().buffer)).toEqual(want.cloud);
      expect(made.lidarseg).toEqual(want.lidarseg);
      expect(new Uint16Array(made.panoptic!.slice().buffer)).toEqual(want.panoptic);
    }
  });

  it('npy: decoded ids, no intensity (0), no instances (no panoptic labels), each frame read while the one before is converted', () => {
    const core = new NuScenesPointsCore();
    const counts = [257, 64, 3];
    const { tree, lines } = treeOf('npy', counts);
    core.startRun(tree, lines, table);
    const read = (turn: number) => {
      const points = counts[turn]!;
      const values = cloudOf(points, 3);
      const labels = core.values('labels', turn, points);
      labels.set(Uint16Array.from({ length: points }, (_, i) => (i * 4099 + turn) % 0x10000));
      const pointBytes = core.take('points', turn, points * 12 + 1);
      const floats = new Float32Array(pointBytes.buffer, pointBytes.byteOffset, points * 3);
      floats.set(values);
      const frame: FrameData = { points, labels, instances: undefined, values: floats, stride: 3 };
      return { frame, want: expected(values, 3, labels.slice(), undefined, table) };
    };
    let next = read(0);
    for (let turn = 0; turn < counts.length; turn++) {
      const { frame, want } = next;
      if (turn + 1 < counts.length) next = read(turn + 1);
      const made = core.convert(frame, turn);
      expect(made.kept).toBe(want.lidarseg.length);
      expect(new Float32Array(made.cloud.slice().buffer)).toEqual(want.cloud);
      expect(made.lidarseg).toEqual(want.lidarseg);
      expect(made.panoptic).toBeUndefined();
    }
  });
});
