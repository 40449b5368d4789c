// MaskDecoderPool: decodes masks on worker threads. The core is compiled once here and shared with every worker.
// A mask's bytes cross to the worker at most once and are never cloned: moved (transfer), copied once into shared
// memory the worker reads in place, or read from its file by the worker itself; the result buffer is moved back.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { assertAttached } from '../core/detached.js';
import { AbortError, InvalidArgumentError } from '../errors.js';
import type { MaskInput } from '../decode/types.js';
import { coreModule } from '../core/wasm.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';
import { PoolError } from './pool-error.js';
import {
  CORE_MODULE_KEY,
  errorOf,
  fromReply,
  type DecodeBatch,
  type DecodeReply,
  type DecodeTask,
  type LabelFileReply,
  type LabelFilesTask,
  type PoolDecodedMask,
} from './protocol.js';
import { Batches } from './batches.js';
import { MAX_THREADS } from './max-threads.js';
import { Slots } from './slots.js';
import { Staging } from './staging.js';

export interface MaskDecoderPoolOptions {
  /**
   * Worker threads, 1 to MAX_THREADS. Default: `os.availableParallelism()` (at most MAX_THREADS). Not allowed with
   * `piscina` (its maxThreads apply).
   */
  threads?: number;
  /**
   * Decodes that may wait for a free thread inside the pool (default: 16 × threads; `Infinity` for no limit; never
   * more than a caller Piscina's own maxQueue). Beyond `threads + maxQueue` decodes in flight, `decode()` waits for
   * room, in call order: backpressure, never a rejection.
   */
  maxQueue?: number;
  /**
   * A Piscina of your own, created with `filename: MaskDecoderPool.workerFilename` and (so that workers skip
   * compiling the core) `workerData: MaskDecoderPool.workerData()`. Used as is; `close()` leaves it running.
   * With `resourceLimits`, a worker that reaches its JS heap limit while the core's memory grows aborts the whole
   * process (a V8 limitation, not a catchable worker error): masks reach the workers as bytes outside their JS
   * heap, but keep the limits generous or leave them out (the default pool sets none).
   */
  piscina?: PiscinaInstance;
}

/**
 * What `options.piscina` is typed as: the members of a Piscina this pool reads. Declared here rather than importing
 * piscina's class, so that the public types compile without piscina's own (which fail under `"module": "node16"`
 * with `skipLibCheck: false`). At run time the value must still be a real Piscina.
 */
export interface PiscinaInstance {
  readonly maxThreads: number;
  readonly options: {
    readonly filename: string | null;
    readonly maxQueue: number;
    readonly concurrentTasksPerWorker?: number;
  };
  destroy(): Promise<void>;
}

export interface PoolFileOptions {
  /** Reject with MaskParseError `POINT_COUNT_MISMATCH` unless the mask has exactly this many points. */
  expectedPoints?: number;
  /**
   * Aborting rejects with AbortError at once: a task not yet started is dropped (skipped by its worker if it was
   * handed over already); a running one finishes on its worker, which goes on, and its result is dropped.
   */
  signal?: AbortSignal;
  /**
   * Tables from label key to another id (a class, an instance: `table[key]`, 0 for a key past its end). The worker
   * also returns the labels through each, in `mapped` in the same order, so the caller's thread need not. The
   * tables are copied; the caller's stay as they are.
   */
  lookups?: readonly Uint16Array[];
}

export interface PoolDecodeOptions extends PoolFileOptions {
  /**
   * Move the input's bytes to the worker instead of copying them. The caller's ArrayBuffer (or the Uint8Array's
   * buffer) is detached when `decode()` returns: its byteLength becomes 0. A Uint8Array that views only part of
   * its buffer (a pooled Node Buffer, a subarray) is copied instead and stays usable, since moving its buffer would
   * take bytes that are not the mask's. Strings are always copied. The result usually comes back in the moved
   * buffer (from byte 0; the buffer may be larger than labels and histogram), else in one of exactly its size.
   */
  transfer?: boolean;
}

/** One mask file for `writeLabelFiles()`, and the label file to write for it. */
export interface LabelFileJob {
  path: string;
  outPath: string;
}

export interface LabelFilesOptions {
  /** The label file's format: `npy`, `bin` or `kitti`, as the export writes them. */
  format: ExportFormat;
}

