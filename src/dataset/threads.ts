// The threads of the `dataset` targets that convert point data (nuscenes, parquet): tasks run on a piscina pool of
// dataset-worker.ts, at most one per thread at a time, each reading its frames from the export and writing its files
// whole under their final names. The tasks carry names and paths only, never point data: memory is what the threads
// hold for the tasks in flight.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { reasonOf } from '../errors.js';
import type { DatasetTask, ThreadReply } from './dataset-worker.js';
import { DatasetError } from './dataset-error.js';
import { handled } from './export-reader.js';
import { MAX_DEFAULT_THREADS } from './option-table.js';

/** The threads to start: those asked for, else one per CPU up to MAX_DEFAULT_THREADS. */
export function threadCount(threads: number | undefined): number {
  return threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

const WORKER = fileURLToPath(new URL('./dataset-worker.js', import.meta.url));

/** Threads that start at once (about 0.1 s each), before their tasks are known: close() ends them. */
export class DatasetThreads {
  readonly #threads: number;
  readonly #pool: Promise<import('piscina').Piscina>;
  #closing: Promise<void> | undefined;

  constructor(threads: number) {
    this.#threads = threads;
    this.#pool = handled(
      import('piscina').then(
        ({ Piscina }) => new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads }),
      ),
    );
  }

  /**
   * The tasks' replies, in task order. After a failure no task is started, and the tasks in flight end (their files
   * whole under their names, or removed) before the failure of the earliest task is thrown.
   */
  async run<R>(tasks: readonly DatasetTask[]): Promise<R[]> {
    const pool = await this.#pool;
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
    await Promise.all(Array.from({ length: Math.min(this.#threads, tasks.length) }, lane));
    if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
    return replies;
  }

  /** Ends the threads (once, however often it is called). */
  close(): Promise<void> {
    this.#closing ??= this.#pool.then((pool) => pool.destroy());
    return this.#closing;
  }
}

/** The tasks' replies, in task order, on threads started for them (see DatasetThreads.run). */
export async function runOnThreads<R>(threads: number, tasks: readonly DatasetTask[]): Promise<R[]> {
  const pool = new DatasetThreads(threads);
  try {
    return await pool.run<R>(tasks);
  } finally {
    await pool.close();
  }
}
