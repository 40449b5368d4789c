// `export`: the client and exportBatch() from the options parsed, the progress, and the closing lines.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlaymentClient, type RetryEvent } from '../api/index.js';
import { CLIENT_OPTIONS } from '../api/option-table.js';
import { redact } from '../api/redact.js';
import { CLASSES_NAME, readClassTable } from '../export/classes.js';
import type { ExportSummary } from '../export/records.js';
import { EXPORT_OPTIONS } from '../export/option-table.js';
import { exportBatch } from '../export/pipeline.js';
import { valuesOf } from '../options/option.js';
import { messageSource } from '../export/redaction.js';
import type { ExportProgress } from '../export/progress.js';
import type { ExportCommand, Output } from './args.js';
import { EXIT, type Io } from './io.js';
import { describeError, printable } from './messages.js';
import { formatBytes, formatDuration, ProgressView, type ProgressStream } from './progress.js';
import { editDistance } from './suggest.js';

export async function runExport(command: ExportCommand, apiKey: string, io: Io): Promise<number> {
  const { output, options } = command;
  const client = new PlaymentClient({
    apiKey,
    ...valuesOf(CLIENT_OPTIONS, options),
    ...(output.verbose ? { onRetry: (event: RetryEvent) => io.stderr.write(`${retryLine(event, apiKey)}\n`) } : {}),
  });
  const outDir = resolve(io.cwd, options.outDir);
  const outcome = await exportWithProgress(io, output, {
    ...valuesOf(EXPORT_OPTIONS, options),
    client,
    projectId: options.projectId,
    batchId: options.batchId,
    outDir,
    ...(options.classes === undefined ? {} : { classes: await readClassTable(resolve(io.cwd, options.classes)) }),
    statuses: options.statuses,
  }).finally(() => client.close());
  // With --json, stdout gets summary.json as written and nothing else; the words go to stderr.
  const words = output.json ? io.stderr : io.stdout;
  if (output.json) io.stdout.write(await readFile(join(outDir, 'summary.json'), 'utf8'));
  if (!output.quiet) {
    words.write(`${summaryLines(outcome)}Output: ${outDir} (classes.json, index.jsonl, summary.json)\n`);
  }
  const failed = failuresReport(outcome.summary, output.json || output.quiet ? io.stderr : io.stdout, 'rerun');
  return (command.statusGiven && unmatchedStatuses(outcome.summary, io)) || failed;
}

/** `retry: HTTP 503 ... (attempt 1, again in 0.5 s)`, for --verbose. */
function retryLine({ error, attempt, delayMs, throttled }: RetryEvent, apiKey: string): string {
  const why = throttled ? 'throttled' : 'retry';
  const message = printable(redact(describeError(error), apiKey, messageSource(error)));
  return `${why}: ${message} (attempt ${attempt}, again in ${(delayMs / 1000).toFixed(1)} s)`;
}

/** --status values that no listed job has: the statuses the batch has instead, and EXIT.usage. */
function unmatchedStatuses({ jobs }: ExportSummary, io: Io): number | undefined {
  const unmatched = jobs.unmatched_statuses ?? [];
  if (unmatched.length === 0) return undefined;
  const listed = Object.entries(jobs.statuses);
  const has =
    listed.map(([status, count]) => `${count} ${printable(JSON.stringify(status))}`).join(', ') || 'no status';
  for (const status of unmatched) {
    const near = nearestStatus(
      status,
      listed.map(([listedStatus]) => listedStatus),
    );
    const hint = near === undefined ? '' : `; the closest: ${printable(JSON.stringify(near))}`;
    io.stderr.write(
      `playment-masks: export: --status ${printable(JSON.stringify(status))} matches no job of the batch, whose statuses are: ${has}${hint}\n`,
    );
  }
  return EXIT.usage;
}

