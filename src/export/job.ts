// A job's life, from its line in a batch page to its fragment on disk, in the order it lives it. This module alone
// moves a job from one state to the next; what it calls does one thing each (job-folder.ts reads what an earlier run
// left, the client fetches, result-plan.ts plans, mask.ts decodes, encodes and writes, index-file.ts indexes).
//
//   listed ─┬─ status not asked for ─────────────────────────────────────> skipped   (no request)
//           ├─ no usable id or reference_id ─────────────────────────────> failed
//           └─ its folder: created now (new) or left by an earlier run (found; an interrupted rewrite of its ids
//              completed first)
//                 found, complete with this run's settings ──────────────> complete, resumed   (no request)
//                 found, complete, --refresh: result fetched, same bytes ─> complete, resumed
//              result fetched, and set against the folder:
//                 new               saved at once
//                 settings changed  legend.json of other settings or ids: every file but result.json removed first
//                 unchanged         the same result object saved: label files in place are read back, not fetched
//                 relabelled        another result object saved: it goes; the new one waits in a temporary file
//                 unsaved           files but no result object: the new one waits in a temporary file
//                 empty             nothing left: saved at once
//              masks written (or read back) ─> result object committed, stray files removed ─> complete
//   any state ── an error ──> failed (the job alone: the run goes on)
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { BatchJob } from '../api/index.js';
import { FORMATS } from '../formats/index.js';
import { describeResult, type KeyMeaning } from '../result/index.js';
import { parseResultObject } from '../result/parse.js';
import type { Reservation } from './budget.js';
import type { ClassTable } from './classes.js';
import { ExportError, InvalidResultError } from './export-error.js';
import { safeName } from './file-names.js';
import { AtomicFile, ownDirectory, syncDir, writeFileAtomic } from './files.js';
import { classHistogram, labelledPoints, writeFragment } from './index-file.js';
import { instancesFileName } from './instances.js';
import type { JobContext } from './job-context.js';
import {
  completeJob,
  isEmpty,
  readBack,
  readSaved,
  removeOtherSettings,
  removeSaved,
  removeUnwritten,
  reopen,
  RESULT_NAME,
  type CompleteJob,
} from './job-folder.js';
import {
  buildLegend,
  classOfEntry,
  keyLookups,
  LEGEND_NAME,
  readLegend,
  sameLegend,
  writeLegend,
  type JobLegend,
} from './legend.js';
import { exportMask, type MaskKeys } from './mask.js';
import type { IndexLine } from './records.js';
import { recoverRemap } from './remap.js';
import { plannedMasks, type PlannedMask } from './result-plan.js';
import { statusKey } from './statuses.js';

/** Folder (relative to the output folder) that holds the jobs' folders. */
export const JOBS_DIR = 'jobs';

/** The output path of a job's folder, relative to the output folder. */
export function jobPathOf(jobId: string): string {
  return `${JOBS_DIR}/${safeName(jobId)}`;
}

/** A job as its batch page lists it: decided from the listing alone, without a request. */
export type ListedJob =
  | { state: 'listed' }
  | { state: 'skipped'; status: string }
  | { state: 'failed'; error: InvalidResultError };

/**
 * The first step of a listed job: skipped when its status is not one of `statuses` (a listing without a status
 * decides nothing: the job's result tells), failed without a string id or a scalar reference_id (copied into every
 * index line and failure: anything else, an array nested 10^4 deep say, would make them fail to serialise).
 */
export function listedJob(job: BatchJob, statuses: ReadonlyMap<string, string> | undefined): ListedJob {
  if (typeof job?.id !== 'string')
    return { state: 'failed', error: new InvalidResultError('the job has no string id') };
  const { status } = job;
  if (statuses && typeof status === 'string' && !statuses.has(statusKey(status))) return { state: 'skipped', status };
  if (!isScalar(job.reference_id)) {
    return { state: 'failed', error: new InvalidResultError("the job's reference_id is not a string") };
  }
  return { state: 'listed' };
}

export function isScalar(value: unknown): value is string | number | null | undefined {
  return value === undefined || value === null || typeof value === 'string' || typeof value === 'number';
}

