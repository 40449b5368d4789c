// `decode FILE... --out DIR`: many mask files decoded on every core, one label file per input. The workers read the
// masks and write the label files themselves (MaskDecoderPool.writeLabelFiles), so neither passes through this
// thread, which hands out small batches of paths, and decodes files too: this thread is one of the `threads`. A
// worker thread needs about a tenth of a second to start (Node's own start of it, then its modules), which on two
// cores is a third of the work on 500 files of 100k points: this thread decodes from the start, and one worker
// fewer means one start fewer. A file that fails is listed, not fatal.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PlaymentMasksError } from '../errors.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';
import { MaskDecoderPool, MAX_THREADS } from '../pool/index.js';
import { writeLabelFile } from '../pool/label-file.js';
import { describeSystemError, isSystemError } from './messages.js';
import { barOf, formatBytes, formatDuration, type ProgressFormat } from './progress.js';

/** The files a folder argument stands for: mask text (.json) and legacy PCD masks (.pcd), not hidden ones. */
const MASK_FILE = /^[^.].*\.(json|pcd)$/i;
// Batches in flight per thread: one running, one waiting, so that a thread never waits for the next.
const BATCHES_PER_THREAD = 2;
// Files per batch: each batch costs a message each way (thread wake-ups), so a few files share one; at most this
// many, and small enough to give every thread about this many batches, for balance and a lively progress display.
const MAX_BATCH = 16;
const BATCHES_PER_THREAD_OVERALL = 8;
// This thread's batches, smaller: while it decodes one it reads no worker's reply and hands out no batch.
const MAX_BATCH_HERE = 4;

export interface DecodeFilesOptions {
  /** Files and folders as the user typed them, resolved against `cwd`. */
  args: readonly string[];
  cwd: string;
  outDir: string;
  format: ExportFormat;
  /** Threads that decode: this one and `threads - 1` workers (default: one per core). */
  threads: number | undefined;
  signal: AbortSignal;
  onProgress(progress: DecodeFilesProgress): void;
}

export interface DecodeFilesProgress {
  files: number;
  decoded: number;
  failed: number;
  points: number;
  /** Bytes of label files written. */
  bytesWritten: number;
  elapsedMs: number;
}

export interface DecodeFailure {
  /** The input as the user named it (a folder's files as FOLDER/NAME). */
  file: string;
  code: string;
  message: string;
}

export interface DecodeFilesSummary {
  files: number;
  decoded: number;
  points: number;
  outDir: string;
  format: ExportFormat;
  seconds: number;
  failures: DecodeFailure[];
}

interface Input {
  /** As shown to the user. */
  shown: string;
  path: string;
  /** The label file's name in the output folder. */
  outName: string;
}

/** Decodes every input; resolves with what happened to each (throws only when the output folder is unusable). */
export async function decodeFiles(options: DecodeFilesOptions): Promise<DecodeFilesSummary> {
  const started = performance.now();
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_THREADS + 1);
  // First: its threads start while this one lists the inputs.
  const pool = threads > 1 ? new MaskDecoderPool({ threads: threads - 1 }) : undefined;
  try {
    return await decodeWith(pool, threads, options, started);
  } finally {
    await pool?.close();
  }
}

