// `playment-masks report`: a static report of an export, opened from disk. The export is read through its files;
// frames are counted, drawn and (with an older export) compared on every core, one frame per task; the pages are
// written last, index.html at the very end, so a folder with an index.html holds a whole report.
import { availableParallelism } from 'node:os';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { MAX_THREADS } from '../pool/max-threads.js';
import type { ViewGeometry } from './birdseye.js';
import { classColors, type Rgb } from './colors.js';
import { addCounts, joinClasses, pairJobs, type JobChanges } from './diff.js';
import { readExportData, type ExportData } from './export-data.js';
import { ReportError } from './report-error.js';
import { jobFlags, type Flag, type FlagThresholds, type FrameFacts } from './flags.js';
import type { FrameReply, FrameTask } from './frame-task.js';
import { writePages, type ReportModel } from './html.js';
import { REPORT_OPTIONS, THRESHOLD_OPTIONS } from './option-table.js';
import { VIEW_OPTIONS } from './view-options.js';
import type { WorkerReply } from './render-worker.js';

/** The options of REPORT_OPTIONS, with `thresholds` and `view` those of THRESHOLD_OPTIONS and VIEW_OPTIONS. */
export interface ReportOptions extends OptionValues<typeof REPORT_OPTIONS> {
  thresholds?: OptionValues<typeof THRESHOLD_OPTIONS>;
  view?: OptionValues<typeof VIEW_OPTIONS>;
}

/** What `buildReport` resolves to: the page to open, and what it found. */
export interface ReportOutcome {
  index: string;
  frames: number;
  images: number;
  flags: Flag[];
  relabelledJobs: string[];
}

const MARKER_FILE = 'report.css';
const IMAGES = 'img';

export async function buildReport(options: ReportOptions): Promise<ReportOutcome> {
  const { threads } = resolveOptions(REPORT_OPTIONS, options);
  const thresholds = resolveOptions(THRESHOLD_OPTIONS, options.thresholds ?? {});
  const view = resolveOptions(VIEW_OPTIONS, options.view ?? {});
  // The threads start while the export is read and the folder prepared.
  const pool = await startPool(threads ?? Math.min(availableParallelism(), MAX_THREADS));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= pool.destroy();
    return closing;
  };
  try {
    return await report(options, thresholds, view, pool, close);
  } finally {
    await close();
  }
}

async function report(
  options: ReportOptions,
  thresholds: FlagThresholds,
  view: ViewGeometry,
  pool: Piscina,
  closePool: () => Promise<void>,
): Promise<ReportOutcome> {
  const current = await readExportData(options.from);
  const older = options.against === undefined ? undefined : await readExportData(options.against);
  const out = resolve(options.out);
  await prepareOut(out);

  const joined = joinClasses(current.classes, older?.classes ?? []);
  const batchPoints = new Map(current.summary.classes.map((entry) => [entry.id, entry.points]));
  const colors = classColors(joined.classes, batchPoints);
  const colorTable = colorBytes(colors);
  const pairing = older ? pairJobs(current, older) : undefined;
  const olderJobs = new Map(older?.jobs.map((job) => [job.id, job]));

  const tasks: { job: number; line: number; task: FrameTask }[] = [];
  current.jobs.forEach((job, j) => {
    const legend = job.legend;
    const raw = current.summary.labels === 'raw' && legend ? rawTables(legend.legend) : undefined;
    const olderJob = olderJobs.get(job.id);
    const pairs = pairing?.matched.get(job.id);
    job.lines.forEach((line, l) => {
      const image = current.withPoints ? join(out, imagePath(j, l)) : undefined;
      const task: FrameTask = {
        labels: { ...sourceOf(current), file: line.file, ...(raw ? { classOfKey: raw.classOfKey } : {}) },
        ...(current.withPoints && typeof line.points_file === 'string' ? { pointsFile: line.points_file } : {}),
        ...(raw ? { namedKeys: raw.named } : {}),
        colors: colorTable,
        view,
        farMetres: thresholds.farMetres,
        ...(image ? { image } : {}),
      };
      const o = pairs?.get(l);
      if (older && olderJob && o !== undefined) {
        const oldRaw =
          older.summary.labels === 'raw' && olderJob.legend ? rawTables(olderJob.legend.legend) : undefined;
        task.against = {
          labels: {
            ...sourceOf(older),
            file: olderJob.lines[o]!.file,
            ...(oldRaw ? { classOfKey: oldRaw.classOfKey } : {}),
          },
          classMap: joined.oldToNew,
          ...(image ? { images: diffPaths(out, j, l) } : {}),
        };
      }
      tasks.push({ job: j, line: l, task });
    });
  });

  await mkdir(join(out, IMAGES), { recursive: true });
  if (current.withPoints) {
    await Promise.all(current.jobs.map((_, j) => mkdir(join(out, IMAGES, jobName(j)), { recursive: true })));
  }
  const replies = await runTasks(
    pool,
    tasks.map((t) => t.task),
  );
  // The threads wind down while the pages are written (a failure to stop them is reported by buildReport).
  closePool().catch(() => {});

  const facts: FrameFacts[][] = current.jobs.map((job) => job.lines.map(() => ({ unnamedKeyPoints: null, far: null })));
  const changes = new Map<string, JobChanges>();
  tasks.forEach(({ job: j, line: l }, k) => {
    const reply = replies[k]!;
    facts[j]![l] = { unnamedKeyPoints: reply.unnamedKeyPoints, far: reply.far };
    if (!reply.changes) return;
    const jobId = current.jobs[j]!.id;
    const entry = changes.get(jobId) ?? noChanges(jobId);
    addCounts(entry.to, reply.changes.to);
    addCounts(entry.from, reply.changes.from);
    if (reply.changes.pointCountDiffers) entry.unmatchedFrames++;
    else if (reply.changes.to.length > 0) entry.changedLines.push(l);
    changes.set(jobId, entry);
  });
  if (pairing) {
    for (const job of current.jobs) {
      const pairs = pairing.matched.get(job.id);
      if (!pairs) continue;
      const entry = changes.get(job.id) ?? noChanges(job.id);
      const olderLines = olderJobs.get(job.id)!.lines.length;
      entry.unmatchedFrames += job.lines.length - pairs.size + (olderLines - pairs.size);
      changes.set(job.id, entry);
    }
  }

  const nameOf = (id: number) => joined.classes.find((entry) => entry.id === id)?.name ?? `class ${id}`;
  const flags = current.jobs.flatMap((job, j) => jobFlags(job, facts[j]!, batchPoints, thresholds, nameOf));
  const relabelled = [...changes.values()].filter((entry) => entry.to.size > 0 || entry.unmatchedFrames > 0);
  const model: ReportModel = {
    export: current,
    older: older ? { dir: older.dir, added: pairing!.added, removed: pairing!.removed, relabelled } : undefined,
    classes: joined.classes,
    colors,
    facts,
    flags,
    thresholds,
    view,
    imagePath: (j, l) => imagePath(j, l),
    diffImages: (j, l) => diffNames(j, l),
    jobPage: (j) => `jobs/${jobName(j)}.html`,
  };
  await writePages(out, model);
  const images = current.withPoints
    ? tasks.length + relabelled.reduce((sum, e) => sum + e.changedLines.length * 3, 0)
    : 0;
  return {
    index: join(out, 'index.html'),
    frames: tasks.length,
    images,
    flags,
    relabelledJobs: relabelled.map((entry) => entry.jobId),
  };
}

