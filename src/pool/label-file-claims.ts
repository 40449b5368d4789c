// The files of a LabelFileThreads run, handed out through shared memory: every thread (the caller's and the workers)
// takes the next file nobody has taken with one atomic add, so no thread waits for a message to get work, and the
// last files go to whichever thread is free first. A worker reports a file it wrote by appending its index to a
// shared log, read by the caller's thread between its own files: no message, no wake-up. Failures carry an error and
// go by message (see label-file-threads.ts).
import type { ExportFormat } from '../formats/index.js';
import type { LabelFileJob } from './pool.js';

/** What crosses to a worker once per run: the shared regions (not copied) and the files. */
export interface ClaimsMemory {
  /** [next file to take, stop flag, log entries taken] */
  control: Int32Array;
  /** Per thread: the index of the file it is writing, or -1; before its first claim NOT_STARTED, or CANCELLED. */
  current: Int32Array;
  /** Per file: its point count and label file bytes, written by the thread that wrote it before it logs it. */
  results: Float64Array;
  /** Indices + 1 of files written by workers, in the order they were done; 0 where an entry is yet to be written. */
  log: Int32Array;
}

/** The message that starts a worker's run. */
export interface LabelFileRun {
  files: readonly LabelFileJob[];
  format: ExportFormat;
  memory: ClaimsMemory;
}

const NEXT = 0;
const STOP = 1;
const LOGGED = 2;

const NONE = -1;
const NOT_STARTED = -2;
const CANCELLED = -3;

export function claimsMemory(files: number, threads: number): ClaimsMemory {
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const current = new Int32Array(shared(threads * Int32Array.BYTES_PER_ELEMENT)).fill(NOT_STARTED);
  return {
    control: new Int32Array(shared(3 * Int32Array.BYTES_PER_ELEMENT)),
    current,
    results: new Float64Array(shared(2 * files * Float64Array.BYTES_PER_ELEMENT)),
    log: new Int32Array(shared(files * Int32Array.BYTES_PER_ELEMENT)),
  };
}

export class Claims {
  readonly #memory: ClaimsMemory;
  readonly #files: number;
  /** Log entries read so far (the caller's thread only). */
  #read = 0;

  constructor(memory: ClaimsMemory) {
    this.#memory = memory;
    this.#files = memory.log.length;
  }

  /** The next file for `thread` to write, or -1 when none is left, the run is stopping or the thread was cancelled. */
  claim(thread: number): number {
    const { control, current } = this.#memory;
    // A thread's first claim starts it, unless cancelUnstarted() came first: then it takes nothing, ever.
    if (Atomics.compareExchange(current, thread, NOT_STARTED, NONE) === CANCELLED) return NONE;
    let index = NONE;
    if (Atomics.load(control, STOP) === 0) {
      const next = Atomics.add(control, NEXT, 1);
      if (next < this.#files) index = next;
    }
    Atomics.store(current, thread, index);
    return index;
  }

  /** No file is taken after this; those taken are finished. */
  stop(): void {
    Atomics.store(this.#memory.control, STOP, 1);
  }

  /**
   * Whether `thread`, which had not claimed yet, never will: true means it takes no file whatever it does next (a
   * worker still starting can be ended); false, that it started first.
   */
  cancelUnstarted(thread: number): boolean {
    return Atomics.compareExchange(this.#memory.current, thread, NOT_STARTED, CANCELLED) === NOT_STARTED;
  }

  /** The file `thread` is writing (negative: none), as it last claimed. */
  current(thread: number): number {
    return Atomics.load(this.#memory.current, thread);
  }

  /** A worker's file written: its figures, then its log entry, which publishes them (Atomics order the two). */
  written(index: number, outcome: { pointCount: number; bytesWritten: number }): void {
    const { control, results, log } = this.#memory;
    results[2 * index] = outcome.pointCount;
    results[2 * index + 1] = outcome.bytesWritten;
    Atomics.store(log, Atomics.add(control, LOGGED, 1), index + 1);
  }

  /** Calls `done` for every file the workers logged since the last call (the caller's thread). */
  readLog(done: (index: number, outcome: { pointCount: number; bytesWritten: number }) => void): void {
    const { log, results } = this.#memory;
    while (this.#read < this.#files) {
      const entry = Atomics.load(log, this.#read);
      if (entry === 0) return;
      this.#read++;
      const index = entry - 1;
      done(index, { pointCount: results[2 * index]!, bytesWritten: results[2 * index + 1]! });
    }
  }
}
