// Mask files decoded into label files on the caller's thread and on worker threads at once, each thread writing
// whole files start to end (label-file.ts). The workers start when this is created, so that their start (Node's own
// start of a thread, then their few modules) overlaps whatever the caller does before run(); they are plain
// worker_threads, not a pool: one run each, files taken from shared memory (label-file-claims.ts), no task messages.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { coreModule } from '../core/wasm.js';
import type { ExportFormat } from '../formats/index.js';
import { Claims, claimsMemory, type LabelFileRun } from './label-file-claims.js';
import { LabelFileWriter, tempFolderName } from './label-file.js';
import { PoolError } from './pool-error.js';
import type { LabelFileJob, LabelFileOutcome } from './pool.js';
import { CORE_MODULE_KEY, errorOf, type FileErrorReply, type ParseErrorReply } from './protocol.js';

export interface LabelFileRunOptions {
  format: ExportFormat;
  /** Aborting stops the handing out of files; the files being written are finished, never left half-written. */
  signal: AbortSignal;
  /** Each file's outcome, on the caller's thread, as the files are done (in no particular order). */
  onOutcome(index: number, outcome: LabelFileOutcome): void;
}

interface Helper {
  worker: Worker;
  /** Its threadId, kept: the Worker's own reads -1 once the thread has ended. */
  threadId: number;
  /** Why it died, if it did (its 'error' event comes before its 'exit'). */
  error: Error | undefined;
  exited: Promise<void>;
}

export class LabelFileThreads {
  readonly #helpers: Helper[];
  #ran = false;

  /** Starts `workers` worker threads (0: the caller's thread does every file). */
  constructor(workers: number) {
    const workerData = { [CORE_MODULE_KEY]: coreModule() };
    this.#helpers = Array.from({ length: workers }, (_, thread) => {
      const worker = new Worker(new URL('./label-file-worker.js', import.meta.url), {
        workerData: { ...workerData, thread },
      });
      const helper: Helper = {
        worker,
        threadId: worker.threadId,
        error: undefined,
        exited: new Promise((resolve) => worker.once('exit', () => resolve())),
      };
      worker.once('error', (error) => (helper.error = error));
      return helper;
    });
  }

  /** Threads that write files: the workers and the caller's. */
  get threads(): number {
    return this.#helpers.length + 1;
  }

  /**
   * Writes the label file of every job, each on whichever thread takes it first, this one included; resolves once
   * every thread is done. A file that fails is an outcome, not a rejection (a worker that dies fails the file it
   * was writing, PoolError WORKER_FAILED, and the other threads go on with the rest). Once per instance.
   */
  async run(files: readonly LabelFileJob[], options: LabelFileRunOptions): Promise<void> {
    if (this.#ran) throw new Error('LabelFileThreads.run() runs once');
    this.#ran = true;
    const { format, signal } = options;
    const here = this.#helpers.length;
    const memory = claimsMemory(files.length, here + 1);
    const claims = new Claims(memory);
    const reported = new Uint8Array(files.length);
    const report = (index: number, outcome: LabelFileOutcome) => {
      reported[index] = 1;
      options.onOutcome(index, outcome);
    };
    const stop = () => claims.stop();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const helpersDone = this.#helpers.map((helper, thread) => {
      helper.worker.on('message', ({ index, failure }: { index: number; failure: ParseErrorReply | FileErrorReply }) =>
        report(index, { error: errorOf(failure) }),
      );
      helper.worker.postMessage({ files, format, memory } satisfies LabelFileRun);
      return helper.exited.then(() => {
        // Its messages have all arrived (Node delivers them before 'exit'); its log entries are all written.
        claims.readLog(report);
        const index = claims.current(thread);
        if (index >= 0 && reported[index] === 0) report(index, { error: workerFailed(helper.error) });
        // A worker that died left its temporary folder, perhaps with a temporary file in it.
        if (helper.error) removeTempFolders(files, helper.threadId);
      });
    });
    const writer = new LabelFileWriter();
    try {
      for (let index = claims.claim(here); index >= 0; index = claims.claim(here)) {
        const { path, outPath } = files[index]!;
        let outcome: LabelFileOutcome;
        try {
          outcome = writer.write(path, outPath, format);
        } catch (error) {
          outcome = { error: error as Error };
        }
        report(index, outcome);
        claims.readLog(report);
        // The workers' failures, their exits, and Ctrl-C, between two files.
        await nextTurn();
      }
    } finally {
      // A throw here (onOutcome's) must not leave the workers taking files for nobody.
      claims.stop();
      writer.close();
      // A worker still starting when this thread ran out of files would only start to find none (a few files, or a
      // stop): it is ended now instead of waited for.
      this.#helpers.forEach((helper, thread) => {
        if (claims.cancelUnstarted(thread)) void helper.worker.terminate();
      });
      await Promise.all(helpersDone);
      signal.removeEventListener('abort', stop);
    }
  }

  /** Ends workers that never got a run (after one they end by themselves): they hold nothing yet. */
  async close(): Promise<void> {
    if (!this.#ran) {
      this.#ran = true;
      for (const { worker } of this.#helpers) void worker.terminate();
    }
    await Promise.all(this.#helpers.map((helper) => helper.exited));
  }
}

function removeTempFolders(files: readonly LabelFileJob[], thread: number): void {
  for (const dir of new Set(files.map((file) => dirname(file.outPath)))) {
    rmSync(join(dir, tempFolderName(thread)), { recursive: true, force: true });
  }
}

function workerFailed(error: Error | undefined): PoolError {
  const message = error?.message ?? 'it exited';
  return new PoolError('WORKER_FAILED', `the worker writing this file failed: ${message}`, { cause: error });
}
