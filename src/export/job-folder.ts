// What an earlier run left in a job's folder, and the rules for taking it over: when the job is complete (its
// fragment vouches for files of this run's settings, each of the size it must have), which label files can be read
// back instead of fetched, and what must go before this run's files arrive.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FORMATS } from '../formats/index.js';
import type { Reservation } from './budget.js';
import { removeStaleTemps, syncDir } from './files.js';
import { FRAGMENT_NAME } from './index-file.js';
import { instancesFileName } from './instances.js';
import type { JobContext } from './job-context.js';
import { classOfEntry, LEGEND_NAME, readLegend, type JobLegend } from './legend.js';
import { addCount, type MaskKeys, type MaskOutcome, type MaskTarget } from './mask.js';
import { pointsFileSize } from './points.js';
import type { IndexLine } from './records.js';

export const RESULT_NAME = 'result.json';

/** A job an earlier run completed: its legend, and its fragment's lines and text. */
export interface CompleteJob {
  legend: JobLegend;
  lines: IndexLine[];
  fragment: string;
}

/**
 * The job's legend and fragment if an earlier run completed it with this run's settings: the fragment parses, every
 * file it lists is where this run would put it, with the size its point count implies (label, points and instance
 * files), the legend has this run's labels and instances, and (with a --classes table) only classes the table knows.
 */
export async function completeJob(context: JobContext, jobPath: string): Promise<CompleteJob | undefined> {
  const { outDir, format } = context;
  const output = FORMATS[format];
  let fragment: string;
  try {
    fragment = await readFile(join(outDir, jobPath, FRAGMENT_NAME), 'utf8');
  } catch {
    return undefined;
  }
  const lines: IndexLine[] = [];
  try {
    for (const json of fragment.split('\n')) if (json !== '') lines.push(JSON.parse(json) as IndexLine);
  } catch {
    return undefined;
  }
  const sizeOf = (file: string) =>
    stat(join(outDir, file)).then(
      (s) => s.size,
      () => -1,
    );
  const inFolder = (file: unknown, extension: string): file is string =>
    typeof file === 'string' &&
    file.startsWith(`${jobPath}/`) &&
    file.endsWith(extension) &&
    file.indexOf('/', jobPath.length + 1) === -1;
  for (const { file, points, unnamed_points: unnamed } of lines) {
    // Lines of an export that did not count unnamed points: the job is exported again, to count them.
    if (!Number.isSafeInteger(unnamed)) return undefined;
    if (!inFolder(file, output.labelExtension) || !Number.isSafeInteger(points)) return undefined;
    if ((await sizeOf(file)) !== output.labelFileSize(points)) return undefined;
  }
  if (context.withPoints) {
    for (const { points_file: file, points } of lines) {
      if (!inFolder(file, output.points.extension)) return undefined;
      if ((await sizeOf(file)) !== pointsFileSize(points, format)) return undefined;
    }
  }
  const legend = await readLegend(join(outDir, jobPath));
  if (!legend || legend.labels !== context.labels || legend.instances !== context.instances) return undefined;
  if (context.table.isFixed) {
    try {
      for (const entry of legend.legend) context.table.idOf(classOfEntry(entry));
    } catch {
      return undefined;
    }
  }
  if (context.instances && output.instancesExtension !== undefined) {
    for (const line of lines) {
      const file = line.instances_file;
      const expected = `${jobPath}/${instancesFileName(line.file.slice(jobPath.length + 1), format)}`;
      if (typeof file !== 'string' || file !== expected) return undefined;
      if ((await sizeOf(file)) !== output.labelFileSize(line.points)) return undefined;
    }
  }
  return { legend, lines, fragment };
}

/** Makes a job that may have been complete incomplete: its fragment goes, with what a killed run left half-written. */
export async function reopen(jobDir: string): Promise<void> {
  await removeStaleTemps(jobDir);
  // From here on the job is not complete: no fragment may vouch for files that are about to change.
  await rm(join(jobDir, FRAGMENT_NAME), { force: true });
}

/** The result object an earlier run saved, if any, its bytes counted in `memory`. */
export async function readSaved(jobDir: string, memory: Reservation): Promise<Buffer | undefined> {
  const path = join(jobDir, RESULT_NAME);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return undefined;
  await memory.reserve(size);
  return readFile(path).catch(() => undefined);
}

/** Removes every file but the saved result object: files of other settings or other ids, and their legend. */
export async function removeOtherSettings(jobDir: string): Promise<void> {
  const stale = (await readdir(jobDir)).filter((name) => name !== RESULT_NAME);
  for (const name of stale) await rm(join(jobDir, name), { force: true });
  // Gone for good before anything new arrives: an old legend must never come back beside new files.
  if (stale.length > 0) await syncDir(jobDir);
}

/** Removes the saved result object of another labelling: its files may no longer be read back. */
export async function removeSaved(jobDir: string): Promise<void> {
  await rm(join(jobDir, RESULT_NAME), { force: true });
  await syncDir(jobDir);
}

export async function isEmpty(jobDir: string): Promise<boolean> {
  return (await readdir(jobDir)).length === 0;
}

/** Removes what the job's folder holds beyond this run's files (files of other settings, of an older result). */
export async function removeUnwritten(jobDir: string, jobPath: string, lines: readonly IndexLine[]): Promise<void> {
  const keep = new Set([RESULT_NAME, LEGEND_NAME, FRAGMENT_NAME]);
  for (const line of lines) {
    for (const file of [line.file, line.points_file, line.instances_file]) {
      if (file !== undefined) keep.add(file.slice(jobPath.length + 1));
    }
  }
  for (const name of await readdir(jobDir)) if (!keep.has(name)) await rm(join(jobDir, name), { force: true });
}

/**
 * The point count and class counts from a label file (and points and instance files) already in place, if whole. Not
 * with points in a format that leaves some out (kitti), whose files do not tell how many were: those masks are
 * fetched again.
 */
export async function readBack(
  context: JobContext,
  jobDir: string,
  target: MaskTarget,
  { legend, lookups, named }: MaskKeys & { legend: JobLegend },
): Promise<MaskOutcome | undefined> {
  const { format } = context;
  const output = FORMATS[format];
  if (target.points && output.points.dropsNonFinite) return undefined;
  const raw = context.labels === 'raw';
  // Class 0 is then both the unnamed keys and a class left out of --classes: the file cannot tell them apart.
  if (!raw && legend.legend.some((entry) => entry.class === 0)) return undefined;
  const bytes = await readFile(join(jobDir, target.name)).catch(() => undefined);
  const labels = bytes && output.decodeLabels(bytes, context.instances);
  if (!labels) return undefined;
  const sizeOf = (name: string) =>
    stat(join(jobDir, name)).then(
      (s) => s.size,
      () => -1,
    );
  if (target.points && (await sizeOf(target.points.name)) !== pointsFileSize(labels.length, format)) return undefined;
  if (target.instances && (await sizeOf(target.instances)) !== output.labelFileSize(labels.length)) return undefined;
  const counts = new Uint32Array(0x10000);
  for (const label of labels) counts[label]!++;
  const classCounts = new Map<number, number>();
  let unnamed = 0;
  counts.forEach((count, label) => {
    if (count === 0) return;
    addCount(classCounts, raw ? (lookups.classOf[label] ?? 0) : label, count);
    if (raw ? named[label] !== 1 : label === 0) unnamed += count;
  });
  return { pointCount: labels.length, classCounts, leftOut: 0, unnamed };
}
