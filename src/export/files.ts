// Crash-safe writes: a final name only ever holds a complete file, and an output folder is the run's own.
import { close, closeSync, fsync, open, openSync, renameSync, rmSync, writev, writevSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { PlaymentMasksError } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';

const TEMP_PREFIX = '.~';
const TEMP_SUFFIX = '.tmp';
let tempCounter = 0;

// File descriptors through fs's callbacks, not FileHandle: a FileHandle costs an object, a close promise and its
// bookkeeping per file, ~0.1 ms of the main thread for each of the 4-5 files a job writes.
const openFd = promisify(open);
const writevFd = promisify(writev);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/**
 * A file written atomically: bytes go to a temporary file in the same folder; `commit()` flushes it to disk and
 * renames it over the final name, `discard()` deletes it. A crash at any moment leaves either no file (or the old one)
 * under the final name, or the complete new one.
 */
export class AtomicFile {
  readonly #dir: string;
  readonly #name: string;
  readonly #temp: string;
  /** Undefined once closed: a descriptor number is reused by the next open, so it must never be closed twice. */
  #fd: number | undefined;

  private constructor(dir: string, name: string, temp: string, fd: number) {
    this.#dir = dir;
    this.#name = name;
    this.#temp = temp;
    this.#fd = fd;
  }

  static async create(dir: string, name: string): Promise<AtomicFile> {
    const temp = tempPath(dir);
    return new AtomicFile(dir, name, temp, await openFd(temp, 'wx'));
  }

  /** Appends `chunks`, whole (one system call for all of them, more only where the kernel takes less). */
  async write(...chunks: Uint8Array[]): Promise<void> {
    const fd = this.#open();
    const left = chunks.filter((chunk) => chunk.length > 0);
    while (left.length > 0) {
      let { bytesWritten } = await writevFd(fd, left);
      // A regular file takes at least a byte or fails: nothing taken would loop here for ever.
      if (bytesWritten === 0) throw Object.assign(new Error('a write to the file took no byte'), { code: 'EIO' });
      while (left.length > 0 && bytesWritten >= left[0]!.length) bytesWritten -= left.shift()!.length;
      if (bytesWritten > 0) left[0] = left[0]!.subarray(bytesWritten);
    }
  }

  /** `sync: false` skips the flush, for a file whose loss in a crash costs nothing but work. */
  async commit({ sync = true }: { sync?: boolean } = {}): Promise<void> {
    try {
      if (sync) await fsyncFd(this.#open());
      await this.#close();
      await rename(this.#temp, join(this.#dir, this.#name));
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  async discard(): Promise<void> {
    await this.#close().catch(() => {});
    await rm(this.#temp, { force: true });
  }

  #open(): number {
    if (this.#fd === undefined) throw new Error('the file is closed');
    return this.#fd;
  }

  async #close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeFd(fd);
  }
}

/** Writes `chunks` to `dir/name` atomically (see AtomicFile). */
export async function writeFileAtomic(
  dir: string,
  name: string,
  chunks: readonly Uint8Array[],
  options: { sync?: boolean } = {},
): Promise<void> {
  const file = await AtomicFile.create(dir, name);
  try {
    await file.write(...chunks);
  } catch (error) {
    await file.discard();
    throw error;
  }
  await file.commit(options);
}

/**
 * writeFileAtomic without a flush, blocking: for a thread with nothing else to do meanwhile, which would otherwise
 * wait for four round trips through libuv's thread pool per file. The temporary file goes to `tempDir` (default
 * `dir`; it must be on the same file system).
 */
export function writeFileAtomicSync(dir: string, name: string, chunks: readonly Uint8Array[], tempDir = dir): void {
  const temp = tempPath(tempDir);
  const fd = openSync(temp, 'wx');
  try {
    try {
      const left = chunks.filter((chunk) => chunk.length > 0);
      while (left.length > 0) {
        let written = writevSync(fd, left);
        if (written === 0) throw Object.assign(new Error('a write to the file took no byte'), { code: 'EIO' });
        while (left.length > 0 && written >= left[0]!.length) written -= left.shift()!.length;
        if (written > 0) left[0] = left[0]!.subarray(written);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temp, join(dir, name));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

// The thread id too: worker threads of one process (each with a counter of its own) write into the same folders.
function tempPath(dir: string): string {
  return join(dir, `${TEMP_PREFIX}${process.pid}.${threadId}.${++tempCounter}${TEMP_SUFFIX}`);
}

/** Deletes temporary files that a killed run left in `dir` (call only while no one else writes there). */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
  }
}

/** Makes the renames in `dir` durable. Platforms that cannot open a folder for syncing are skipped. */
export async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openFd(dir, 'r');
    await fsyncFd(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    if (fd !== undefined) await closeFd(fd);
  }
}

/**
 * A folder of the output is a symbolic link, or not a folder: nothing is written or deleted through it (a link
 * planted there would lead the export's writes, and its removal of stale temporary files, out of the folder).
 */
export class OutputPathError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'OutputPathError'>;

  constructor(code: ErrorCodeOf<'OutputPathError'>, message: string) {
    super(code, message);
  }
}

/**
 * Creates `dir` with its missing parents, like `mkdir -p`, but fails where a parent exists and `dir` still cannot
 * be made (Node's recursive mkdir retries that forever on /proc). Resolves to true when this call created `dir`.
 */
async function makeDirectory(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
  }
  await makeDirectory(dirname(dir));
  return mkdir(dir).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    },
  );
}

/**
 * Makes the output folder with its missing parents (see makeDirectory); an existing one may be a link to a folder.
 * OutputPathError `OUTPUT_NOT_A_FOLDER` where it is a file. Resolves to true when it created the folder.
 */
export async function makeOutputFolder(dir: string): Promise<boolean> {
  if (await makeDirectory(dir)) return true;
  if (!(await stat(dir)).isDirectory()) throw new OutputPathError('OUTPUT_NOT_A_FOLDER', `${dir} is not a folder`);
  return false;
}

/**
 * Makes sure `dir` is a real folder of its own, creating it if missing: OutputPathError `OUTPUT_SYMLINK` for a
 * symbolic link (to a folder or not), `OUTPUT_NOT_A_FOLDER` for a file. `shown` names it in the message. Resolves to
 * true when it created `dir`: then it is an empty folder (mkdir fails on any existing path, a link included).
 */
export async function ownDirectory(dir: string, shown: string): Promise<boolean> {
  if (await makeDirectory(dir)) return true;
  const stats = await lstat(dir);
  if (stats.isSymbolicLink()) {
    throw new OutputPathError('OUTPUT_SYMLINK', `${shown} is a symbolic link: the export does not write through it`);
  }
  if (!stats.isDirectory()) throw new OutputPathError('OUTPUT_NOT_A_FOLDER', `${shown} is not a folder`);
  return false;
}
