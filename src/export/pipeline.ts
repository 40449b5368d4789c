// exportBatch(): batch pages -> jobs (bounded in flight) -> masks (bounded in flight) -> files -> index + summary.
// Nothing waits for the whole batch: pages are read ahead of the jobs by at most LIST_AHEAD_JOBS jobs waiting to start,
// and memory holds at most those and the work in flight plus one short path per job listed (and the complete jobs'
// index lines, up to MAX_KEPT_CHARS).
import { setMaxListeners } from 'node:events';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchJob } from '../api/index.js';
import { AbortError } from '../errors.js';
import { MaskDecoderPool } from '../pool/index.js';
import { Slots } from '../pool/slots.js';
import { ByteBudget } from './budget.js';
import { CompleteJobs } from './complete-jobs.js';
import type { JobClass } from '../result/index.js';
import { ClassTable, readWrittenClassTable } from './classes.js';
import { checkEarlierExport } from './earlier-export.js';
import { classOfEntry } from './legend.js';
import { makeOutputFolder, ownDirectory, removeStaleTemps } from './files.js';
import { writeIndexAndSummary } from './index-file.js';
import type { ExportFailure, ExportSummary } from './records.js';
import type { JobContext } from './job-context.js';
import { exportJob, isScalar, jobPathOf, JOBS_DIR, listedJob } from './job.js';
import { LIST_AHEAD_JOBS, listAhead } from './list-ahead.js';
import { lockOutput } from './lock.js';
import { resolveExportOptions, type ExportOptions } from './options.js';
import { statusKey } from './statuses.js';
import { ProgressCounters } from './progress.js';
import { messageSource, redactionOf, type Redaction } from './redaction.js';
import { fixClassTable } from './remap.js';

const JOBS_PER_MASK_SLOT = 2;

