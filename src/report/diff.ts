// `--against OLD_EXPORT`: which jobs were added, removed or re-labelled, and per job and class the points whose class
// changed. Classes are matched between the two exports by class_id, else by name (their ids may differ); a class only
// the older export has gets an id past this export's, so that its points still count as changed.
import type { ClassEntry } from '../export/classes.js';
import type { ExportData, ExportJob } from './export-data.js';

/** The two exports' class tables joined: this export's classes, then the older one's that it lacks. */
export interface JoinedClasses {
  classes: ClassEntry[];
  /** Class id in the older export -> class id in `classes`. */
  oldToNew: Uint16Array;
}

function identity(entry: ClassEntry): string {
  if (entry.id === 0) return 'unlabelled';
  return entry.class_id === undefined ? `name:${entry.name}` : `id:${entry.class_id}`;
}

export function joinClasses(current: readonly ClassEntry[], older: readonly ClassEntry[]): JoinedClasses {
  const classes = [...current];
  const byIdentity = new Map(current.map((entry) => [identity(entry), entry.id]));
  let next = current.reduce((max, entry) => Math.max(max, entry.id), 0) + 1;
  const oldToNew = new Uint16Array(older.reduce((max, entry) => Math.max(max, entry.id), 0) + 1);
  for (const entry of older) {
    let id = byIdentity.get(identity(entry));
    if (id === undefined) {
      id = next++;
      byIdentity.set(identity(entry), id);
      classes.push({ ...entry, id, name: `${entry.name} (older export only)` });
    }
    oldToNew[entry.id] = id;
  }
  return { classes, oldToNew };
}

/** Jobs of each export matched by id, and per matched frame its line in the older export. */
export interface JobPairing {
  added: string[];
  removed: string[];
  /** Job id -> (index of a line of this export's job -> the older export's line index), for jobs in both. */
  matched: Map<string, Map<number, number>>;
}

export function pairJobs(current: ExportData, older: ExportData): JobPairing {
  const olderJobs = new Map(older.jobs.map((job) => [job.id, job]));
  const currentIds = new Set(current.jobs.map((job) => job.id));
  const matched = new Map<string, Map<number, number>>();
  for (const job of current.jobs) {
    const old = olderJobs.get(job.id);
    if (old) matched.set(job.id, pairLines(job, old));
  }
  return {
    added: current.jobs.filter((job) => !olderJobs.has(job.id)).map((job) => job.id),
    removed: older.jobs.filter((job) => !currentIds.has(job.id)).map((job) => job.id),
    matched,
  };
}

function lineKey(line: { frame_id: unknown; sensor_id: unknown }, occurrence: number): string {
  return JSON.stringify([String(line.frame_id), String(line.sensor_id), occurrence]);
}

function pairLines(job: ExportJob, old: ExportJob): Map<number, number> {
  const keys = (lines: ExportJob['lines']) => {
    const seen = new Map<string, number>();
    return lines.map((line) => {
      const base = lineKey(line, 0);
      const occurrence = seen.get(base) ?? 0;
      seen.set(base, occurrence + 1);
      return lineKey(line, occurrence);
    });
  };
  const oldIndex = new Map(keys(old.lines).map((key, i) => [key, i]));
  const pairs = new Map<number, number>();
  keys(job.lines).forEach((key, i) => {
    const j = oldIndex.get(key);
    if (j !== undefined) pairs.set(i, j);
  });
  return pairs;
}

/** The changes found in one job: per class, points that changed to it and from it; and the frames that changed. */
export interface JobChanges {
  jobId: string;
  to: Map<number, number>;
  from: Map<number, number>;
  /** Line indexes of frames with changed points. */
  changedLines: number[];
  /** Frames only one of the two exports has, or whose point counts differ. */
  unmatchedFrames: number;
}

export function addCounts(into: Map<number, number>, counts: readonly [number, number][]): void {
  for (const [id, points] of counts) into.set(id, (into.get(id) ?? 0) + points);
}
