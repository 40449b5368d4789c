// A run of consecutive frames of `dataset nuscenes`, converted where it runs (a thread, see threads.ts): each frame's
// files read from the export, its points rearranged into nuScenes' layout with their lidarseg and panoptic labels,
// and its three files written whole under their final names. One frame is read ahead and one written behind while a
// frame is converted: the disk and the CPU work at the same time, and memory holds three frames.
import { basename, dirname, join } from 'node:path';
import type { IndexLine } from '../export/records.js';
import { writeFileAtomic } from '../export/files.js';
import { type ExportTree, type FrameData, handled, readFrames } from './export-reader.js';
import { NpzWriter } from './npz.js';
import { NuScenesPointsCore } from './nuscenes-points.js';

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

const NO_SYNC = { sync: false };

/** Converts and writes the frames; resolves to each one's result. */
export async function writeNuScenesFrames(task: NuScenesFramesTask): Promise<NuScenesFrameResult[]> {
  const lines = task.frames.map((frame) => frame.line);
  pointsCore ??= new NuScenesPointsCore();
  pointsCore.startRun(task.tree, lines, task.indexOfClass);
  const frameData = readFrames(task.tree, lines, pointsCore, { idsInPlace: true });
  const results: NuScenesFrameResult[] = [];
  let writing: Promise<unknown> = Promise.resolve();
  let compressing: Promise<unknown> | undefined;
  const write = (path: string, chunks: Uint8Array[]) =>
    writeFileAtomic(join(task.out, dirname(path)), basename(path), chunks, NO_SYNC);
  try {
    for (const [f, files] of task.frames.entries()) {
      const frame = (await frameData.next()).value as FrameData;
      const { cloud, lidarseg, panoptic, kept } = pointsCore.convert(frame, f);
      // Compressed while the next frame is read and converted.
      const npz = panoptic && handled(npzWriter.uint16('data', panoptic, f));
      compressing = npz;
      await writing;
      // Without fsync: the tree is rebuilt from the export, a crash costs nothing but the work (scenes.json, the
      // marker of a complete tree, is written last and flushed).
      writing = handled(
        Promise.all([
          write(files.cloud, [cloud]),
          write(files.lidarseg, [lidarseg]),
          npz?.then((chunks) => write(files.panoptic, chunks)),
        ]),
      );
      results.push({ kept, panoptic: npz !== undefined });
    }
    await writing;
  } finally {
    // On an error, the files in flight end (whole under their names, or removed) before it is thrown, and the frame
    // read ahead and the file being compressed before the thread's memory goes to its next task.
    await Promise.allSettled([writing, compressing]);
    await frameData.return(undefined);
  }
  return results;
}

/**
 * The thread's memory, reused from task to task: the WebAssembly core's, where frames are read and converted (taken by
 * the first nuScenes task: a thread that writes Parquet needs no core), and the .npy buffer.
 */
let pointsCore: NuScenesPointsCore | undefined;
const npzWriter = new NpzWriter();
