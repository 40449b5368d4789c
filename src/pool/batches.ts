// Decodes on their way to the workers. A message to a worker and its reply cost about as much CPU as decoding a
// 100k-point mask (two thread wake-ups, piscina's bookkeeping on both sides), and a worker that must wait for the
// next message after each reply sits idle for that round trip. So the decodes that wait while every lane is busy go
// together, in one message, and each thread has two lanes: one batch running, the next one already at the worker.
// A large mask is the exception: its decoding costs several times its message, so it takes a free lane at once.
import { AbortError } from '../errors.js';
import type { DecodeBatch, DecodeReply, DecodeTask, SkippedReply } from './protocol.js';

/** A batch takes waiting decodes until it holds this many... */
const MAX_BATCH_TASKS = 16;
/** ...or this many input bytes: enough to make one message's cost small beside the decoding (about 6 ms of it). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** A file's size is not known before the worker reads it: counted as a mask of this many bytes. */
const FILE_BYTES = MAX_BATCH_BYTES / 4;
/**
 * Mask bytes from which a decode goes to any free lane at once, alone, instead of waiting for company: decoding
 * 1 MiB of mask text (about 300k points) takes several times what a message costs, so a batch would save little.
 */
const ALONE_BYTES = 1024 * 1024;

/** Runs one batch on a worker: a reply per task, in order; rejects if the worker died. */
export type RunBatch = (batch: DecodeBatch, transferList: ArrayBuffer[]) => Promise<DecodeReply[]>;

type Reply = Exclude<DecodeReply, SkippedReply>;

interface Entry {
  task: DecodeTask;
  bytes: number;
  signal: AbortSignal | undefined;
  /** Where the worker looks to skip it once it is in a batch. */
  flag: { cancelled: Int32Array; index: number } | undefined;
  /** Sent alone: its batch's worker died, and this input can be sent again. */
  alone: boolean;
  settled: boolean;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
  onAbort(): void;
}

export class Batches {
  readonly #run: RunBatch;
  readonly #threads: number;
  readonly #lanes: number;
  readonly #maxTasks: number;
  readonly #waiting: Entry[] = [];
  #running = 0;
  #pumpPending = false;

  /**
   * `lanes`: batches in flight at once on `threads` threads (two per thread, so that each thread has its next one at
   * hand); `inFlight`: the decodes the pool lets in at once, shared evenly by the lanes: a lane that takes every
   * decode waiting leaves the next one a batch too small to cover the round trip to this thread, and its worker waits.
   */
  constructor(run: RunBatch, threads: number, lanes: number, inFlight: number) {
    this.#run = run;
    this.#threads = threads;
    this.#lanes = lanes;
    this.#maxTasks = Math.max(1, Math.min(MAX_BATCH_TASKS, Math.ceil(inFlight / lanes)));
  }

