// What the report and the viewer need of a finished export: the shared reader's tables (src/dataset/export-reader.ts,
// any label mode), and per job its index lines, legend.json and, from result.json, the frames of each annotation.
// Label and points files are read per frame by frame-task.ts, on the render threads.
import { join } from 'node:path';
import { DatasetError } from '../dataset/dataset-error.js';
import { readExport, readJson } from '../dataset/export-reader.js';
import type { ClassEntry } from '../export/classes.js';
import type { JobLegend } from '../export/legend.js';
import type { ExportSummary, IndexLine } from '../export/records.js';
import { ReportError } from './report-error.js';

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

export async function readExportData(from: string): Promise<ExportData> {
  const tree = await readExport(from, { rawLabels: true }).catch((error: unknown) => {
    // The report's own error class, with the shared reader's code and message.
    if (error instanceof DatasetError && (error.code === 'NOT_AN_EXPORT' || error.code === 'BAD_INDEX')) {
      throw new ReportError(error.code, error.message);
    }
    throw error;
  });
  const byJob = new Map<string, IndexLine[]>();
  for (const line of tree.lines) {
    const jobLines = byJob.get(line.job_id);
    if (jobLines) jobLines.push(line);
    else byJob.set(line.job_id, [line]);
  }
  // The jobs' files are read all at once: on the way to the first frame, nothing else runs.
  const jobs = await Promise.all(
    [...byJob].map(async ([id, jobLines]): Promise<ExportJob> => {
      const file = jobLines[0]!.file;
      const folder = file.slice(0, file.lastIndexOf('/'));
      // A job without its legend or result still has its statistics: neither is required.
      const optional = <T>(name: string) =>
        readJson<T>(join(tree.from, folder, name), 'NOT_AN_EXPORT').catch(() => undefined);
      const [legend, result] = await Promise.all([
        optional<JobLegend>('legend.json'),
        optional<ResultFields>('result.json'),
      ]);
      return { id, folder, lines: jobLines, legend, framesOfKey: framesOfKeys(result) };
    }),
  );
  const withPoints = tree.lines.length > 0 && tree.lines.every((line) => typeof line.points_file === 'string');
  return { dir: tree.from, summary: tree.summary, classes: tree.table, jobs, withPoints };
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
