// The piscina entry of the `dataset` targets' threads (threads.ts): one task, a Parquet file or a run of nuScenes
// frames, per call. piscina drops an error's own properties on its way back, so a failure comes back as a reply with
// its code.
import { reasonOf } from '../errors.js';
import { DatasetError } from './dataset-error.js';
import { type NuScenesFramesTask, writeNuScenesFrames } from './nuscenes-frames.js';
import { type ParquetFileTask, writeParquetFile } from './parquet-file.js';

export type DatasetTask = ({ kind: 'parquet' } & ParquetFileTask) | ({ kind: 'nuscenes' } & NuScenesFramesTask);

export type ThreadReply<R> = { reply: R } | { error: { code: DatasetError['code']; message: string } };

export default async function datasetTask(task: DatasetTask): Promise<ThreadReply<unknown>> {
  try {
    return { reply: task.kind === 'parquet' ? await writeParquetFile(task) : await writeNuScenesFrames(task) };
  } catch (error) {
    if (error instanceof DatasetError) return { error: { code: error.code, message: error.message } };
    // The encoder's error, or the file system's (with the file it concerns: an export file, or a temporary one).
    const path = (error as NodeJS.ErrnoException).path;
    const reason = typeof path === 'string' ? `${path}: ${reasonOf(error)}` : reasonOf(error);
    return { error: { code: 'ENCODE_FAILED', message: `${task.name}: ${reason}` } };
  }
}