function noChanges(jobId: string): JobChanges {
  return { jobId, to: new Map(), from: new Map(), changedLines: [], unmatchedFrames: 0 };
}

function sourceOf(data: ExportData) {
  return {
    dir: data.dir,
    format: data.summary.format,
    labels: data.summary.labels,
    instances: data.summary.instances === true,
  };
}

/** `--labels raw`: label_key -> class id, and which keys an annotation names. */
function rawTables(legend: readonly { key: number; class: number }[]): { classOfKey: Uint16Array; named: Uint8Array } {
  const size = legend.reduce((max, entry) => Math.max(max, entry.key + 1), 1);
  const classOfKey = new Uint16Array(size);
  // Sized to the legend, not to every label_key: it travels with each of the job's frames.
  const named = new Uint8Array(size);
  for (const entry of legend) {
    classOfKey[entry.key] = entry.class;
    named[entry.key] = 1;
  }
  return { classOfKey, named };
}

function colorBytes(colors: ReadonlyMap<number, Rgb>): Uint8Array {
  const size = Math.max(0, ...colors.keys()) + 1;
  const table = new Uint8Array(size * 3);
  for (const [id, rgb] of colors) table.set(rgb, id * 3);
  return table;
}

function jobName(j: number): string {
  return String(j + 1).padStart(4, '0');
}

function imagePath(j: number, l: number): string {
  return `${IMAGES}/${jobName(j)}/${String(l + 1).padStart(4, '0')}.png`;
}

function diffNames(j: number, l: number): { before: string; after: string; changed: string } {
  const base = imagePath(j, l).slice(0, -'.png'.length);
  return { before: `${base}.before.png`, after: `${base}.after.png`, changed: `${base}.changed.png` };
}

function diffPaths(out: string, j: number, l: number) {
  const names = diffNames(j, l);
  return { before: join(out, names.before), after: join(out, names.after), changed: join(out, names.changed) };
}

async function prepareOut(out: string): Promise<void> {
  const names = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  if (names.length > 0 && !names.includes(MARKER_FILE)) {
    throw new ReportError('OUT_NOT_EMPTY', `${out} is neither empty nor a report this command wrote`);
  }
  // index.html goes first: a folder without one is a report being written.
  for (const name of ['index.html', 'diff.html', 'jobs', IMAGES])
    await rm(join(out, name), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
}

const WORKER = fileURLToPath(new URL('./report-worker.js', import.meta.url));

async function startPool(threads: number): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  return new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads });
}

/** Runs the frames on the pool's threads, at most two queued per thread; replies in task order. */
async function runTasks(pool: Piscina, tasks: readonly FrameTask[]): Promise<FrameReply[]> {
  const replies: FrameReply[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const k = next++;
      const answer = (await pool.run(tasks[k])) as WorkerReply;
      if ('error' in answer) throw new ReportError(answer.error.code, answer.error.message);
      replies[k] = answer.reply;
    }
  };
  await Promise.all(Array.from({ length: pool.options.maxThreads * 2 }, lane));
  return replies;
}
