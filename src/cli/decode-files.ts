// `decode FILE... --out DIR`: many mask files decoded on every core, one label file per input. The workers read the
// masks themselves (MaskDecoderPool.decodeFile), so a mask's bytes never pass through this thread; this thread only
// writes the results, each through a temporary file renamed into place. A file that fails is listed, not fatal.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { PlaymentMasksError } from '../errors.js';
import { writeFileAtomicSync } from '../export/files.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';
import { MaskDecoderPool } from '../pool/index.js';
import { describeSystemError, isSystemError } from './messages.js';
import { barOf, formatBytes, formatDuration, type ProgressFormat } from './progress.js';

/** The files a folder argument stands for: mask text (.json) and legacy PCD masks (.pcd), not hidden ones. */
const MASK_FILE = /^[^.].*\.(json|pcd)$/i;
// Masks in flight per thread: enough that a thread never waits for this one to hand it the next path.
const IN_FLIGHT_PER_THREAD = 3;

export interface DecodeFilesOptions {
  /** Files and folders as the user typed them, resolved against `cwd`. */
  args: readonly string[];
  cwd: string;
  outDir: string;
  format: ExportFormat;
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
  const pool = new MaskDecoderPool(options.threads === undefined ? {} : { threads: options.threads });
  const { signal } = options;
  let next = 0;
  const decodeNext = async (): Promise<void> => {
    while (next < inputs.length && !signal.aborted) {
      const input = inputs[next++]!;
      try {
        const mask = await pool.decodeFile(input.path, { signal });
        const chunks = FORMATS[options.format].encodeLabels(mask.labels);
        // No flush: a file lost in a crash costs only its decode again; the rename still keeps partial files out.
        // Blocking: meanwhile the workers decode the masks queued for them, and this thread has nothing else to do.
        writeFileAtomicSync(options.outDir, input.outName, chunks);
        progress.decoded++;
        progress.points += mask.pointCount;
        progress.bytesWritten += chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
      } catch (error) {
        if (signal.aborted) break;
        progress.failed++;
        failures.push({ file: input.shown, ...failureOf(error) });
      }
      progress.elapsedMs = performance.now() - started;
      options.onProgress(progress);
    }
  };
  try {
    const lanes = Math.max(1, pool.threads * IN_FLIGHT_PER_THREAD);
    await Promise.all(Array.from({ length: Math.min(lanes, inputs.length) }, decodeNext));
  } finally {
    await pool.close();
  }
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
