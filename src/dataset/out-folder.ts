// The folder a `dataset` target writes: missing, empty, or one this target built before (known by its marker file),
// whose entries are then removed and rebuilt. Files are written whole under their final names (writeFileAtomic).
import { link, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../export/files.js';
import { DatasetError } from './dataset-error.js';

/** Empties `out` of `entries` (the target's own) unless it holds something else; `marker` names a built tree. */
export async function prepareOut(out: string, marker: string, entries: readonly string[]): Promise<void> {
  const names = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  if (names.length > 0 && !names.includes(marker)) {
    throw new DatasetError('OUT_NOT_EMPTY', `${out} is neither empty nor a tree this command built`);
  }
  for (const name of entries) await rm(join(out, name), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
}

/** A hard link to `source` (a symbolic link where the file system refuses one). */
export async function linkFile(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    await symlink(source, target);
  }
}

export async function writeText(dir: string, name: string, text: string): Promise<void> {
  await writeFileAtomic(dir, name, [Buffer.from(text, 'utf8')]);
}
