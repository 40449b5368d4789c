// One job of the batch: result object -> masks -> mask bytes -> pool decode -> label files -> the job's fragment.
import { setMaxListeners } from 'node:events';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { masksOf, type BatchJob, type MaskRef, type PlaymentClient, type ResultObject } from '../api/index.js';
import { PlaymentMasksError } from '../errors.js';
import type { MaskDecoderPool } from '../pool/index.js';
import type { Slots } from '../pool/slots.js';
import { maskFileName, ownDirectory, removeStaleTemps, safeName, syncDir, writeFileAtomic } from './files.js';
import { decodeLabelFile, encodeLabels, extensionOf, type ExportFormat } from './formats.js';
import { classNamesOf, completeFragment, namedHistogram, writeFragment } from './index-file.js';
import type { IndexLine } from './records.js';
import { pointsFile, pointsFileSize, pointsTargetOf, type PointsTarget } from './points.js';
import type { ProgressCounters } from './progress.js';

/** Folder (relative to the output folder) that holds the jobs' folders. */
export const JOBS_DIR = 'jobs';
export const RESULT_NAME = 'result.json';

/** The job's result object is not JSON, or not an object. */
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
  /** Shared by every job: bounds the masks in flight (download, decode, write) across the whole export. */
  maskSlots: Slots;
  progress: ProgressCounters;
}

/** The output path of a job's folder, relative to the output folder. */
export function jobPathOf(jobId: string): string {
  return `${JOBS_DIR}/${safeName(jobId)}`;
}

/**
 * Exports one job, or recognises it as complete from an earlier run (then no request is made). Resolves to true when
 * it was already complete. Label files that an interrupted run of the job wrote are read back, not fetched, when the
 * result object is unchanged. Rejects on the first failing mask, after the job's other masks have stopped.
 */
export async function exportJob(context: JobContext, job: BatchJob, signal: AbortSignal): Promise<boolean> {
  const { client, projectId, outDir, format, progress } = context;
  const jobPath = jobPathOf(job.id);
  const jobDir = join(outDir, jobPath);
  // A planted link must not lead reads of a "complete" job, nor any write or delete, to another folder.
  await ownDirectory(jobDir, jobPath);
  if (await completeFragment(outDir, jobPath, format, context.withPoints)) return true;
  await removeStaleTemps(jobDir);

  const { result: resultUrl, status } = await client.jobResult(projectId, job.id, { signal });
  if (typeof resultUrl !== 'string' || resultUrl === '') {
    throw new PlaymentMasksError('NO_RESULT', `the job has no result URL (status ${String(status)})`);
  }
  const resultBytes = await client.attachment(resultUrl, { signal });
  progress.bytesDownloaded += resultBytes.length;
  const result = parseResult(resultBytes);
  // An interrupted earlier run of this job left the same result object: the label files it renamed into place are
  // complete (atomic writes) and hold this object's masks, so they are read back instead of fetched again.
  const previous = await readFile(join(jobDir, RESULT_NAME)).catch(() => undefined);
  const sameResult = previous !== undefined && previous.equals(resultBytes);
  // A saved result object vouches for the label files beside it: into an empty folder it is saved at once (what an
  // interruption leaves can be read back); otherwise (a changed result object, files of an older one around) the old
  // one goes first and the new one is saved only once its masks are all in place.
  const saveFirst = previous === undefined && (await readdir(jobDir)).length === 0;
  if (saveFirst) await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
  if (previous !== undefined && !sameResult) {
    await rm(join(jobDir, RESULT_NAME), { force: true });
    await syncDir(jobDir);
  }

  const names = classNamesOf(result);
  const files = fileNamesOf(masksOf(result), extensionOf(format));
  const stop = new AbortController();
  const maskSignal = AbortSignal.any([signal, stop.signal]);
  setMaxListeners(0, maskSignal);
  const settled = await Promise.allSettled(
    files.map(async ({ mask, name }): Promise<IndexLine> => {
      try {
        const points = context.withPoints
          ? pointsTargetOf(result, mask.frameId, mask.sensorId, name, format)
          : undefined;
        const decoded =
          (sameResult && (await writtenBefore(jobDir, name, format, points))) ||
          (await exportMask(context, mask, jobDir, name, maskSignal, points));
        return {
          job_id: job.id,
          reference_id: job.reference_id,
          frame_id: mask.frameId,
          sensor_id: mask.sensorId,
          points: decoded.pointCount,
          file: `${jobPath}/${name}`,
          histogram: namedHistogram(decoded.histogram, names),
          ...(points && { points_file: `${jobPath}/${points.name}` }),
        };
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }),
  );
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw stop.signal.reason ?? failed.reason;
  if (!sameResult && !saveFirst) await writeFileAtomic(jobDir, RESULT_NAME, [resultBytes]);
  // The masks' renames must be durable before the fragment that declares them complete.
  await syncDir(jobDir);
  await writeFragment(
    jobDir,
    settled.map((outcome) => (outcome as PromiseFulfilledResult<IndexLine>).value),
  );
  await syncDir(jobDir);
  return false;
}

async function exportMask(
  context: JobContext,
  mask: MaskRef,
  jobDir: string,
  name: string,
  signal: AbortSignal,
  points: PointsTarget | undefined,
) {
  const { client, pool, format, maskSlots, progress } = context;
  await maskSlots.acquire(signal);
  try {
    const bytes = await client.attachment(mask.labelUrl, { signal });
    progress.bytesDownloaded += bytes.length;
    const decoded = await pool.decode(bytes, { transfer: true, signal });
    if (points) {
      const pcd = await client.attachment(points.url, { signal });
      progress.bytesDownloaded += pcd.length;
      const where = `frame ${mask.frameId} sensor ${mask.sensorId}`;
      await writeFileAtomic(jobDir, points.name, pointsFile(pcd, decoded.pointCount, format, where));
    }
    await writeFileAtomic(jobDir, name, encodeLabels(decoded.labels, format));
    progress.masksDone++;
    progress.pointsDone += decoded.pointCount;
    progress.emit();
    return decoded;
  } finally {
    maskSlots.release();
  }
}

/** The labels' point count and histogram from a label file (and points file) already in place, if both are whole. */
async function writtenBefore(
  jobDir: string,
  name: string,
  format: ExportFormat,
  points: PointsTarget | undefined,
): Promise<{ pointCount: number; histogram: Uint32Array } | undefined> {
  const bytes = await readFile(join(jobDir, name)).catch(() => undefined);
  const labels = bytes && decodeLabelFile(bytes, format);
  if (!labels) return undefined;
  if (points) {
    const size = await stat(join(jobDir, points.name)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== pointsFileSize(labels.length, format)) return undefined;
  }
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  const histogram = new Uint32Array(max + 1);
  for (const label of labels) histogram[label]!++;
  return { pointCount: labels.length, histogram };
}

function parseResult(bytes: Uint8Array): ResultObject {
  let result: unknown;
  try {
    result = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new InvalidResultError(`the result object is not JSON: ${(error as Error).message}`);
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new InvalidResultError('the result object is not a JSON object');
  }
  return result as ResultObject;
}

/** Each mask with its file name; a frame and sensor seen again get `.2`, `.3`... in mask order. */
function fileNamesOf(masks: readonly MaskRef[], extension: string): { mask: MaskRef; name: string }[] {
  const seen = new Map<string, number>();
  return masks.map((mask) => {
    const frame = String(mask.frameId);
    const sensor = String(mask.sensorId);
    const key = `${safeName(frame)}.${safeName(sensor)}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return { mask, name: maskFileName(frame, sensor, occurrence, extension) };
  });
}