/** How a listed job ended: `complete`, exported now or `resumed` from an earlier run; its legend and fragment. */
export interface JobOutcome {
  state: 'complete';
  resumed: boolean;
  legend: JobLegend;
  /** The text of the job's fragment (its index lines). */
  fragment: string;
}

/**
 * Takes a listed job to `complete`, or rejects (`failed`) on its first fault, after its other masks have stopped.
 * A job complete from an earlier run with the same settings costs no request, unless `refresh` asks to compare its
 * result object with the one saved. `order` is the job's place in the batch, the priority of its API requests: under
 * a rate limit the jobs started first finish first, so that a stopped export has paid for few half-done jobs.
 */
export async function exportJob(
  context: JobContext,
  job: BatchJob,
  signal: AbortSignal,
  order: number,
): Promise<JobOutcome> {
  const jobPath = jobPathOf(job.id);
  const jobDir = join(context.outDir, jobPath);
  // A planted link must not lead reads of a "complete" job, nor any write or delete, to another folder.
  const created = await ownDirectory(jobDir, jobPath);
  if (!created) await recoverRemap(jobDir);
  const found = created ? undefined : await completeJob(context, jobPath);
  const plan = await takeResult(context, job, jobDir, created, found, signal, order);
  if (plan.state === 'complete') return plan;
  try {
    return { state: 'complete', resumed: false, ...(await writeMasks(context, job, jobPath, plan, signal, order)) };
  } finally {
    await plan.pending?.discard();
  }
}

/** How the result object just fetched stands against the job's folder (see the diagram above). */
type Against = 'new' | 'unchanged' | 'relabelled' | 'unsaved' | 'empty';

/** A job whose result object is fetched and on disk (or pending): what it keeps while its masks are written. */
interface Planned {
  state: 'planned';
  against: Against;
  /** Undefined where the job takes its ids only when its first mask is ready to decode (see writeMasks()). */
  legend: JobLegend | undefined;
  meanings: KeyMeaning[];
  masks: PlannedMask[];
  /** The result object in a temporary file, renamed into place once the masks all are. */
  pending: AtomicFile | undefined;
}

/**
 * From the job's folder to its plan: complete (resumed) when it is, else its result object fetched, set against the
 * folder and put on disk. A function of its own so that the bytes and the parsed object die with its frame: they are
 * held, and counted in the byte budget, only until they are parsed and on disk (an async function's locals live on
 * for as long as it waits).
 */
async function takeResult(
  context: JobContext,
  job: BatchJob,
  jobDir: string,
  created: boolean,
  found: CompleteJob | undefined,
  signal: AbortSignal,
  order: number,
): Promise<Planned | JobOutcome> {
  const memory = context.budget.open(signal);
  let pending: AtomicFile | undefined;
  try {
    let resultBytes: Uint8Array | undefined;
    let saved: Buffer | undefined;
    if (found) {
      if (!context.refresh) return resumed(context, found);
      resultBytes = await fetchResult(context, job, signal, order, memory);
      saved = await readSaved(jobDir, memory);
      if (saved?.equals(resultBytes)) return resumed(context, found);
    }
    if (!created) await reopen(jobDir);
    resultBytes ??= await fetchResult(context, job, signal, order, memory);
    const description = describeResult(parseResultObject(resultBytes));
    const meanings = description.keys;
    const masks = plannedMasks(description, context.format, context.withPoints);
    const { table } = context;
    if (created && !table.isFixed) {
      // Its classes count for the ids from now on; its own ids wait (see writeMasks()).
      table.see(meanings.map((meaning) => meaning.jobClass));
      await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
      return { state: 'planned', against: 'new', legend: undefined, meanings, masks, pending: undefined };
    }
    const legend = buildLegend(meanings, table, context.labels, context.instances);
    if (!created && !found) saved = await readSaved(jobDir, memory);
    // Settings changed: label files written with other settings or other ids must not be taken for this run's.
    if (!created && !sameLegend(found?.legend ?? (await readLegend(jobDir)), legend)) await removeOtherSettings(jobDir);
    const against = created ? 'new' : await standing(jobDir, saved, resultBytes);
    // A saved result object vouches for the label files beside it: into an empty folder it is saved at once (what an
    // interruption leaves can be read back); over files of an older one (or none) the old one goes first and the new
    // one waits in a temporary file, renamed into place once its masks all are.
    const saveFirst = against === 'new' || against === 'empty';
    if (saveFirst) {
      await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
    } else if (against !== 'unchanged') {
      pending = await AtomicFile.create(jobDir, RESULT_NAME);
      await pending.write(resultBytes);
    }
    if (against === 'relabelled') await removeSaved(jobDir);
    // Over files of other settings the legend must be on disk before the new files are. In an empty folder a legend
    // lost in a crash costs only a refetch: files without their legend are never read back.
    await writeLegend(jobDir, legend, LEGEND_NAME, { sync: !saveFirst });
    if (!saveFirst) await syncDir(jobDir);
    return { state: 'planned', against, legend, meanings, masks, pending };
  } catch (error) {
    await pending?.discard();
    throw error;
  } finally {
    memory.close();
  }
}