function nearestStatus(status: string, listed: readonly string[]): string | undefined {
  const typed = status.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of listed) {
    const distance = editDistance(typed, candidate.trim().toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

type ExportArgs = Omit<Parameters<typeof exportBatch>[0], 'onProgress' | 'signal'>;

export async function exportWithProgress(
  io: Io,
  output: Pick<Output, 'progress'>,
  options: ExportArgs,
): Promise<Outcome> {
  // NO_COLOR (any value): no terminal escape sequences, so plain lines instead of a redrawn bar.
  const plain = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const view = output.progress
    ? new ProgressView(plain ? { write: (text) => io.stderr.write(text) } : io.stderr)
    : undefined;
  let last: ExportProgress | undefined;
  const started = performance.now();
  try {
    const summary = await exportBatch({
      ...options,
      signal: io.interrupted,
      onProgress: (progress) => {
        last = progress;
        view?.update(progress);
      },
    });
    return { summary, last, elapsedMs: performance.now() - started };
  } finally {
    view?.end();
  }
}

export interface Outcome {
  summary: ExportSummary;
  last: ExportProgress | undefined;
  elapsedMs: number;
}

/** How many classes the closing lines name; classes.json has them all. */
const SHOWN_CLASSES = 10;
const MAX_NAME_CHARS = 60;

/** Characters of a class_id shown after a name that several classes share (a UUID's first group). */
const CLASS_ID_CHARS = 8;

/** A class name as the closing lines quote it: printable, and cut short (classes.json has it whole). */
function shortName(name: string): string {
  const quoted = printable(JSON.stringify(name));
  return quoted.length <= MAX_NAME_CHARS ? quoted : `${quoted.slice(0, MAX_NAME_CHARS - 2)}…"`;
}

/** A class as the closing lines name it: its name, and the start of its class_id when another class has that name. */
function className(name: string, classId: string | undefined, shared: boolean): string {
  if (!shared || classId === undefined) return shortName(name);
  const id = classId.length <= CLASS_ID_CHARS + 1 ? classId : `${classId.slice(0, CLASS_ID_CHARS)}…`;
  return `${shortName(name)} (class_id ${printable(id)})`;
}

export function summaryLines({ summary, last, elapsedMs }: Outcome): string {
  const { jobs, masks, points } = summary;
  const took = ` in ${formatDuration(elapsedMs)}`;
  const downloaded = last ? `, ${formatBytes(last.bytesDownloaded)} downloaded` : '';
  const resumed = last && last.jobsResumed > 0 ? ` (${last.jobsResumed} complete from an earlier run)` : '';
  let text = `Exported ${jobs.exported}/${jobs.listed} jobs${resumed}, ${masks} masks, ${points} points${took}${downloaded}\n`;
  const skipped = Object.entries(jobs.skipped);
  if (skipped.length > 0) {
    const shown = skipped.map(([status, count]) => `${count} ${printable(status)}`);
    text += `Skipped (not finished): ${shown.join(', ')}; rerun later to export them\n`;
  }
  if (summary.classes.length > 0) {
    // The most common classes (summary.classes comes sorted by points): a batch can have thousands.
    const top = summary.classes.slice(0, SHOWN_CLASSES);
    // Classes with distinct class_ids are never merged, even under one name: their ids tell them apart here.
    const uses = new Map<string, number>();
    for (const { name } of summary.classes) uses.set(name, (uses.get(name) ?? 0) + 1);
    const shown = top.map(
      ({ id, name, class_id: classId, points: n }) => `${id} ${className(name, classId, uses.get(name)! > 1)} ${n}`,
    );
    const rest = summary.classes.length - top.length;
    const more = rest > 0 ? `, ... and ${rest} more (${CLASSES_NAME})` : '';
    text += `Classes (id name points): ${shown.join(', ')}${more}\n`;
  }
  if (summary.unnamed_points > 0) {
    text +=
      `Unnamed: ${summary.unnamed_points} of ${points} points have a label_key that no annotation or legend names ` +
      '(class 0; unnamed_points in index.jsonl and summary.json)\n';
  }
  if (jobs.without_labels > 0) {
    text +=
      `Warning: ${jobs.without_labels} exported job(s) have no point with a class (jobs.without_labels in ` +
      'summary.json); --require-labels fails such jobs\n';
  }
  const { requests, throttled, rate_per_s: rate } = summary.api;
  // The pace the client held at the end: it probes past the limit now and then (the throttled requests), so it
  // can read above the limit itself.
  const settled = rate === null ? 'no rate limit met' : `paced at ${rate} requests/s at the end`;
  text += `API: ${requests} requests, ${throttled} throttled by its rate limit (sent again); ${settled}\n`;
  return text;
}

/** Lists the failed jobs; `rerun`: the same command retries them (an export, not a demo's new simulated batch). */
export function failuresReport({ failures }: ExportSummary, stream: ProgressStream, advice: 'rerun' | 'none'): number {
  if (failures.length === 0) return EXIT.ok;
  const rerun = advice === 'rerun' ? '; rerun the same command to retry them' : '';
  stream.write(`${failures.length} job(s) failed (see summary.json)${rerun}:\n`);
  for (const failure of failures) {
    stream.write(`  ${printable(JSON.stringify(failure.job_id))}: ${failure.code} ${printable(failure.message)}\n`);
  }
  return EXIT.failed;
}
