// The threads of the `dataset` targets that convert point data (nuscenes, parquet): tasks run on a piscina pool of
// dataset-worker.ts, at most one per thread at a time, each reading its frames from the export and writing its files
// whole under their final names. The tasks carry names and paths only, never point data: memory is what the threads
// hold for the tasks in flight.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { reasonOf } from '../errors.js';
import type { DatasetTask, ThreadReply } from './dataset-worker.js';
import { DatasetError } from './dataset-error.js';
import { MAX_DEFAULT_THREADS } from './option-table.js';

/** The threads to start: those asked for, else one per CPU up to MAX_DEFAULT_THREADS. */
export function threadCount(threads: number | undefined): number {
  return threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

const WORKER = fileURLToPath(new URL('./dataset-worker.js', import.meta.url));

/**
 * The tasks' replies, in task order. After a failure no task is started, and the tasks in flight end (their files
 * whole under their names, or removed) before the failure of the earliest task is thrown.
 */
export async function runOnThreads<R>(threads: number, tasks: readonly DatasetTask[]): Promise<R[]> {
  const { Piscina } = await import('piscina');
  const pool = new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads });
  const replies: R[] = new Array(tasks.length);
  const failures = new Map<number, DatasetError>();
  let next = 0;
  const lane = async () => {
    while (next < tasks.length && failures.size === 0) {
      const k = next++;
      try {
        const answer = (await pool.run(tasks[k])) as ThreadReply<R>;
        if ('error' in answer) throw new DatasetError(answer.error.code, answer.error.message);
        replies[k] = answer.reply;
      } catch (error) {
        const message = `${tasks[k]!.name}: ${reasonOf(error)}`;
        failures.set(k, error instanceof DatasetError ? error : new DatasetError('ENCODE_FAILED', message));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads, tasks.length) }, lane));
  } finally {
    await pool.destroy();
  }
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return replies;
}