/** How a fetched result object stands against what an earlier run left (files of other settings already gone). */
async function standing(jobDir: string, saved: Buffer | undefined, result: Uint8Array): Promise<Against> {
  if (saved !== undefined) return saved.equals(result) ? 'unchanged' : 'relabelled';
  return (await isEmpty(jobDir)) ? 'empty' : 'unsaved';
}

/** Complete from an earlier run: its classes count for the table. */
function resumed(context: JobContext, found: CompleteJob): JobOutcome {
  if (context.requireLabels && labelledPoints(found.lines) === 0) throw noLabels();
  context.table.see(found.legend.legend.map((entry) => classOfEntry(entry)));
  return { state: 'complete', resumed: true, legend: found.legend, fragment: found.fragment };
}

/** What the job's label files hold for its keys, and the class names of its histograms. */
interface JobKeys extends MaskKeys {
  legend: JobLegend;
  names: Map<number, string>;
}

/**
 * The job's masks, once its result object is on disk (or pending, renamed into place once they all are). Resolves
 * to the job's legend and fragment text. A job in a folder of its own with ids assigned from the classes seen takes
 * its ids when its first mask is ready to decode, not when its result object came: by then the jobs started around
 * it have shown their classes too, so fewer jobs hold ids that move and that the end of the run must rewrite.
 */
async function writeMasks(
  context: JobContext,
  job: BatchJob,
  jobPath: string,
  plan: Planned,
  signal: AbortSignal,
  order: number,
): Promise<{ legend: JobLegend; fragment: string }> {
  const { outDir, format, table } = context;
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
          (plan.against === 'unchanged' && (await readBack(context, jobDir, target, await keysOf()))) ||
          (await exportMask(context, mask, jobDir, target, keysOf, maskSignal, order));
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
  await plan.pending?.commit();
  if (plan.against !== 'new') await removeUnwritten(jobDir, jobPath, lines);
  // The masks' renames must be durable before the fragment that declares them complete. The fragment's own rename
  // need not be: lost in a crash, it leaves the job incomplete, and a rerun redoes it, reading its files back.
  await syncDir(jobDir);
  return { legend, fragment: await writeFragment(jobDir, lines) };
}

/**
 * The job result's result object, fetched through the attachment endpoint within the result limit, its bytes counted
 * in `memory`. Throws ApiError `NO_RESULT` without one.
 */
async function fetchResult(
  context: JobContext,
  job: BatchJob,
  signal: AbortSignal,
  priority: number,
  memory: Reservation,
): Promise<Uint8Array> {
  const { client, projectId, progress } = context;
  const resultUrl = await client.resultUrl(projectId, job.id, { signal, priority });
  const bytes = await client.attachment(resultUrl, { signal, priority, maxBytes: context.limits.result, memory });
  progress.bytesDownloaded += bytes.length;
  return bytes;
}

/** Class id -> name for the job's histograms: the table's names, else the annotations'. */
function classNamesOf(legend: JobLegend, table: ClassTable): Map<number, string> {
  const names = new Map<number, string>([[0, table.nameOf(0) ?? 'unlabelled']]);
  for (const entry of legend.legend) {
    if (!names.has(entry.class)) names.set(entry.class, table.nameOf(entry.class) ?? entry.name);
  }
  return names;
}

function noLabels(): ExportError {
  return new ExportError('NO_LABELS', 'no point of the job has a class (every label_key is unnamed)');
}
