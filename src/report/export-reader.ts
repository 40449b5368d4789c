// A finished export, read through the files it writes: summary.json, classes.json, index.jsonl, and per job its
// legend.json and result.json (for the frame of each annotation). Label and points files are read per frame by
// frame-files.ts, on the render threads. (src/dataset/ reads the same files for its own targets.)
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlaymentMasksError, reasonOf } from '../errors.js';
import type { ErrorCodeOf } from '../errors/catalogue.js';
import { checkClassTable, type ClassEntry } from '../export/classes.js';
import type { JobLegend } from '../export/legend.js';
import type { ExportSummary, IndexLine } from '../export/records.js';

/** The export cannot be read or reported (a missing or broken summary, class table, index or frame file). */
export class ReportError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'ReportError'>;

  constructor(code: ErrorCodeOf<'ReportError'>, message: string) {
    super(code, message);
  }
}

export interface ExportJob {
  id: string;
  /** The job's folder, relative to the export ('/'-separated). */
  folder: string;
  /** Its index lines (masks), in index order. */
  lines: IndexLine[];
  legend: JobLegend | undefined;
  /** label_key -> the frame ids of the annotations that use it (from result.json). */
  framesOfKey: Map<number, string[]>;
}

export interface ExportData {
  dir: string;
  summary: ExportSummary;
  classes: ClassEntry[];
  jobs: ExportJob[];
  /** Whether every mask has a points file (an export made with --with-points). */
  withPoints: boolean;
}

export async function readExport(from: string): Promise<ExportData> {
  const dir = resolve(from);
  const summary = await readJson<ExportSummary>(join(dir, 'summary.json'));
  if (typeof summary?.jobs !== 'object' || !Array.isArray(summary.classes)) {
    throw new ReportError('NOT_AN_EXPORT', `${join(dir, 'summary.json')} is not an export summary`);
  }
  const classes = checkClassTable(await readJson(join(dir, 'classes.json')), join(dir, 'classes.json'));
  const lines = await readIndex(join(dir, 'index.jsonl'));
  const byJob = new Map<string, IndexLine[]>();
  for (const line of lines) {
    const jobLines = byJob.get(line.job_id);
    if (jobLines) jobLines.push(line);
    else byJob.set(line.job_id, [line]);
  }
  const jobs: ExportJob[] = [];
  for (const [id, jobLines] of byJob) {
    const file = jobLines[0]!.file;
    const folder = file.slice(0, file.lastIndexOf('/'));
    const legend = await readJson<JobLegend>(join(dir, folder, 'legend.json')).catch(() => undefined);
    const result = await readJson<ResultFields>(join(dir, folder, 'result.json')).catch(() => undefined);
    jobs.push({ id, folder, lines: jobLines, legend, framesOfKey: framesOfKeys(result) });
  }
  const withPoints = lines.length > 0 && lines.every((line) => typeof line.points_file === 'string');
  return { dir, summary, classes, jobs, withPoints };
}

interface ResultFields {
  annotation_data?: { annotations?: { label_key?: unknown; frame_id?: unknown }[] };
}

function framesOfKeys(result: ResultFields | undefined): Map<number, string[]> {
  const frames = new Map<number, string[]>();
  const annotations = result?.annotation_data?.annotations;
  if (!Array.isArray(annotations)) return frames;
  for (const annotation of annotations) {
    const key = annotation?.label_key;
    if (!Number.isInteger(key) || annotation.frame_id === undefined) continue;
    const list = frames.get(key as number) ?? [];
    list.push(String(annotation.frame_id));
    frames.set(key as number, list);
  }
  return frames;
}

async function readIndex(path: string): Promise<IndexLine[]> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new ReportError('NOT_AN_EXPORT', `cannot read ${path}: ${reasonOf(error)}`);
  });
  const lines: IndexLine[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    if (raw !== '') {
      let line: IndexLine;
      try {
        line = JSON.parse(raw) as IndexLine;
      } catch (error) {
        throw new ReportError('BAD_INDEX', `${path} at byte ${offset}: ${reasonOf(error)}`);
      }
      if (typeof line?.job_id !== 'string' || typeof line.file !== 'string' || !Array.isArray(line.histogram)) {
        throw new ReportError('BAD_INDEX', `${path} at byte ${offset}: not an index line`);
      }
      lines.push(line);
    }
    offset += Buffer.byteLength(raw, 'utf8') + 1;
  }
  return lines;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new ReportError('NOT_AN_EXPORT', `cannot read ${path}: ${reasonOf(error)}`);
  }
}
