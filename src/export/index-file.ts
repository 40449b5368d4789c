// index.jsonl and summary.json. Each job's lines are first committed as the job's own fragment
// (jobs/<job>/index.jsonl, written atomically once all its masks are on disk): the fragment is what makes a job
// complete for a rerun. At the end the fragments are merged in job-id order, so the index does not depend on the
// order in which jobs finished, nor on how many runs it took.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFile, writeFileAtomic } from './files.js';
import type { ExportFormat } from '../formats/index.js';
import type { CompleteJobs } from './complete-jobs.js';
import { READ_AHEAD, readAhead } from './read-ahead.js';
import type { ClassEntry } from './classes.js';
import type { LabelMode } from './option-table.js';
import type { ApiUsage, ClassCount, ExportFailure, ExportSummary, IndexLine } from './records.js';

export const INDEX_NAME = 'index.jsonl';
export const SUMMARY_NAME = 'summary.json';
export const FRAGMENT_NAME = 'index.jsonl';
const INDEX_BATCH_CHARS = 1024 * 1024;

/** Class counts as index lines hold them: in id order, with the class names. */
export function classHistogram(counts: Map<number, number>, names: Map<number, string>): ClassCount[] {
  return [...counts]
    .filter(([, points]) => points > 0)
    .sort(([a], [b]) => a - b)
    .map(([id, points]) => ({ id, name: names.get(id) ?? String(id), points }));
}

/** The points of a job's lines that have a class (whose key the result names). */
export function labelledPoints(lines: readonly IndexLine[]): number {
  return lines.reduce((sum, line) => sum + line.points - line.unnamed_points, 0);
}

/** Writes a complete job's fragment: its index lines in mask order. Resolves to its text. */
export async function writeFragment(jobDir: string, lines: readonly IndexLine[]): Promise<string> {
  const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  await writeFileAtomic(jobDir, FRAGMENT_NAME, [Buffer.from(text, 'utf8')]);
  return text;
}

export interface BatchOutcome {
  projectId: string;
  batchId: string;
  format: ExportFormat;
  labels: LabelMode;
  instances: boolean;
  /** The final class table (classes.json). */
  table: readonly ClassEntry[];
  listed: number;
  /** Jobs left out for their status, by status. */
  skipped: Record<string, number>;
  /** Every listed status, with its number of jobs. */
  statuses: Record<string, number>;
  /** Requested statuses that no listed job has. */
  unmatchedStatuses: string[];
  /** The complete jobs: their paths, in any order, and their fragments as far as the run kept them. */
  complete: CompleteJobs;
  failures: ExportFailure[];
  api: ApiUsage;
}

/** The text of a complete job's fragment: as the run kept it, else read from disk. */
export async function fragmentText(outDir: string, jobPath: string, complete: CompleteJobs): Promise<string> {
  return complete.fragments.textOf(jobPath) ?? readFile(join(outDir, jobPath, FRAGMENT_NAME), 'utf8');
}

/** Merges the complete jobs' fragments into index.jsonl and writes summary.json, both atomically. */
export async function writeIndexAndSummary(outDir: string, outcome: BatchOutcome): Promise<ExportSummary> {
  const jobPaths = [...outcome.complete.paths].sort(compareCodeUnits);
  const classes = new Map<number, number>();
  let masks = 0;
  let points = 0;
  let unnamed = 0;
  let withoutLabels = 0;
  const index = await AtomicFile.create(outDir, INDEX_NAME);
  try {
    const fragments = readAhead(jobPaths, READ_AHEAD, (jobPath) => fragmentText(outDir, jobPath, outcome.complete));
    // Written a batch of fragments at a time: one write per small fragment would be one thread-pool trip each.
    let batch: string[] = [];
    let batchChars = 0;
    for await (const text of fragments) {
      const lines = text
        .split('\n')
        .filter((json) => json !== '')
        .map((json) => JSON.parse(json) as IndexLine);
      for (const line of lines) {
        masks++;
        points += line.points;
        unnamed += line.unnamed_points;
        for (const { id, points: count } of line.histogram) classes.set(id, (classes.get(id) ?? 0) + count);
      }
      if (labelledPoints(lines) === 0) withoutLabels++;
      batch.push(text);
      batchChars += text.length;
      if (batchChars >= INDEX_BATCH_CHARS) {
        await index.write(Buffer.from(batch.join(''), 'utf8'));
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) await index.write(Buffer.from(batch.join(''), 'utf8'));
  } catch (error) {
    await index.discard();
    throw error;
  }
  await index.commit();
  const summary: ExportSummary = {
    project_id: outcome.projectId,
    batch_id: outcome.batchId,
    format: outcome.format,
    labels: outcome.labels,
    instances: outcome.instances,
    jobs: {
      listed: outcome.listed,
      exported: jobPaths.length,
      failed: outcome.failures.length,
      skipped: outcome.skipped,
      without_labels: withoutLabels,
      statuses: outcome.statuses,
      ...(outcome.unmatchedStatuses.length > 0 && { unmatched_statuses: outcome.unmatchedStatuses }),
    },
    masks,
    points,
    unnamed_points: unnamed,
    classes: sortedClasses(classes, outcome.table),
    failures: [...outcome.failures].sort((a, b) => compareCodeUnits(String(a.job_id), String(b.job_id))),
    api: outcome.api,
  };
  await writeFileAtomic(outDir, SUMMARY_NAME, [Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, 'utf8')]);
  return summary;
}

function sortedClasses(classes: Map<number, number>, table: readonly ClassEntry[]): ExportSummary['classes'] {
  const entries = new Map(table.map((entry) => [entry.id, entry]));
  return [...classes]
    .sort(([a, x], [b, y]) => y - x || a - b)
    .map(([id, points]) => {
      const entry = entries.get(id);
      const count: ClassCount & { class_id?: string } = { id, name: entry?.name ?? String(id), points };
      if (entry?.class_id !== undefined) count.class_id = entry.class_id;
      return count;
    });
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
