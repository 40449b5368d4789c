// One export at a time per output folder: a second run would delete the first one's temporary files.
import { open, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PlaymentMasksError } from '../errors.js';

const LOCK_NAME = '.playment-masks.lock';
// Folders this process exports into right now: its own pid in a lock file is then no stale leftover.
const held = new Set<string>();

/** Another live process is exporting into the same folder. */
export class OutputLockedError extends PlaymentMasksError {
  constructor(dir: string, pid: number) {
    super('OUTPUT_LOCKED', `${dir} is in use by another export (process ${pid})`);
  }
}

/**
 * Takes the folder's lock file (holding this process id) and returns its release. A lock left behind by a process
 * that no longer runs (killed) is taken over.
 */
export async function lockOutput(dir: string): Promise<() => Promise<void>> {
  const path = resolve(dir, LOCK_NAME);
  if (held.has(path)) throw new OutputLockedError(dir, process.pid);
  held.add(path);
  try {
    for (;;) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return async () => {
          await rm(path, { force: true });
          held.delete(path);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isSafeInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new OutputLockedError(dir, holder);
      }
      await rm(path, { force: true });
    }
  } catch (error) {
    held.delete(path);
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
