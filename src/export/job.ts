// One job of the batch: result object -> masks -> mask bytes -> pool decode -> label files -> the job's fragment.
import { setMaxListeners } from 'node:events';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchJob, PlaymentClient } from '../api/index.js';
import { PlaymentMasksError } from '../errors.js';
import { ExportError } from './export-error.js';
import type { MaskDecoderPool } from '../pool/index.js';
import type { Slots } from '../pool/slots.js';
import { describeResult, type KeyMeaning, type MaskRef } from '../result/index.js';
import { parseResultObject } from '../result/parse.js';
import type { ClassTable } from './classes.js';
import type { ByteBudget, Reservation } from './budget.js';
import { AtomicFile, ownDirectory, removeStaleTemps, safeName, syncDir, writeFileAtomic } from './files.js';
import { type ExportFormat, FORMATS } from '../formats/index.js';
import { classHistogram, completeFragment, FRAGMENT_NAME, labelledPoints, writeFragment } from './index-file.js';
import { instancesFileName } from './instances.js';
import {
  buildLegend,
  classOfEntry,
  keyLookups,
  LEGEND_NAME,
  readLegend,
  sameLegend,
  writeLegend,
  type JobLegend,
  type KeyLookups,
  type LabelMode,
} from './legend.js';
import type { IndexLine } from './records.js';
import { histogramOf, pickPoints, pointsFile, pointsFileSize, type PointsTarget } from './points.js';
import type { ProgressCounters } from './progress.js';
import { recoverRemap } from './remap.js';
import { plannedMasks, type PlannedMask } from './result-plan.js';

/** Folder (relative to the output folder) that holds the jobs' folders. */
export const JOBS_DIR = 'jobs';
export const RESULT_NAME = 'result.json';

/** A job that its batch page lists without a usable id or reference_id. */
export class InvalidResultError extends PlaymentMasksError {
  constructor(message: string) {
    super('INVALID_RESULT', message);
  }
}

export interface JobContext {
  client: PlaymentClient;
  pool: MaskDecoderPool;
  projectId: string;
  outDir: string;
  format: ExportFormat;
  /** Also fetch, check and write each mask's point cloud (see points.ts). */
  withPoints: boolean;
  labels: LabelMode;
  instances: boolean;
  /** Fetch the result object of a complete job again, and export the job again if it changed. */
  refresh: boolean;
  /** A job where no point has a class fails (NO_LABELS) instead of being exported with a warning. */
  requireLabels: boolean;
  table: ClassTable;
  /** Shared by every job: bounds the masks in flight (download, decode, write) across the whole export. */
  maskSlots: Slots;
  /** Shared by every job: bounds the bytes of the bodies in flight (result objects, masks, point clouds). */
  budget: ByteBudget;
  /** The largest result object, mask and point cloud accepted (RESPONSE_TOO_LARGE). */
  limits: BodyLimits;
  progress: ProgressCounters;
}

export interface BodyLimits {
  result: number;
  mask: number;
  pointCloud: number;
}

/** The output path of a job's folder, relative to the output folder. */
export function jobPathOf(jobId: string): string {
  return `${JOBS_DIR}/${safeName(jobId)}`;
}

/** How a job ended: exported now, or `resumed` (complete from an earlier run); the legend and fragment on disk. */
export interface JobOutcome {
  resumed: boolean;
  legend: JobLegend;
  /** The text of the job's fragment (its index lines). */
  fragment: string;
}

/**
 * Exports one job, or recognises it as complete from an earlier run with the same settings (then no request is made,
 * unless `refresh` asks to compare its result object with the one saved). Label files that an interrupted run of
 * the job wrote are read back, not fetched, when the result object, the settings and the ids (legend.json) are
 * unchanged. Rejects on the first failing mask, after the job's other masks have stopped.
 */
