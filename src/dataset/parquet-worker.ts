// The piscina entry of `dataset parquet`'s encoding threads: one file per task (parquet-file.ts). piscina drops an
// error's own properties on its way back, so a failure comes back as a reply with its code.
import { reasonOf } from '../errors.js';
import { DatasetError } from './dataset-error.js';
import { type ParquetFileTask, writeParquetFile } from './parquet-file.js';

export type ParquetReply = { written: string } | { error: { code: DatasetError['code']; message: string } };

export default async function parquetTask(task: ParquetFileTask): Promise<ParquetReply> {
  try {
    await writeParquetFile(task);
    return { written: task.name };
  } catch (error) {
    if (error instanceof DatasetError) return { error: { code: error.code, message: error.message } };
    // The encoder's error, or the file system's (with the file it concerns: an export file, or a temporary one).
    const path = (error as NodeJS.ErrnoException).path;
    const reason = typeof path === 'string' ? `${path}: ${reasonOf(error)}` : reasonOf(error);
    return { error: { code: 'ENCODE_FAILED', message: `${task.name}: ${reason}` } };
  }
}