async function decodeWith(
  pool: MaskDecoderPool | undefined,
  threads: number,
  options: DecodeFilesOptions,
  started: number,
): Promise<DecodeFilesSummary> {
  const failures: DecodeFailure[] = [];
  const inputs = await listInputs(options, failures);
  await mkdir(options.outDir, { recursive: true });
  const progress: DecodeFilesProgress = {
    files: inputs.length + failures.length,
    decoded: 0,
    failed: failures.length,
    points: 0,
    bytesWritten: 0,
    elapsedMs: 0,
  };
  const { signal } = options;
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.ceil(inputs.length / (threads * BATCHES_PER_THREAD_OVERALL))));
  let next = 0;
  // Ctrl-C stops the handing out; batches already handed out finish, so no label file is cut short.
  const decodeNext = async (here: boolean): Promise<void> => {
    while (next < inputs.length && !signal.aborted) {
      const batch = inputs.slice(next, next + (here ? Math.min(batchSize, MAX_BATCH_HERE) : batchSize));
      next += batch.length;
      const jobs = batch.map((input) => ({ path: input.path, outPath: join(options.outDir, input.outName) }));
      let outcomes: ({ pointCount: number; bytesWritten: number } | { error: unknown })[];
      if (here || pool === undefined) {
        outcomes = jobs.map(({ path, outPath }) => {
          try {
            return writeLabelFile(path, outPath, options.format);
          } catch (error) {
            return { error };
          }
        });
        // The workers' replies, and Ctrl-C, between two batches.
        await nextTurn();
      } else {
        // A worker that dies fails its whole batch (PoolError WORKER_FAILED): every file of it is listed.
        outcomes = await pool
          .writeLabelFiles(jobs, { format: options.format })
          .catch((error: unknown) => batch.map(() => ({ error })));
      }
      outcomes.forEach((outcome, i) => {
        if ('error' in outcome) {
          progress.failed++;
          failures.push({ file: batch[i]!.shown, ...failureOf(outcome.error) });
        } else {
          progress.decoded++;
          progress.points += outcome.pointCount;
          progress.bytesWritten += outcome.bytesWritten;
        }
      });
      progress.elapsedMs = performance.now() - started;
      options.onProgress(progress);
    }
  };
  const lanes = pool ? Math.min(pool.threads * BATCHES_PER_THREAD, Math.ceil(inputs.length / batchSize)) : 0;
  await Promise.all([decodeNext(true), ...Array.from({ length: lanes }, () => decodeNext(false))]);
  signal.throwIfAborted();
  return {
    files: progress.files,
    decoded: progress.decoded,
    points: progress.points,
    outDir: options.outDir,
    format: options.format,
    seconds: (performance.now() - started) / 1000,
    failures,
  };
}

/** The files to decode, in the order given (a folder's in name order); an argument that is neither is a failure. */
async function listInputs(options: DecodeFilesOptions, failures: DecodeFailure[]): Promise<Input[]> {
  const found: { shown: string; path: string }[] = [];
  for (const arg of options.args) {
    const path = resolve(options.cwd, arg);
    try {
      if (!(await stat(path)).isDirectory()) {
        found.push({ shown: arg, path });
        continue;
      }
      const entries = await readdir(path, { withFileTypes: true });
      const names = entries.filter((entry) => entry.isFile() && MASK_FILE.test(entry.name)).map((entry) => entry.name);
      for (const name of names.sort()) found.push({ shown: join(arg, name), path: join(path, name) });
    } catch (error) {
      failures.push({ file: arg, ...failureOf(error) });
    }
  }
  // One output per input: two inputs that would share a name (a.json and a.pcd, or one name in two folders) would
  // overwrite each other, so the later ones fail instead.
  const owners = new Map<string, string>();
  const inputs: Input[] = [];
  for (const { shown, path } of found) {
    const outName = outputName(path, options.format);
    const owner = owners.get(outName);
    if (owner === undefined) {
      owners.set(outName, shown);
      inputs.push({ shown, path, outName });
    } else {
      failures.push({ file: shown, code: 'DUPLICATE_OUTPUT', message: `${outName} is already the output of ${owner}` });
    }
  }
  return inputs;
}

/** `scans/0001.json` -> `0001.npy`: the input's name with the format's extension for its own. */
function outputName(path: string, format: ExportFormat): string {
  const name = basename(path);
  return `${name.slice(0, name.length - extname(name).length) || name}${FORMATS[format].labelExtension}`;
}

function failureOf(error: unknown): { code: string; message: string } {
  if (isSystemError(error)) return { code: error.code, message: describeSystemError(error) };
  if (error instanceof PlaymentMasksError) return { code: error.code, message: error.message };
  throw error;
}

/** `[#####...............] 120/500 files  2 failed  12.0M points  22.9 MiB written  ETA 0:14` */
export const DECODE_PROGRESS: ProgressFormat<DecodeFilesProgress> = {
  bar: (progress) => `${barOf(doneOf(progress) / Math.max(1, progress.files))} ${counts(progress)}`,
  line: (progress) => `decode: ${counts(progress).replaceAll('  ', ', ')}`,
};

function counts(progress: DecodeFilesProgress): string {
  const done = doneOf(progress);
  const eta = done === 0 ? '?' : formatDuration(((progress.files - done) * progress.elapsedMs) / done);
  return [
    `${done}/${progress.files} files`,
    ...(progress.failed > 0 ? [`${progress.failed} failed`] : []),
    `${(progress.points / 1e6).toFixed(1)}M points`,
    `${formatBytes(progress.bytesWritten)} written`,
    `ETA ${eta}`,
  ].join('  ');
}

function doneOf(progress: DecodeFilesProgress): number {
  return progress.decoded + progress.failed;
}