export async function exportJob(context: JobContext, job: BatchJob, signal: AbortSignal): Promise<JobOutcome> {
  const jobPath = jobPathOf(job.id);
  const jobDir = join(context.outDir, jobPath);
  // A planted link must not lead reads of a "complete" job, nor any write or delete, to another folder.
  const fresh = await ownDirectory(jobDir, jobPath);
  if (!fresh) await recoverRemap(jobDir);
  const plan = await takeResult(context, job, jobPath, fresh, signal);
  if ('resumed' in plan) return plan;
  try {
    return { resumed: false, ...(await exportMasks(context, job, jobPath, plan, signal)) };
  } finally {
    await plan.pending?.discard();
  }
}

/** What a job keeps of its result object while its masks are exported. */
interface JobPlan {
  /** Undefined where the job takes its ids only when its first mask is ready to decode (see exportMasks()). */
  legend: JobLegend | undefined;
  meanings: KeyMeaning[];
  masks: PlannedMask[];
  /** The result object is the one saved beside label files of an earlier run: they may be read back. */
  sameResult: boolean;
  /** The result object in a temporary file, renamed into place once the masks all are. */
  pending: AtomicFile | undefined;
  /** The job's folder was created by this run: it holds nothing but what this run writes. */
  fresh: boolean;
}

/**
 * Fetches the job's result object and puts it on disk; resolves to its plan, or to the job's outcome when it is
 * complete from an earlier run. A function of its own so that the bytes and the parsed object die with its frame:
 * they are held, and counted in the byte budget, only until they are parsed and on disk (an async function's locals
 * live on for as long as it waits). In a `fresh` folder there is nothing of an earlier run to look for.
 */
async function takeResult(
  context: JobContext,
  job: BatchJob,
  jobPath: string,
  fresh: boolean,
  signal: AbortSignal,
): Promise<JobPlan | JobOutcome> {
  const { outDir, format, table } = context;
  const jobDir = join(outDir, jobPath);
  const complete = fresh ? undefined : await completeJob(context, jobPath);
  const memory = context.budget.open(signal);
  let pending: AtomicFile | undefined;
  try {
    let resultBytes: Uint8Array | undefined;
    if (complete) {
      const resume = (): JobOutcome => {
        if (context.requireLabels && labelledPoints(complete.lines) === 0) throw noLabels();
        table.see(complete.legend.legend.map((entry) => classOfEntry(entry)));
        return { resumed: true, ...complete };
      };
      if (!context.refresh) return resume();
      resultBytes = await fetchResult(context, job, signal, memory);
      const saved = await readSaved(jobDir, memory);
      if (saved?.equals(resultBytes)) return resume();
    }
    if (!fresh) {
      await removeStaleTemps(jobDir);
      // From here on the job is not complete: no fragment may vouch for files that are about to change.
      await rm(join(jobDir, FRAGMENT_NAME), { force: true });
    }

    resultBytes ??= await fetchResult(context, job, signal, memory);
    const description = describeResult(parseResultObject(resultBytes));
    const meanings = description.keys;
    const masks = plannedMasks(description, format, context.withPoints);
    if (fresh && !table.isFixed) {
      // Its classes count for the ids from now on; its own ids wait (see exportMasks()).
      table.see(meanings.map((meaning) => meaning.jobClass));
      await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
      return { legend: undefined, meanings, masks, sameResult: false, pending: undefined, fresh };
    }
    const legend = buildLegend(meanings, table, context.labels, context.instances);
    // An interrupted earlier run of this job left the same result object: the label files it renamed into place are
    // complete (atomic writes) and hold this object's masks, so they are read back instead of fetched again.
    const previous = fresh ? undefined : await readSaved(jobDir, memory);
    // Label files written with other settings or other ids are of no use, and must not be taken for this run's.
    if (!fresh && !sameLegend(await readLegend(jobDir), legend)) {
      const stale = (await readdir(jobDir)).filter((name) => name !== RESULT_NAME);
      for (const name of stale) await rm(join(jobDir, name), { force: true });
      // Gone for good before anything new arrives: an old legend must never come back beside new files.
      if (stale.length > 0) await syncDir(jobDir);
    }
    const sameResult = previous?.equals(resultBytes) === true;
    // A saved result object vouches for the label files beside it: into an empty folder it is saved at once (what an
    // interruption leaves can be read back); otherwise (a changed result object, files of an older one around) the
    // old one goes first and the new one waits in a temporary file, renamed into place once its masks all are.
    const saveFirst = fresh || (previous === undefined && (await readdir(jobDir)).length === 0);
    if (saveFirst) {
      await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
    } else if (!sameResult) {
      pending = await AtomicFile.create(jobDir, RESULT_NAME);
      await pending.write(resultBytes);
    }
    if (previous !== undefined && !sameResult) {
      await rm(join(jobDir, RESULT_NAME), { force: true });
      await syncDir(jobDir);
    }
    // Over files of other settings the legend must be on disk before the new files are. In an empty folder a legend
    // lost in a crash costs only a refetch: files without their legend are never read back.
    await writeLegend(jobDir, legend, LEGEND_NAME, { sync: !saveFirst });
    if (!saveFirst) await syncDir(jobDir);
    return { legend, meanings, masks, sameResult, pending, fresh };
  } catch (error) {
    await pending?.discard();
    throw error;
  } finally {
    memory.close();
  }
}

