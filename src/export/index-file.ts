// index.jsonl and summary.json. Each job's lines are first committed as the job's own fragment
// (jobs/<job>/index.jsonl, written atomically once all its masks are on disk): the fragment is what makes a job
// complete for a rerun. At the end the fragments are merged in job-id order, so the index does not depend on the
// order in which jobs finished, nor on how many runs it took.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFile, writeFileAtomic } from './files.js';
import { encodedSize, extensionOf, type ExportFormat } from './formats.js';
import { pointsFilesComplete } from './points.js';
import type { ExportFailure, ExportSummary, IndexLine } from './records.js';

export const INDEX_NAME = 'index.jsonl';
export const SUMMARY_NAME = 'summary.json';
export const FRAGMENT_NAME = 'index.jsonl';

interface Annotation {
  label?: unknown;
  label_key?: unknown;
}

/** label_key -> class name, from the result object's annotations or legend (the first entry naming a key wins). */
export function classNamesOf(result: unknown): Map<number, string> {
  const names = new Map<number, string>();
  const data = (result as { annotation_data?: { annotations?: unknown; legend?: unknown } } | null)?.annotation_data;
  // Older results (PCD masks) name their keys in a legend instead of the annotations.
  for (const entries of [data?.annotations, data?.legend]) {
    if (!Array.isArray(entries)) continue;
    for (const annotation of entries as Annotation[]) {
      const { label, label_key: key } = annotation ?? {};
      if (typeof key === 'number' && typeof label === 'string' && !names.has(key)) names.set(key, label);
    }
  }
  return names;
}

/** The non-zero histogram bins keyed by class name (bins sharing a name are added up). */
export function namedHistogram(histogram: Uint32Array, names: Map<number, string>): Record<string, number> {
  // No prototype: a class called "__proto__" is just a key.
  const named: Record<string, number> = Object.create(null);
  for (let key = 0; key < histogram.length; key++) {
    const count = histogram[key]!;
    if (count === 0) continue;
    const name = names.get(key) ?? String(key);
    named[name] = (named[name] ?? 0) + count;
  }
  return named;
}

/** Writes a complete job's fragment: its index lines in mask order. */
export async function writeFragment(jobDir: string, lines: readonly IndexLine[]): Promise<void> {
  const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  await writeFileAtomic(jobDir, FRAGMENT_NAME, [Buffer.from(text, 'utf8')]);
}

/**
 * The fragment of a job that an earlier run completed with the same format, or undefined. Complete means: the
 * fragment parses, and every file it lists is where this run would put it, with the size its point count implies
 * (and, with `withPoints`, so is every points file).
 */
export async function completeFragment(
  outDir: string,
  jobPath: string,
  format: ExportFormat,
  withPoints = false,
): Promise<IndexLine[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(outDir, jobPath, FRAGMENT_NAME), 'utf8');
  } catch {
    return undefined;
  }
  const lines: IndexLine[] = [];
  try {
    for (const json of text.split('\n')) if (json !== '') lines.push(JSON.parse(json) as IndexLine);
  } catch {
    return undefined;
  }
  const extension = extensionOf(format);
  for (const { file, points } of lines) {
    if (typeof file !== 'string' || !file.startsWith(`${jobPath}/`) || !file.endsWith(extension)) return undefined;
    if (file.indexOf('/', jobPath.length + 1) !== -1 || !Number.isSafeInteger(points)) return undefined;
    const size = await stat(join(outDir, file)).then((s) => s.size, () => -1);
    if (size !== encodedSize(points, format)) return undefined;
  }
  if (withPoints && !(await pointsFilesComplete(outDir, jobPath, lines, format))) return undefined;
  return lines;
}

export interface BatchOutcome {
  projectId: string;
  batchId: string;
  format: ExportFormat;
  listed: number;
  /** Output paths (jobs/<job>) of the complete jobs, in any order. */
  completeJobPaths: string[];
  failures: ExportFailure[];
}

/** Merges the complete jobs' fragments into index.jsonl and writes summary.json, both atomically. */
export async function writeIndexAndSummary(outDir: string, outcome: BatchOutcome): Promise<ExportSummary> {
  const jobPaths = [...outcome.completeJobPaths].sort(compareCodeUnits);
  const classes = new Map<string, number>();
  let masks = 0;
  let points = 0;
  const index = await AtomicFile.create(outDir, INDEX_NAME);
  try {
    for (const jobPath of jobPaths) {
      const text = await readFile(join(outDir, jobPath, FRAGMENT_NAME), 'utf8');
      for (const json of text.split('\n')) {
        if (json === '') continue;
        const line = JSON.parse(json) as IndexLine;
        masks++;
        points += line.points;
        for (const [name, count] of Object.entries(line.histogram)) classes.set(name, (classes.get(name) ?? 0) + count);
      }
      await index.write(Buffer.from(text, 'utf8'));
    }
  } catch (error) {
    await index.discard();
    throw error;
  }
  await index.commit();
  const summary: ExportSummary = {
    project_id: outcome.projectId,
    batch_id: outcome.batchId,
    format: outcome.format,
    jobs: { listed: outcome.listed, exported: jobPaths.length, failed: outcome.failures.length },
    masks,
    points,
    classes: sortedClasses(classes),
    failures: [...outcome.failures].sort((a, b) => compareCodeUnits(String(a.job_id), String(b.job_id))),
  };
  await writeFileAtomic(outDir, SUMMARY_NAME, [Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, 'utf8')]);
  return summary;
}

function sortedClasses(classes: Map<string, number>): Record<string, number> {
  const sorted: Record<string, number> = Object.create(null);
  const entries = [...classes].sort(([a, x], [b, y]) => y - x || compareCodeUnits(a, b));
  for (const [name, count] of entries) sorted[name] = count;
  return sorted;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
