// The error of an export refused because another one holds its output folder, and what a lock file holds. Apart
// from lock.ts so that the package's import (which exports the class) does not load the locking itself.
import { PlaymentMasksError } from '../errors.js';

/** What a lock file holds (one JSON line). */
export interface LockRecord {
  pid: number;
  host: string;
  /** When the export started (ISO 8601), for people. */
  started: string;
  /** Linux: the boot and the process's start time in clock ticks since boot, which tell a reused pid apart. */
  boot?: string;
  start_ticks?: number;
  /** Unique per lock: names the claim file of a takeover. */
  nonce: string;
}

/** Another live process is exporting into the same folder (or one this process cannot check). */
export class OutputLockedError extends PlaymentMasksError {
  /** The lock file, to delete by hand when no export is running there. */
  readonly lockFile: string;

  constructor(dir: string, lockFile: string, holder: Partial<LockRecord> | undefined) {
    const who = holder?.pid === undefined ? 'an unreadable lock' : describeHolder(holder);
    super(
      'OUTPUT_LOCKED',
      `${dir} is in use by another export (${who}). If no export is running there (a process id can be reused ` +
        `after a crash or a reboot), delete ${lockFile} and run again.`,
    );
    this.lockFile = lockFile;
  }
}

function describeHolder(holder: Partial<LockRecord>): string {
  const host = holder.host === undefined ? '' : ` on ${holder.host}`;
  const started = holder.started === undefined ? '' : `, started ${holder.started}`;
  return `process ${holder.pid}${host}${started}`;
}
