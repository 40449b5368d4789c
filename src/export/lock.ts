// One export at a time per output folder: a second run would delete the first one's temporary files.
//
// The lock file only ever appears complete: it is written under a temporary name and link()ed into place, which
// fails if any lock exists. A lock whose process is gone is replaced by an atomic rename, and only by the process
// that first claims that very lock, with a claim file taken the same way (the claim of a claimer that died is itself
// a stale lock, taken over by the same rule). A reused process id is told apart by the process's start time.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LockRecord, OutputLockedError } from './output-locked-error.js';

const LOCK_NAME = '.playment-masks.lock';
// Folders this process exports into right now: its own pid in a lock file is then no stale leftover.
const held = new Set<string>();

interface Holder {
  /** The file's text, compared byte for byte before it is replaced. */
  text: string;
  /** Names the claim file: the nonce, or a digest of a lock this version did not write. */
  id: string;
  record: Partial<LockRecord> | undefined;
}

/**
 * Takes the folder's lock file and returns its release. A lock left behind by a process that no longer runs (killed)
 * is taken over; a live holder, or one that cannot be checked (another host), makes it throw OutputLockedError.
 */
export async function lockOutput(dir: string): Promise<() => Promise<void>> {
  const path = resolve(dir, LOCK_NAME);
  if (held.has(path)) throw new OutputLockedError(dir, path, ownRecord(''));
  held.add(path);
  const record = ownRecord(randomUUID());
  const text = `${JSON.stringify(record)}\n`;
  const temp = `${path}.${record.nonce}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    try {
      const live = await acquire(path, temp, text);
      if (live) throw new OutputLockedError(dir, path, live.record);
    } finally {
      await rm(temp, { force: true });
    }
  } catch (error) {
    held.delete(path);
    throw error;
  }
  return async () => {
    // Removed only while it is still this process's (it always should be).
    if ((await readText(path)) === text) await rm(path, { force: true });
    held.delete(path);
  };
}

/** Makes `path` a link to `temp` (whose text is `text`); resolves to the live holder instead if there is one. */
async function acquire(path: string, temp: string, text: string): Promise<Holder | undefined> {
  for (;;) {
    if (await linked(temp, path)) return undefined;
    const holder = await readHolder(path);
    if (!holder) continue; // released meanwhile
    if (!isStale(holder.record)) return holder;
    // Only the process that claims this stale lock replaces it; the others wait and look again.
    const claim = `${path}.${holder.id}`;
    const claimant = await acquire(claim, temp, text);
    if (claimant) {
      await sleep(5 + Math.random() * 20);
      continue;
    }
    try {
      if ((await readText(path)) === holder.text) {
        const replacement = `${temp}.${holder.id}`;
        await link(temp, replacement);
        await rename(replacement, path);
      }
      // Re-check: the lock is this process's only if it holds this process's text now.
      if ((await readText(path)) === text) return undefined;
    } finally {
      await rm(claim, { force: true });
    }
  }
}

async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const record = parseRecord(text);
  const id =
    typeof record?.nonce === 'string' && /^[0-9a-f-]{36}$/.test(record.nonce)
      ? record.nonce
      : createHash('sha256').update(text).digest('hex').slice(0, 32);
  return { text, id, record };
}

// This version's JSON line, or the bare pid that earlier versions wrote.
function parseRecord(text: string): Partial<LockRecord> | undefined {
  if (/^\d+$/.test(text.trim())) return { pid: Number(text.trim()) };
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    return value !== null && typeof value === 'object' && Number.isSafeInteger(value.pid) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A lock of this host whose process is gone, or whose pid now belongs to a process started at another time. */
function isStale(record: Partial<LockRecord> | undefined): boolean {
  if (!record || !Number.isSafeInteger(record.pid) || record.pid! <= 0) return false;
  if (record.host !== undefined && record.host !== hostname()) return false;
  const pid = record.pid!;
  // This process's own pid, in a folder it does not hold: a dead process had the same id.
  if (pid === process.pid) return true;
  if (!isAlive(pid)) return true;
  if (record.boot === undefined || record.start_ticks === undefined) return false;
  const now = processStart(pid);
  return now !== undefined && (now.boot !== record.boot || now.ticks !== record.start_ticks);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownRecord(nonce: string): LockRecord {
  const start = processStart(process.pid);
  const record: LockRecord = {
    pid: process.pid,
    host: hostname(),
    started: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    nonce,
  };
  if (start) {
    record.boot = start.boot;
    record.start_ticks = start.ticks;
  }
  return record;
}

/** Linux: the boot id and a process's start time (field 22 of /proc/PID/stat); undefined elsewhere. */
function processStart(pid: number): { boot: string; ticks: number } | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? { boot, ticks } : undefined;
  } catch {
    return undefined;
  }
}