/** What became of one file of `writeLabelFiles()`: its label file written, or the error that file met. */
export type LabelFileOutcome = { pointCount: number; bytesWritten: number } | { error: Error };

// A queue of 16 per thread: decodes that wait are what fills a batch (see batches.ts).
const DEFAULTS = Object.freeze({ threads: Math.min(availableParallelism(), MAX_THREADS), queuedPerThread: 16 });
// Batches in flight per thread: one running, the next one already at the worker (piscina's concurrentTasksPerWorker).
const LANES_PER_THREAD = 2;
// Free shared regions kept for reuse while the pool is idle: enough for the masks a caller copies in one go (24 masks
// of 500k points take 54 MiB of regions: a fresh region costs about five times its copy in page faults), and a few
// batches' worth per thread (a batch holds up to 4 MiB of masks) on larger machines. While decodes keep coming, as
// much as the busiest moment had in flight is kept (see staging.ts), down to this after a second without a decode.
const STAGING_KEPT_BYTES = Object.freeze({ least: 64 * 1024 * 1024, perThread: 16 * 1024 * 1024 });
const STAGING_IDLE_MS = 1000;

const WORKER_FILENAME = fileURLToPath(new URL('./worker.js', import.meta.url));
const require = createRequire(import.meta.url);

export class MaskDecoderPool {
  /** The worker entry, for building your own Piscina (`options.piscina`). */
  static readonly workerFilename: string = WORKER_FILENAME;

  /** The `workerData` that hands the compiled core to the workers of your own Piscina. */
  static workerData(): Record<string, unknown> {
    return { [CORE_MODULE_KEY]: coreModule() };
  }

