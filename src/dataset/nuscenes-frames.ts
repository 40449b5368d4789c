// A run of consecutive frames of `dataset nuscenes`, converted where it runs (a thread, see threads.ts): each frame's
// files read from the export, its points rearranged into nuScenes' layout with their lidarseg and panoptic labels,
// and its three files written whole under their final names. A frame is read, converted and written with blocking
// calls: the thread has nothing else to do meanwhile, and the threads (one per CPU) keep the CPUs busy between them,
// where round trips through libuv's thread pool (shared by the threads' reads, writes and compression) left them
// waiting.
import { basename, dirname, join } from 'node:path';
import type { IndexLine } from '../export/records.js';
import { writeFileAtomicSync } from '../export/files.js';
import { type ExportTree, type FrameData, readFrames } from './export-reader.js';
import { uint16Npz } from './npz.js';
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

/** Converts and writes the frames; resolves to each one's result. */
export async function writeNuScenesFrames(task: NuScenesFramesTask): Promise<NuScenesFrameResult[]> {
  const lines = task.frames.map((frame) => frame.line);
  pointsCore ??= new NuScenesPointsCore();
  pointsCore.startRun(task.tree, lines, task.indexOfClass);
  const frameData = readFrames(task.tree, lines, pointsCore, { idsInPlace: true });
  // Without fsync: the tree is rebuilt from the export, a crash costs nothing but the work (scenes.json, the marker
  // of a complete tree, is written last and flushed).
  const write = (path: string, chunks: Uint8Array[]) =>
    writeFileAtomicSync(join(task.out, dirname(path)), basename(path), chunks);
  const results: NuScenesFrameResult[] = [];
  for (const [f, files] of task.frames.entries()) {
    const frame = (await frameData.next()).value as FrameData;
    const { cloud, lidarseg, panoptic, kept } = pointsCore.convert(frame, f);
    write(files.cloud, [cloud]);
    write(files.lidarseg, [lidarseg]);
    if (panoptic) write(files.panoptic, uint16Npz('data', panoptic, pointsCore.npzScratch));
    results.push({ kept, panoptic: panoptic !== undefined });
  }
  return results;
}

/**
 * The thread's memory, reused from task to task: the WebAssembly core's, where frames are read, converted and their
 * panoptic labels compressed (taken by the first nuScenes task: a thread that writes Parquet needs no core).
 */
let pointsCore: NuScenesPointsCore | undefined;