  /**
   * The worker's reply to `task`. Rejects with AbortError when `signal` fires first: at once, whether the task is
   * waiting here (dropped) or already handed to a worker (skipped there unless it has started; a started decode
   * runs to its end and its result is dropped), or with the error `run` rejected with if the worker died.
   */
  decode(task: DecodeTask, signal: AbortSignal | undefined): Promise<Reply> {
    return new Promise((resolve, reject) => {
      // Aborted while it waited for a slot.
      if (signal?.aborted) {
        reject(new AbortError(signal.reason));
        return;
      }
      const entry: Entry = {
        task,
        bytes: sizeOf(task),
        signal,
        flag: undefined,
        alone: false,
        settled: false,
        resolve: (reply) => settle(entry, () => resolve(reply)),
        reject: (error) => settle(entry, () => reject(error)),
        onAbort: () => {
          const waiting = this.#waiting.indexOf(entry);
          if (waiting >= 0) this.#waiting.splice(waiting, 1);
          if (entry.flag) Atomics.store(entry.flag.cancelled, entry.flag.index, 1);
          entry.reject(new AbortError(signal?.reason));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      // A thread with nothing to do, and nothing waiting, takes it now, alone: it starts while the caller's turn goes
      // on (copying its next masks, say). The second lane of each thread waits for a batch: a thread whose next task
      // is one small mask may run out of work before this thread, busy on a core the workers share, can send it
      // more. A large mask takes a free second lane now too: it is most of a batch by itself, and its thread then
      // has its next mask at hand while the caller's turn goes on, instead of waiting for that turn to end.
      const large = entry.bytes >= ALONE_BYTES && !('path' in task.input);
      if (this.#waiting.length === 0 && (this.#running < this.#threads || (large && this.#running < this.#lanes))) {
        this.#start([entry]);
        return;
      }
      this.#waiting.push(entry);
      this.#schedulePump();
    });
  }

  /**
   * Hands waiting decodes to free lanes once the current turn of the event loop is over: by then every decode that
   * the caller started together, or that a settled batch let in (its freed slots), is waiting, and shares the lanes.
   */
  #schedulePump(): void {
    if (this.#pumpPending) return;
    this.#pumpPending = true;
    setImmediate(() => {
      this.#pumpPending = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#lanes && this.#waiting.length > 0) this.#start(this.#take());
  }

  #start(batch: Entry[]): void {
    this.#running++;
    void this.#send(batch).finally(() => {
      this.#running--;
      this.#schedulePump();
    });
  }

  /**
   * The next batch: no more than one thread's share of what waits, so that the last decodes of a burst end up spread
   * over the threads rather than in one thread's batch while another thread has nothing left to do.
   */
  #take(): Entry[] {
    const maxTasks = Math.min(this.#maxTasks, Math.ceil(this.#waiting.length / this.#threads));
    const batch = [this.#waiting.shift()!];
    if (batch[0]!.alone) return batch;
    let bytes = batch[0]!.bytes;
    while (batch.length < maxTasks && bytes < MAX_BATCH_BYTES && this.#waiting[0]?.alone === false) {
      const entry = this.#waiting.shift()!;
      bytes += entry.bytes;
      batch.push(entry);
    }
    return batch;
  }

  async #send(entries: Entry[]): Promise<void> {
    const cancelled = entries.some((entry) => entry.signal)
      ? new Int32Array(new SharedArrayBuffer(entries.length * Int32Array.BYTES_PER_ELEMENT))
      : undefined;
    const transferList: ArrayBuffer[] = [];
    entries.forEach((entry, index) => {
      if (cancelled) entry.flag = { cancelled, index };
      if (entry.task.input instanceof ArrayBuffer) transferList.push(entry.task.input);
    });
    let replies: DecodeReply[];
    try {
      replies = await this.#run({ tasks: entries.map((entry) => entry.task), cancelled }, transferList);
    } catch (error) {
      this.#afterDeath(entries, error);
      return;
    }
    entries.forEach((entry, i) => {
      const reply = replies[i]!;
      if (!('skipped' in reply)) entry.resolve(reply);
    });
  }

  /**
   * The batch's worker died (it is replaced). A moved input went with it and fails; the others (bytes in shared
   * memory, files) go again, each alone, so that only the decode that kills its worker fails with it.
   */
  #afterDeath(entries: Entry[], error: unknown): void {
    const again =
      entries.length > 1 ? entries.filter((entry) => !entry.settled && !(entry.task.input instanceof ArrayBuffer)) : [];
    for (const entry of entries) if (!again.includes(entry)) entry.reject(error);
    for (const entry of again) {
      entry.flag = undefined;
      entry.alone = true;
    }
    this.#waiting.unshift(...again);
  }
}

function settle(entry: Entry, done: () => void): void {
  if (entry.settled) return;
  entry.settled = true;
  entry.signal?.removeEventListener('abort', entry.onAbort);
  done();
}

function sizeOf(task: DecodeTask): number {
  const { input } = task;
  if (input instanceof ArrayBuffer) return input.byteLength;
  return 'path' in input ? FILE_BYTES : input.length;
}
