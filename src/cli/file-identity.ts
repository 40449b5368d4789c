// Which file a path names, for telling whether an output would take an input's place. Device and inode, so that two
// spellings of one file (`a.json` and `./A.JSON` on a case-insensitive disk) are one; lstat, because an output
// renamed over a symbolic link replaces the link and leaves the file it points to as it was.
import { lstatSync } from 'node:fs';

/** The file at `path` as `device:inode`, or undefined where there is none (or it cannot be looked at). */
export function fileIdentity(path: string): string | undefined {
  try {
    const stats = lstatSync(path, { bigint: true, throwIfNoEntry: false });
    return stats && `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}