/** What the job's label files hold for its keys, and the class names of its histograms. */
interface JobKeys {
  legend: JobLegend;
  lookups: KeyLookups;
  /** The tables the decoding worker maps the keys through: class ids (with class labels), then instance ids. */
  tables: Uint16Array[];
  names: Map<number, string>;
  /** `named[key]` is 1 for every key the result names. */
  named: Uint8Array;
}

/**
 * The job's masks, once its result object is on disk (or `pending`, renamed into place once they all are). Resolves
 * to the job's legend and fragment text. A job in a folder of its own with ids assigned from the classes seen takes
 * its ids when its first mask is ready to decode, not when its result object came: by then the jobs started around
 * it have shown their classes too, so fewer jobs hold ids that move and that the end of the run must rewrite.
 */
async function exportMasks(
  context: JobContext,
  job: BatchJob,
  jobPath: string,
  plan: JobPlan,
  signal: AbortSignal,
): Promise<{ legend: JobLegend; fragment: string }> {
  const { outDir, format, table } = context;
  const { sameResult, pending } = plan;
  const jobDir = join(outDir, jobPath);
  let keys: Promise<JobKeys> | undefined;
  const keysOf = (): Promise<JobKeys> =>
    (keys ??= (async () => {
      let { legend } = plan;
      if (!legend) {
        legend = buildLegend(plan.meanings, table, context.labels, context.instances);
        // Before the label files, which are never read back without it; in an empty folder a lost one costs a refetch.
        await writeLegend(jobDir, legend, LEGEND_NAME, { sync: false });
      }
      const lookups = keyLookups(legend);
      const tables = [
        ...(context.labels === 'class' ? [lookups.classOf] : []),
        ...(context.instances ? [lookups.instanceOf] : []),
      ];
      const named = new Uint8Array(lookups.classOf.length);
      for (const entry of legend.legend) named[entry.key] = 1;
      return { legend, lookups, tables, names: classNamesOf(legend, table), named };
    })());
  const stop = new AbortController();
  const maskSignal = AbortSignal.any([signal, stop.signal]);
  setMaxListeners(0, maskSignal);
  const settled = await Promise.allSettled(
    plan.masks.map(async ({ mask, name, points }): Promise<IndexLine> => {
      try {
        if (points instanceof Error) throw points;
        const instances = context.instances ? instancesFileName(name, format) : undefined;
        const target = { name, points, instances };
        const decoded =
          (sameResult && (await writtenBefore(context, jobDir, target, await keysOf()))) ||
          (await exportMask(context, mask, jobDir, target, keysOf, maskSignal));
        const { names } = await keysOf();
        return {
          job_id: job.id,
          reference_id: job.reference_id,
          frame_id: mask.frameId,
          sensor_id: mask.sensorId,
          points: decoded.pointCount,
          file: `${jobPath}/${name}`,
          histogram: classHistogram(decoded.classCounts, names),
          ...(points && { points_file: `${jobPath}/${points.name}` }),
          ...(instances && { instances_file: `${jobPath}/${instances}` }),
          ...(points && FORMATS[format].points.dropsNonFinite && { points_left_out: decoded.leftOut }),
          unnamed_points: decoded.unnamed,
        };
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }),
  );
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw stop.signal.reason ?? failed.reason;
  const { legend } = await keysOf();
  const lines = settled.map((outcome) => (outcome as PromiseFulfilledResult<IndexLine>).value);
  if (context.requireLabels && labelledPoints(lines) === 0) throw noLabels();
  await pending?.commit();
  if (!plan.fresh) await removeUnwritten(jobDir, jobPath, lines);
  // The masks' renames must be durable before the fragment that declares them complete. The fragment's own rename
  // need not be: lost in a crash, it leaves the job incomplete, and a rerun redoes it, reading its files back.
  await syncDir(jobDir);
  return { legend, fragment: await writeFragment(jobDir, lines) };
}

/**
 * The job result's result object, fetched through the attachment endpoint within maxResultBytes, its bytes counted
 * in `memory`. Throws ApiError `NO_RESULT` without one.
 */
async function fetchResult(
  context: JobContext,
  job: BatchJob,
  signal: AbortSignal,
  memory: Reservation,
): Promise<Uint8Array> {
  const { client, projectId, progress } = context;
  const resultUrl = await client.resultUrl(projectId, job.id, { signal });
  const bytes = await client.attachment(resultUrl, { signal, maxBytes: context.limits.result, memory });
  progress.bytesDownloaded += bytes.length;
  return bytes;
}

/** The result object an earlier run saved, if any, its bytes counted in `memory`. */
async function readSaved(jobDir: string, memory: Reservation): Promise<Buffer | undefined> {
  const path = join(jobDir, RESULT_NAME);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return undefined;
  await memory.reserve(size);
  return readFile(path).catch(() => undefined);
}

/** Class id -> name for the job's histograms: the table's names, else the annotations'. */
function classNamesOf(legend: JobLegend, table: ClassTable): Map<number, string> {
  const names = new Map<number, string>([[0, table.nameOf(0) ?? 'unlabelled']]);
  for (const entry of legend.legend) {
    if (!names.has(entry.class)) names.set(entry.class, table.nameOf(entry.class) ?? entry.name);
  }
  return names;
}

/**
 * The job's legend and fragment if an earlier run completed it with this run's settings: format, points, labels,
 * instances, and (with a --classes table) classes that the table knows.
 */
async function completeJob(
  context: JobContext,
  jobPath: string,
): Promise<{ legend: JobLegend; fragment: string; lines: IndexLine[] } | undefined> {
  const { outDir, format } = context;
  const fragment = await completeFragment(outDir, jobPath, format, context.withPoints);
  if (!fragment) return undefined;
  const { lines } = fragment;
  const legend = await readLegend(join(outDir, jobPath));
  if (!legend || legend.labels !== context.labels || legend.instances !== context.instances) return undefined;
  if (context.table.isFixed) {
    try {
      for (const entry of legend.legend) context.table.idOf(classOfEntry(entry));
    } catch {
      return undefined;
    }
  }
  if (context.instances && FORMATS[format].instancesExtension !== undefined) {
    for (const line of lines) {
      const file = line.instances_file;
      const expected = `${jobPath}/${instancesFileName(line.file.slice(jobPath.length + 1), format)}`;
      if (typeof file !== 'string' || file !== expected) return undefined;
      const size = await stat(join(outDir, file)).then(
        (s) => s.size,
        () => -1,
      );
      if (size !== FORMATS[format].labelFileSize(line.points)) return undefined;
    }
  }
  return { legend, fragment: fragment.text, lines };
}

/** Removes what the job's folder holds beyond this run's files (files of other settings, of an older result). */
async function removeUnwritten(jobDir: string, jobPath: string, lines: readonly IndexLine[]): Promise<void> {
  const keep = new Set([RESULT_NAME, LEGEND_NAME, FRAGMENT_NAME]);
  for (const line of lines) {
    for (const file of [line.file, line.points_file, line.instances_file]) {
      if (file !== undefined) keep.add(file.slice(jobPath.length + 1));
    }
  }
  for (const name of await readdir(jobDir)) if (!keep.has(name)) await rm(join(jobDir, name), { force: true });
}

interface MaskTarget {
  /** The label file's name. */
  name: string;
  points: PointsTarget | undefined;
  /** The instance file's name (npy and bin with --instances). */
  instances: string | undefined;
}

interface MaskOutcome {
  /** Labels written. */
  pointCount: number;
  /** Points per class id. */
  classCounts: Map<number, number>;
  /** kitti with points: the mask's points left out of the files for a non-finite x, y or z. */
  leftOut: number;
  /** Points whose key the result does not name. */
  unnamed: number;
}

async function exportMask(
  context: JobContext,
  mask: MaskRef,
  jobDir: string,
  target: MaskTarget,
  keysOf: () => Promise<JobKeys>,
  signal: AbortSignal,
): Promise<MaskOutcome> {
  const { client, pool, format, maskSlots, limits, progress } = context;
  await maskSlots.acquire(signal);
  // Opened once the slot is held: a reservation then waits only for its own bytes (see ByteBudget).
  const memory = context.budget.open(signal);
  try {
    const bytes = await client.attachment(mask.labelUrl, { signal, maxBytes: limits.mask, memory });
    progress.bytesDownloaded += bytes.length;
    const { lookups, tables, named } = await keysOf();
    // Class and instance ids come back from the worker with the keys.
    const classes = context.labels === 'class';
    const decoded = await pool.decode(bytes, { transfer: true, signal, lookups: tables });
    let { histogram, pointCount } = decoded;
    let labels = classes ? decoded.mapped[0]! : decoded.labels;
    let instances = context.instances ? decoded.mapped.at(-1) : undefined;
    let leftOut = 0;
    if (target.points) {
      const pcd = await client.attachment(target.points.url, { signal, maxBytes: limits.pointCloud, memory });
      progress.bytesDownloaded += pcd.length;
      const where = `frame ${mask.frameId} sensor ${mask.sensorId}`;
      const file = pointsFile(pcd, pointCount, format, where);
      // The labels of points left out of the points file are left out of the label file too.
      if (file.kept) {
        const { kept } = file;
        leftOut = pointCount - kept.length;
        pointCount = kept.length;
        histogram = histogramOf(pickPoints(decoded.labels, kept));
        labels = pickPoints(labels, kept);
        instances = instances && pickPoints(instances, kept);
      }
      await writeFileAtomic(jobDir, target.points.name, file.chunks);
    }
    const output = FORMATS[format];
    if (instances && target.instances) await writeFileAtomic(jobDir, target.instances, output.encodeLabels(instances));
    // A format without an instance file holds the ids in its label file.
    const inLabels = target.instances ? undefined : instances;
    await writeFileAtomic(jobDir, target.name, output.encodeLabels(labels, inLabels));
    progress.masksDone++;
    progress.pointsDone += pointCount;
    progress.emit();
    const classCounts = new Map<number, number>();
    let unnamed = 0;
    histogram.forEach((count, key) => {
      if (count === 0) return;
      addCount(classCounts, lookups.classOf[key] ?? 0, count);
      if (named[key] !== 1) unnamed += count;
    });
    return { pointCount, classCounts, leftOut, unnamed };
  } finally {
    memory.close();
    maskSlots.release();
  }
}

function addCount(counts: Map<number, number>, id: number, count: number): void {
  counts.set(id, (counts.get(id) ?? 0) + count);
}

/**
 * The point count and class counts from a label file (and points and instance files) already in place, if whole. Not
 * with points in a format that leaves some out (kitti), whose files do not tell how many were: those masks are
 * fetched again.
 */
async function writtenBefore(
  context: JobContext,
  jobDir: string,
  target: MaskTarget,
  { legend, lookups, named }: JobKeys,
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

function noLabels(): ExportError {
  return new ExportError('NO_LABELS', 'no point of the job has a class (every label_key is unnamed)');
}
