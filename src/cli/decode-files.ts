// `decode FILE... --out DIR`: many mask files decoded on every core, one label file per input. Each thread reads a
// mask and writes its label file itself, start to end (LabelFileThreads): this thread is one of the `threads`, and
// decodes from the start, while the workers are still starting. A file that fails is listed, not fatal.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { isSystemError, PlaymentMasksError } from '../errors.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';
import { MAX_THREADS } from '../pool/max-threads.js';
import { LabelFileThreads } from '../pool/label-file-threads.js';
import { fileIdentity } from './file-identity.js';
import { describeSystemError } from './messages.js';
import { barOf, formatBytes, formatDuration, type ProgressFormat } from './progress.js';

/** The files a folder argument stands for: mask text (.json) and legacy PCD masks (.pcd), not hidden ones. */
const MASK_FILE = /^[^.].*\.(json|pcd)$/i;

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
  // First: the workers start while this thread lists the inputs.
  const threads = new LabelFileThreads((options.threads ?? Math.min(availableParallelism(), MAX_THREADS + 1)) - 1);
  try {
    return await decodeWith(threads, options, started);
  } finally {
    await threads.close();
  }
}

async function decodeWith(
  threads: LabelFileThreads,
  options: DecodeFilesOptions,
  started: number,
): Promise<DecodeFilesSummary> {
  const failures: DecodeFailure[] = [];
  const inputs = listInputs(options, failures);
  mkdirSync(options.outDir, { recursive: true });
  const progress: DecodeFilesProgress = {
    files: inputs.length + failures.length,
    decoded: 0,
    failed: failures.length,
    points: 0,
    bytesWritten: 0,
    elapsedMs: 0,
  };
  const jobs = inputs.map((input) => ({ path: input.path, outPath: join(options.outDir, input.outName) }));
  // Listed in the order of the inputs, whichever thread finished first.
  const fileFailures: (DecodeFailure & { index: number })[] = [];
  // Ctrl-C stops the handing out; files already taken finish, so no label file is cut short.
  await threads.run(jobs, {
    format: options.format,
    signal: options.signal,
    onOutcome: (index, outcome) => {
      if ('error' in outcome) {
        progress.failed++;
        fileFailures.push({ index, file: inputs[index]!.shown, ...failureOf(outcome.error) });
      } else {
        progress.decoded++;
        progress.points += outcome.pointCount;
        progress.bytesWritten += outcome.bytesWritten;
      }
      progress.elapsedMs = performance.now() - started;
      options.onProgress(progress);
    },
  });
  options.signal.throwIfAborted();
  fileFailures.sort((a, b) => a.index - b.index);
  for (const { index: _, ...failure } of fileFailures) failures.push(failure);
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

/**
 * The files to decode, in the order given (a folder's in name order); an argument that is neither is a failure.
 * Synchronous: this thread has nothing else to do yet, and a shell's glob gives one argument per file, whose stat()
 * calls in turn through the thread pool took 7 to 23 ms for 500 files, against 1 to 3 ms.
 */
function listInputs(options: DecodeFilesOptions, failures: DecodeFailure[]): Input[] {
  const found: { shown: string; path: string }[] = [];
  for (const arg of options.args) {
    const path = resolve(options.cwd, arg);
    try {
      if (!statSync(path).isDirectory()) {
        found.push({ shown: arg, path });
        continue;
      }
      const entries = readdirSync(path, { withFileTypes: true });
      const names = entries.filter((entry) => entry.isFile() && MASK_FILE.test(entry.name)).map((entry) => entry.name);
      for (const name of names.sort()) found.push({ shown: join(arg, name), path: join(path, name) });
    } catch (error) {
      failures.push({ file: arg, ...failureOf(error) });
    }
  }
  const outNames = found.map(({ path }) => outputName(path, options.format));
  const replaced = inputsReplaced(found, outNames, options.outDir);
  // One output per input: two inputs that would share a name (a.json and a.pcd, or one name in two folders) would
  // overwrite each other, so the later ones fail instead.
  const owners = new Map<string, string>();
  const inputs: Input[] = [];
  for (const [i, { shown, path }] of found.entries()) {
    const outName = outNames[i]!;
    const owner = owners.get(outName);
    const input = replaced[i];
    if (input !== undefined) {
      const message = `${outName} in the output folder is the input ${input}: writing it would replace that mask`;
      failures.push({ file: shown, code: 'OUTPUT_IS_INPUT', message });
    } else if (owner === undefined) {
      owners.set(outName, shown);
      inputs.push({ shown, path, outName });
    } else {
      failures.push({ file: shown, code: 'DUPLICATE_OUTPUT', message: `${outName} is already the output of ${owner}` });
    }
  }
  return inputs;
}

/**
 * For each input, the input its output would take the place of (itself, or another: `decode a.npy --out .`), if
 * any. Only an output folder that exists can hold an input, and only a name already taken there can be one, so a
 * new folder costs no look at the inputs.
 */
function inputsReplaced(
  found: readonly { shown: string; path: string }[],
  outNames: readonly string[],
  outDir: string,
): (string | undefined)[] {
  if (fileIdentity(outDir) === undefined) return [];
  const outputs = outNames.map((outName) => fileIdentity(join(outDir, outName)));
  if (outputs.every((output) => output === undefined)) return [];
  const inputs = new Map<string, string>();
  for (const { shown, path } of found) {
    const input = fileIdentity(path);
    if (input !== undefined && !inputs.has(input)) inputs.set(input, shown);
  }
  return outputs.map((output) => (output === undefined ? undefined : inputs.get(output)));
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
