// A run of consecutive frames of `dataset nuscenes`, converted where it runs (a thread, see threads.ts): each frame's
// files read from the export, its points rearranged into nuScenes' layout with their lidarseg and panoptic labels,
// and its three files written whole under their final names. One frame is read ahead and one written behind while a
// frame is converted: the disk and the CPU work at the same time, and memory holds three frames.
import { basename, dirname, join } from 'node:path';
import type { IndexLine } from '../export/records.js';
import { writeFileAtomic } from '../export/files.js';
import { type ExportTree, type FrameData, handled, LITTLE_ENDIAN, ReadBuffers, readFrames } from './export-reader.js';
import { NpzWriter } from './npz.js';

/** A frame and the tree's files it becomes (relative to the tree's folder). */
export interface NuScenesFrameFiles {
  line: IndexLine;
  cloud: string;
  lidarseg: string;
  panoptic: string;
}

/** What a thread needs to convert a run of frames (structured-cloneable). */
export interface NuScenesFramesTask {
  /** The frames, for messages. */
  name: string;
  /** The export (its `lines` need not be given: the frames name theirs). */
  tree: ExportTree;
  /** The tree's folder. */
  out: string;
  frames: NuScenesFrameFiles[];
  /** The category index of each class id (0x10000 entries). */
  indexOfClass: Uint8Array;
}

export interface NuScenesFrameResult {
  /** Points written: those with a finite x, y and z. */
  kept: number;
  /** Whether a panoptic file was written (the export has instance ids for the frame). */
  panoptic: boolean;
}

const VALUES_PER_POINT = 5; // float32 x y z intensity ring
const NO_SYNC = { sync: false };
const EXPONENT = 0x7f800000; // a float32's exponent bits: all set for an infinity or a NaN

/** Converts and writes the frames; resolves to each one's result. */
export async function writeNuScenesFrames(task: NuScenesFramesTask): Promise<NuScenesFrameResult[]> {
  const frameData = readFrames(
    task.tree,
    task.frames.map((frame) => frame.line),
    readBuffers,
  );
  const results: NuScenesFrameResult[] = [];
  let writing: Promise<unknown> = Promise.resolve();
  const write = (path: string, chunks: Uint8Array[]) =>
    writeFileAtomic(join(task.out, dirname(path)), basename(path), chunks, NO_SYNC);
  try {
    for (const [f, files] of task.frames.entries()) {
      const frame = (await frameData.next()).value as FrameData;
      const { cloud, lidarseg, panopticLabels, kept } = nuScenesPoints(frame, task.indexOfClass, buffers[f % 2]!);
      const npz = panopticLabels && (await npzWriter.uint16('data', panopticLabels));
      await writing;
      // Without fsync: the tree is rebuilt from the export, a crash costs nothing but the work (scenes.json, the
      // marker of a complete tree, is written last and flushed).
      writing = handled(
        Promise.all([
          write(files.cloud, [cloud]),
          write(files.lidarseg, [lidarseg]),
          npz && write(files.panoptic, npz),
        ]),
      );
      results.push({ kept, panoptic: npz !== undefined });
    }
    await writing;
  } finally {
    // On an error, the files in flight end (whole under their names, or removed) before it is thrown, and the frame
    // read ahead before the thread's buffers go to its next task.
    await writing.catch(() => {});
    await frameData.return(undefined);
  }
  return results;
}

/**
 * The .pcd.bin (float32 x y z intensity ring; intensity 0 unless the export is kitti, ring 0: the export keeps no
 * ring), the uint8 lidarseg labels and the uint16 panoptic labels of the points with a finite x, y and z: points
 * without one are left out of all three, so that the files stay aligned (the export's kitti format does the same).
 */
function nuScenesPoints(
  frame: FrameData,
  indexOfClass: Uint8Array,
  buffers: PointBuffers,
): { cloud: Uint8Array; lidarseg: Uint8Array; panopticLabels: Uint16Array | undefined; kept: number } {
  const { labels, instances, values, stride } = frame;
  const { cloud, lidarseg, panoptic } = buffers.fit(labels.length);
  // The float32s as their bits: copied without a conversion to and from float64, and tested for finiteness by
  // their exponent (the bits are the same either way).
  const words = new Int32Array(values.buffer, values.byteOffset, values.length);
  const kept = keepFinite(words, stride, labels, instances, indexOfClass, cloud, lidarseg, panoptic);
  return {
    cloud: littleEndian(new Uint8Array(cloud.buffer, 0, kept * VALUES_PER_POINT * 4)),
    lidarseg: lidarseg.subarray(0, kept),
    panopticLabels: instances && panoptic.subarray(0, kept),
    kept,
  };
}

/**
 * The per-point loop, alone in its function: V8 optimises it while it runs, and code after the loop in the same
 * function, not yet run, would throw that optimised code away on every frame.
 */
function keepFinite(
  words: Int32Array,
  stride: number,
  labels: Uint16Array,
  instances: Uint16Array | undefined,
  indexOfClass: Uint8Array,
  cloud: Int32Array,
  lidarseg: Uint8Array,
  panoptic: Uint16Array,
): number {
  const withIntensity = stride === 4;
  const points = labels.length;
  let kept = 0;
  for (let i = 0, from = 0, to = 0; i < points; i++, from += stride) {
    const x = words[from]!;
    const y = words[from + 1]!;
    const z = words[from + 2]!;
    if ((x & EXPONENT) === EXPONENT || (y & EXPONENT) === EXPONENT || (z & EXPONENT) === EXPONENT) continue;
    cloud[to] = x;
    cloud[to + 1] = y;
    cloud[to + 2] = z;
    cloud[to + 3] = withIntensity ? words[from + 3]! : 0;
    to += VALUES_PER_POINT;
    const index = indexOfClass[labels[i]!]!;
    lidarseg[kept] = index;
    if (instances) panoptic[kept] = index * 1000 + instances[i]!;
    kept++;
  }
  return kept;
}

/** The output buffers of one frame, reused for the next frame that fits (rings stay 0: the export has none). */
class PointBuffers {
  cloud = new Int32Array(0);
  lidarseg = new Uint8Array(0);
  panoptic = new Uint16Array(0);

  fit(points: number): this {
    if (this.lidarseg.length < points) {
      this.cloud = new Int32Array(points * VALUES_PER_POINT);
      this.lidarseg = new Uint8Array(points);
      this.panoptic = new Uint16Array(points);
    }
    return this;
  }
}

/**
 * The thread's buffers, reused from task to task: two sets of output buffers (one frame's written while the next
 * frame's are filled), the read buffers and the .npy buffer.
 */
const buffers = [new PointBuffers(), new PointBuffers()];
const readBuffers = new ReadBuffers();
const npzWriter = new NpzWriter();

function littleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) for (let b = 0; b < 4; b++) out[i + b] = bytes[i + 3 - b]!;
  return out;
}