/** The package's exportBatch() (documented in entries.ts, which loads this module on its first call). */
export async function exportBatch(options: ExportOptions): Promise<ExportSummary> {
  const resolved = resolveExportOptions(options);
  const { client, projectId, batchId, outDir, format, concurrency, signal, statuses } = resolved;
  if (signal?.aborted) throw new AbortError(signal.reason);
  const createdOut = await makeOutputFolder(outDir);
  const jobsDir = join(outDir, JOBS_DIR);
  // Under the lock: a run that fails removes the jobs folder it made, which another run must not be using.
  const unlock = await lockOutput(outDir);
  let createdJobs = false;
  let pool: MaskDecoderPool;
  try {
    if (!createdOut) await checkEarlierExport(outDir, projectId, batchId);
    createdJobs = await ownDirectory(jobsDir, jobsDir);
    pool = resolved.pool ?? new MaskDecoderPool(resolved.threads === undefined ? {} : { threads: resolved.threads });
  } catch (error) {
    await unlock();
    await removeIfEmpty(createdOut, outDir);
    throw error;
  }
  let succeeded = false;
  // Stops everything in flight: the caller's abort, or an exception thrown by onProgress.
  const stop = new AbortController();
  const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  // Every request and decode in flight listens to it: as many listeners as the concurrency allows.
  setMaxListeners(0, stopSignal);
  let listenerError: { error: unknown } | undefined;
  const budget = new ByteBudget(resolved.maxBytesInFlight);
  const progress = new ProgressCounters(
    resolved.onProgress &&
      ((snapshot) => {
        try {
          resolved.onProgress!(snapshot);
        } catch (error) {
          listenerError ??= { error };
          stop.abort(error);
        }
      }),
    budget,
    () => client.stats,
  );
  const context: JobContext = {
    client,
    pool,
    projectId,
    outDir,
    format,
    withPoints: resolved.withPoints,
    labels: resolved.labels,
    instances: resolved.instances,
    refresh: resolved.refresh,
    requireLabels: resolved.requireLabels,
    table: resolved.classes
      ? ClassTable.fixed(resolved.classes, resolved.unknownClasses)
      : ClassTable.assigned(await previousClasses(outDir)),
    maskSlots: new Slots(concurrency),
    budget,
    limits: { result: resolved.maxResultBytes, mask: resolved.maxMaskBytes, pointCloud: resolved.maxPointCloudBytes },
    progress,
  };
  // Twice as many jobs as masks in flight: a job fetches its (small) result object before its masks need a slot.
  const jobSlots = new Slots(concurrency * JOBS_PER_MASK_SLOT);
  const listed = new Set<string>();
  const complete = new CompleteJobs();
  const failures: ExportFailure[] = [];
  const skipped: Record<string, number> = Object.create(null);
  const listedStatuses: Record<string, number> = Object.create(null);
  const matchedStatuses = new Set<string>();
  let withoutStatus = 0;
  const running = new Set<Promise<void>>();
  const redact = redactionOf(client);
  let invalidJobs = 0;

  // Jobs in the order they start: the priority of their API requests (see exportJob).
  let started = 0;
  const runJob = async (job: BatchJob): Promise<void> => {
    try {
      const { resumed, legend, fragment } = await exportJob(context, job, stopSignal, started++);
      if (resumed) progress.jobsResumed++;
      else progress.jobsDone++;
      complete.add(jobPathOf(job.id), legend, fragment);
    } catch (error) {
      if (stopSignal.aborted) return;
      progress.jobsFailed++;
      failures.push(failureOf(job, error, redact));
    }
    progress.emit();
  };

  try {
    await removeStaleTemps(outDir);
    let listingError: { error: unknown } | undefined;
    try {
      // Sorted as soon as a page is read, so that the listed count (and, once every page is read, the batch's
      // total) leads the jobs; only the jobs to run wait for a slot, at most LIST_AHEAD_JOBS of them.
      const accept = (job: BatchJob): boolean => {
        if (typeof job?.id === 'string') {
          if (listed.has(job.id)) return false;
          listed.add(job.id);
          const { status } = job;
          if (typeof status === 'string') {
            listedStatuses[status] = (listedStatuses[status] ?? 0) + 1;
            matchedStatuses.add(statusKey(status));
          } else {
            withoutStatus++;
          }
        } else {
          invalidJobs++;
        }
        progress.jobsListed++;
        const listing = listedJob(job, statuses);
        switch (listing.state) {
          case 'listed':
            return true;
          case 'skipped':
            skipped[listing.status] = (skipped[listing.status] ?? 0) + 1;
            progress.jobsSkipped++;
            progress.emit();
            return false;
          case 'failed':
            progress.jobsFailed++;
            failures.push(failureOf(job, listing.error, redact));
            return false;
        }
      };
      const end = () => {
        progress.listingDone = true;
        progress.emit();
      };
      const jobs = client.batchJobs(projectId, batchId, { signal: stopSignal });
      for await (const job of listAhead(jobs, { ahead: LIST_AHEAD_JOBS, accept, end })) {
        await jobSlots.acquire(stopSignal);
        const task: Promise<void> = runJob(job).finally(() => {
          jobSlots.release();
          running.delete(task);
        });
        running.add(task);
      }
    } catch (error) {
      listingError = { error };
    }
    while (running.size > 0) await Promise.all(running);
    if (listenerError) throw listenerError.error;
    if (signal?.aborted) throw new AbortError(signal.reason);
    if (listingError) throw listingError.error;
    const table = await fixClassTable({
      outDir,
      complete,
      table: context.table,
      unknown: resolved.unknownClasses,
      format,
    });
    const { apiRequests, apiThrottled, apiRatePerSecond } = progress.snapshot();
    const summary = await writeIndexAndSummary(outDir, {
      projectId,
      batchId,
      format,
      labels: resolved.labels,
      instances: resolved.instances,
      table,
      listed: listed.size + invalidJobs,
      skipped: { ...skipped },
      statuses: { ...listedStatuses },
      // A job listed without a status may have any: only a listing that states every job's can leave one unmatched.
      unmatchedStatuses:
        statuses && withoutStatus === 0
          ? [...statuses].filter(([key]) => !matchedStatuses.has(key)).map(([, given]) => given)
          : [],
      complete,
      failures,
      api: { requests: apiRequests, throttled: apiThrottled, rate_per_s: roundRate(apiRatePerSecond) },
    });
    succeeded = true;
    return summary;
  } finally {
    if (!resolved.pool) await pool.close();
    // A run that stopped before writing anything (a refused key, a wrong batch) leaves no empty folders behind.
    if (!succeeded) await removeIfEmpty(createdJobs, jobsDir);
    await unlock();
    if (!succeeded) await removeIfEmpty(createdOut, outDir);
  }
}

/** Removes `dir` if this run created it and it is still empty (rmdir refuses any other). */
async function removeIfEmpty(created: boolean, dir: string): Promise<void> {
  if (created) await rmdir(dir).catch(() => {});
}

function roundRate(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 100) / 100;
}

/**
 * The classes of the folder's classes.json (an earlier run's table): jobs start with the ids they had, so that an
 * interrupted job's label files can be read back and a resumed run renumbers nothing. None for a missing or broken one.
 */
async function previousClasses(outDir: string): Promise<JobClass[]> {
  const table = await readWrittenClassTable(outDir).catch(() => []);
  return table.filter((entry) => entry.id !== 0).map((entry) => classOfEntry(entry));
}

/** The summary entry of a failed job: every text in it redacted. */
function failureOf(job: BatchJob | undefined, error: unknown, redact: Redaction): ExportFailure {
  const { code, apiCode, status } = (error ?? {}) as { code?: unknown; apiCode?: unknown; status?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  const source = messageSource(error);
  const failure: ExportFailure = {
    job_id: job?.id ?? null,
    reference_id: isScalar(job?.reference_id) ? (job?.reference_id ?? null) : null,
    code: typeof code === 'string' ? redact(code, source) : 'UNKNOWN',
    message: redact(message, source),
  };
  if (typeof apiCode === 'string') failure.api_code = redact(apiCode, source);
  if (typeof status === 'number') failure.status = status;
  return failure;
}