  readonly threads: number;
  readonly maxQueue: number;
  // A pool of its own: piscina is loaded, and its workers start, when the pool is created (see startPiscina()).
  readonly #piscina: Promise<Piscina>;
  /** The Piscina once it is there: tasks are then posted at once, not a turn of the event loop later. */
  #started: Piscina | undefined;
  readonly #ownsPiscina: boolean;
  readonly #slots: Slots;
  readonly #batches: Batches;
  /** One shared region per decode in flight, for inputs that are copied (neither moved nor read from a file). */
  readonly #staging = new Staging();
  readonly #stagingKeptBytes: number;
  #stagingTrim: ReturnType<typeof setTimeout> | undefined;
  /** Decodes accepted and not yet settled, and what close() waits on until they are none. */
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: MaskDecoderPoolOptions = {}) {
    const { threads, maxQueue, piscina } = checkPoolOptions(options);
    let queueLimit = Infinity;
    // Tasks the Piscina takes at once (running and queued): more batches than that would meet its own rejection.
    let capacity = Infinity;
    if (piscina) {
      this.#piscina = Promise.resolve(piscina);
      this.#started = piscina;
      this.#ownsPiscina = false;
      this.threads = piscina.maxThreads;
      queueLimit = piscina.options.maxQueue;
      capacity = this.threads * (piscina.options.concurrentTasksPerWorker ?? 1) + queueLimit;
    } else {
      this.threads = threads ?? DEFAULTS.threads;
      const { threads: count } = this;
      // A failure to load piscina surfaces in decode() and close(), as a rejection, not in the constructor.
      this.#piscina = new Promise((resolve) => resolve(startPiscina(count)));
      // Seen by decode() and close(); a failure nobody asks for must not end the process as an unhandled rejection.
      this.#piscina.then(
        (started) => {
          this.#started = started;
        },
        () => {},
      );
      this.#ownsPiscina = true;
    }
    // Stay within a caller's Piscina queue limit, so that its own rejection never surfaces as a failure.
    this.maxQueue = Math.min(maxQueue ?? this.threads * DEFAULTS.queuedPerThread, queueLimit);
    this.#slots = new Slots(this.threads + this.maxQueue);
    this.#stagingKeptBytes = Math.max(STAGING_KEPT_BYTES.least, this.threads * STAGING_KEPT_BYTES.perThread);
    this.#batches = new Batches(
      (batch, transferList) => this.#runOnWorker(batch, transferList) as Promise<DecodeReply[]>,
      this.threads,
      Math.min(this.threads * LANES_PER_THREAD, capacity),
      this.threads + this.maxQueue,
    );
  }

  /**
   * Decodes one mask on a worker thread; resolves to labels and histogram viewing one ArrayBuffer that the worker
   * moved to this thread (and the labels through `lookups`, in another). Without `transfer`, the bytes are copied
   * once, before decode() returns, into shared memory the worker reads in place (reused from task to task): the
   * caller may reuse its buffer at once. Rejects with MaskParseError (same code, offset and message as `decodeMask`),
   * AbortError, PoolError `POOL_CLOSED` after `close()`, or PoolError `WORKER_FAILED` if the worker died (it is
   * replaced; the masks handed to it with this one fail too if they were moved, and are decoded again if not).
   * Decodes that wait while every thread is busy go to a worker together, in one message (see batches.ts).
   */
  async decode(input: MaskInput, options: PoolDecodeOptions = {}): Promise<PoolDecodedMask> {
    const { expectedPoints, transfer = false, signal, lookups = [] } = checkDecodeOptions(options);
    checkInput(input);
    if (this.#closed) throw new PoolError('POOL_CLOSED', 'the pool is closed');
    if (signal?.aborted) throw new AbortError(signal.reason);
    const moved = transfer ? movable(input) : undefined;
    // Moved or copied now, so that the caller's buffer is free (or detached) when decode() returns, whether the task
    // starts now or waits.
    const staged = moved ? undefined : this.#staging.stage(typeof input === 'string' ? input : bytesOf(input));
    const task: DecodeTask = { input: moved ? detach(moved) : staged!, expectedPoints, lookups };
    try {
      return await this.#decode(task, signal);
    } finally {
      if (staged) {
        this.#staging.release(staged.buffer, this.#closed ? 0 : this.#stagingKeptBytes);
        if (this.#inFlight === 0) this.#trimStagingWhenIdle();
      }
    }
  }

  /** In a second, if no decode is in flight then, keeps only the floor of free shared regions. */
  #trimStagingWhenIdle(): void {
    clearTimeout(this.#stagingTrim);
    this.#stagingTrim = setTimeout(() => {
      if (this.#inFlight === 0) this.#staging.trim(this.#stagingKeptBytes);
    }, STAGING_IDLE_MS);
    // Never what keeps the process alive.
    this.#stagingTrim.unref?.();
  }

  /**
   * Decodes the mask file at `path` (resolved against the current directory now) on a worker thread, which reads it
   * straight into its core's memory: its bytes never enter this thread. Resolves and rejects as `decode()` does,
   * and with Node's own error (`code` ENOENT, EISDIR..., `syscall`, `path`) when the file cannot be read.
   */
  async decodeFile(path: string, options: PoolFileOptions = {}): Promise<PoolDecodedMask> {
    const { expectedPoints, signal, lookups = [] } = checkDecodeOptions(options);
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path must be a non-empty string');
    if ('transfer' in options) throw new InvalidArgumentError('options.transfer is not an option of decodeFile');
    if (this.#closed) throw new PoolError('POOL_CLOSED', 'the pool is closed');
    if (signal?.aborted) throw new AbortError(signal.reason);
    return this.#decode({ input: { path: resolve(path) }, expectedPoints, lookups }, signal);
  }

  /**
   * Decodes mask files into label files on one worker thread, which reads each mask and writes its labels itself
   * (through a temporary file renamed into place, as the export does): neither crosses this thread, and one task
   * carries the whole list, so a few files at a time keep every thread busy at the cost of one message each way.
   * Resolves with one outcome per file, in order: its point count and the bytes written, or the error it met
   * (MaskParseError, or Node's own error for a file that cannot be read or written). Rejects only as the pool's
   * tasks do (POOL_CLOSED, WORKER_FAILED). Not abortable: a label file is never left half-written.
   */
  async writeLabelFiles(files: readonly LabelFileJob[], options: LabelFilesOptions): Promise<LabelFileOutcome[]> {
    const task = checkLabelFiles(files, options);
    if (this.#closed) throw new PoolError('POOL_CLOSED', 'the pool is closed');
    const outcomeOf = (reply: LabelFileReply) => ('pointCount' in reply ? reply : { error: errorOf(reply) });
    return this.#holdingSlot(undefined, async () => {
      const replies = (await this.#runOnWorker(task, [], 'writeLabelFiles')) as LabelFileReply[];
      return replies.map(outcomeOf);
    });
  }

  /** A decode, once a slot is free, handed to a worker with the others waiting then (see batches.ts). */
  #decode(task: DecodeTask, signal: AbortSignal | undefined): Promise<PoolDecodedMask> {
    return this.#holdingSlot(signal, async () => fromReply(await this.#batches.decode(task, signal), workerFailed));
  }

  /**
   * Runs `work` once a slot is free, counted as in flight (what close() waits for) until it settles. A free slot is
   * taken at once, so that a decode started while a thread is idle can reach it before the caller's turn is over.
   */
  async #holdingSlot<Result>(signal: AbortSignal | undefined, work: () => Promise<Result>): Promise<Result> {
    this.#inFlight++;
    try {
      if (!this.#slots.tryAcquire()) await this.#slots.acquire(signal);
      try {
        return await work();
      } finally {
        this.#slots.release();
      }
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  #runOnWorker(task: DecodeBatch | LabelFilesTask, transferList: ArrayBuffer[], name?: string): Promise<unknown> {
    const run = (piscina: Piscina) => piscina.run(task, { transferList, name }) as Promise<unknown>;
    // Posted now when piscina is there, not after the caller's turn: piscina.run() posts to a free worker at once.
    const running = this.#started ? run(this.#started) : this.#piscina.then(run);
    return running.catch((error: unknown) => {
      throw workerFailed(messageOf(error), error);
    });
  }

  /**
   * Stops accepting decodes, waits until every decode already accepted (running or waiting) has settled, then
   * ends the workers (unless the Piscina is the caller's). Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      clearTimeout(this.#stagingTrim);
      this.#staging.trim(0);
      // A Piscina that never started (its import failed) has nothing to end.
      const piscina = await this.#piscina.catch(() => undefined);
      if (this.#ownsPiscina && piscina) {
        await startedUp(piscina);
        await piscina.destroy();
      }
    })();
    return this.#closed;
  }
}

/**
 * The pool's own Piscina, with `threads` workers that get the compiled core. Loaded when the first pool is created,
 * so that importing this package does not load piscina (~14 ms); by require(), at once rather than by a dynamic
 * import resolved turns later, so that the workers start loading right away (for the `decode` command, their start
 * is most of the time before the first file), while the caller goes on: it does not wait for them until a decode.
 */
function startPiscina(threads: number): Piscina {
  const { Piscina } = require('piscina') as typeof import('piscina');
  const piscina = new Piscina({
    filename: WORKER_FILENAME,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: LANES_PER_THREAD,
    workerData: MaskDecoderPool.workerData(),
    recordTiming: false,
  });
  // A worker that dies between tasks has no task to fail and is replaced; without a listener the
  // EventEmitter would rethrow it and end the process.
  piscina.on('error', () => {});
  // The workers just created post their first message (piscina's "ready") once their modules are loaded. A worker
  // that replaces one is announced by 'workerCreate' only then (those of the start at once, loaded or not).
  const first = new Set(piscina.threads);
  for (const worker of first) worker.once('message', () => loaded.add(worker));
  piscina.on('workerCreate', ({ id }: { id: number }) => {
    for (const worker of piscina.threads) if (worker.threadId === id && !first.has(worker)) loaded.add(worker);
  });
  return piscina;
}

/** The workers of the pools of their own that have loaded their modules. */
const loaded = new WeakSet<Worker>();

/**
 * Resolves once no worker of the pool's own Piscina is still loading its modules. Node.js (20 at least) can abort
 * the whole process (SIGABRT) when worker.terminate() lands while a worker is inside require(): a pool closed right
 * after it was created (an export of an empty batch, a failed listing) would otherwise end its workers mid-start,
 * and under load that start takes long enough to be hit.
 */
function startedUp(piscina: Piscina): Promise<unknown> {
  const starting = piscina.threads.filter((worker) => !loaded.has(worker));
  return Promise.all(
    starting.map((worker) => {
      // The workers are unref()ed: without this, a process with nothing else to do would exit while waiting,
      // ending the workers mid-start just the same. destroy() follows.
      worker.ref();
      return new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
    }),
  );
}

function checkInput(input: MaskInput): void {
  if (typeof input === 'string') return;
  if (!(input instanceof Uint8Array || input instanceof ArrayBuffer)) {
    throw new InvalidArgumentError('input must be a Uint8Array, an ArrayBuffer or a string');
  }
  assertAttached(input, 'input');
}

function bytesOf(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof ArrayBuffer ? new Uint8Array(input) : input;
}

/**
 * The buffer `transfer` may move: a whole ArrayBuffer, or the whole buffer under a Uint8Array. A view on part of
 * a buffer (a pooled Node Buffer, a subarray) is copied instead: moving it would take bytes that are not the mask's.
 */
function movable(input: MaskInput): ArrayBuffer | undefined {
  if (input instanceof ArrayBuffer) return input;
  if (!(input instanceof Uint8Array)) return undefined;
  const { buffer } = input;
  const whole = buffer instanceof ArrayBuffer && input.byteOffset === 0 && input.byteLength === buffer.byteLength;
  return whole ? buffer : undefined;
}

// Moves the bytes into a new ArrayBuffer without copying, so the caller's is detached as soon as decode() returns,
// whether the task starts now or waits.
function detach(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

function workerFailed(message: string, cause?: unknown): PoolError {
  return new PoolError('WORKER_FAILED', `the worker decoding this mask failed: ${message}`, { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkPoolOptions(options: MaskDecoderPoolOptions): {
  threads?: number | undefined;
  maxQueue?: number | undefined;
  piscina?: Piscina;
} {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { threads, maxQueue, piscina } = options;
  if (threads !== undefined && !(Number.isSafeInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new InvalidArgumentError(`options.threads must be an integer from 1 to ${MAX_THREADS}`);
  }
  if (maxQueue !== undefined && !((Number.isSafeInteger(maxQueue) && maxQueue >= 0) || maxQueue === Infinity)) {
    throw new InvalidArgumentError('options.maxQueue must be a non-negative integer or Infinity');
  }
  if (piscina === undefined) return { threads, maxQueue };
  // A caller with a Piscina has loaded piscina already: this require() finds it loaded.
  const { Piscina } = require('piscina') as typeof import('piscina');
  if (!(piscina instanceof Piscina)) throw new InvalidArgumentError('options.piscina must be a Piscina');
  if (threads !== undefined) {
    throw new InvalidArgumentError('options.threads must not be set with options.piscina (its maxThreads apply)');
  }
  if (typeof piscina.options.filename !== 'string') {
    throw new InvalidArgumentError('options.piscina must be created with filename: MaskDecoderPool.workerFilename');
  }
  return { threads, maxQueue, piscina };
}

function checkLabelFiles(files: readonly LabelFileJob[], options: LabelFilesOptions): LabelFilesTask {
  if (!Array.isArray(files)) throw new InvalidArgumentError('files must be an array');
  const checked = files.map((file, i) => {
    const { path, outPath } = (file ?? {}) as Partial<LabelFileJob>;
    if (typeof path !== 'string' || path === '' || typeof outPath !== 'string' || outPath === '') {
      throw new InvalidArgumentError(`files[${i}] must have a non-empty path and outPath`);
    }
    return Object.freeze({ path: resolve(path), outPath: resolve(outPath) });
  });
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { format } = options;
  if (typeof format !== 'string' || !Object.hasOwn(FORMATS, format)) {
    throw new InvalidArgumentError(`options.format must be one of ${Object.keys(FORMATS).join(', ')}`);
  }
  return Object.freeze({ files: Object.freeze(checked), format });
}

function checkDecodeOptions(options: PoolDecodeOptions): PoolDecodeOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  const { expectedPoints, transfer, signal, lookups } = options;
  if (expectedPoints !== undefined && !(Number.isSafeInteger(expectedPoints) && expectedPoints >= 0)) {
    throw new InvalidArgumentError('options.expectedPoints must be a non-negative integer');
  }
  if (transfer !== undefined && typeof transfer !== 'boolean') {
    throw new InvalidArgumentError('options.transfer must be a boolean');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('options.signal must be an AbortSignal');
  }
  if (lookups !== undefined) {
    if (!Array.isArray(lookups) || !lookups.every((table) => table instanceof Uint16Array)) {
      throw new InvalidArgumentError('options.lookups must be an array of Uint16Array');
    }
    for (const table of lookups) assertAttached(table, 'options.lookups');
  }
  return options;
}
