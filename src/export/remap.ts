// The end of a run fixes the class table: derived from the legends of every complete job as the run saw them (see
// class-uses.ts), or the --classes file,
// written to classes.json, and every job whose label files hold other ids (a class first seen after the job was
// written, a --classes file edited between runs) gets them rewritten here, locally, without a request.
// A job's rewrite is crash-safe: new label files and fragment go to `*.remap` names, the new legend (`legend.remap.json`)
// commits them, and the renames that follow are completed (or, uncommitted, dropped) by recoverRemap().
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompleteJobs } from './complete-jobs.js';
import { ClassTable, writeClassTable, type ClassEntry, type UnknownClasses } from './classes.js';
import { syncDir, writeFileAtomic } from './files.js';
import { type ExportFormat, FORMATS } from '../formats/index.js';
import { FRAGMENT_NAME, fragmentText } from './index-file.js';
import { classOfEntry, LEGEND_NAME, readLegend, writeLegend, type JobLegend } from './legend.js';
import { READ_AHEAD, readAhead } from './read-ahead.js';
import type { IndexLine } from './records.js';

const PENDING = '.remap';
const COMMIT = `legend${PENDING}.json`;

/**
 * Every uint16 id mapped to itself, which each job's renumbering copies: built at the first rewrite, not at import
 * (4 ms that most imports would pay for nothing), and not per job (a loop over 65536 ids for each of 300 rewritten
 * jobs: 75 -> 27 ms of rewriteIds' own time in a profile of a 300-job export with 18,000 classes).
 */
let identity: Uint16Array | undefined;
function sameIds(): Uint16Array {
  if (identity === undefined) {
    identity = new Uint16Array(0x10000);
    for (let id = 1; id < identity.length; id++) identity[id] = id;
  }
  return identity;
}

/** Completes or drops a rewrite of the job's ids that an interrupted run left. */
export async function recoverRemap(jobDir: string): Promise<void> {
  const names = await readdir(jobDir).catch(() => [] as string[]);
  if (names.includes(COMMIT)) return rollForward(jobDir, names);
  for (const name of names) if (name.endsWith(PENDING)) await rm(join(jobDir, name), { force: true });
}

async function rollForward(jobDir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (name.endsWith(PENDING)) await rename(join(jobDir, name), join(jobDir, name.slice(0, -PENDING.length)));
  }
  await rename(join(jobDir, COMMIT), join(jobDir, LEGEND_NAME));
  await syncDir(jobDir);
}

export interface FinalTableOptions {
  outDir: string;
  /** Every complete job: its classes and the ids its files hold; its kept fragment, replaced when rewritten. */
  complete: CompleteJobs;
  table: ClassTable;
  unknown: UnknownClasses;
  format: ExportFormat;
}

/** Fixes the table, writes classes.json and rewrites the jobs whose ids differ. Resolves to the table. */
export async function fixClassTable(options: FinalTableOptions): Promise<ClassEntry[]> {
  const { outDir, complete, table, unknown, format } = options;
  const { classUses: uses, fragments } = complete;
  const final = table.entries(uses.classes);
  const finalTable = ClassTable.fixed([...final], unknown);
  // Built once: a job's rewrite looks names up here instead of walking the whole table.
  const names = new Map(final.map((entry) => [entry.id, entry.name]));
  const renumber = async (jobPath: string) => {
    const jobDir = join(outDir, jobPath);
    const legend = await readLegend(jobDir);
    if (!legend) return;
    const renumbered: JobLegend = {
      ...legend,
      legend: legend.legend.map((entry) => ({ ...entry, class: finalTable.idOf(classOfEntry(entry)) })),
    };
    if (renumbered.legend.some((entry, i) => entry.class !== legend.legend[i]!.class)) {
      const text = await fragmentText(outDir, jobPath, complete);
      fragments.keep(jobPath, await rewriteIds(jobDir, jobPath, text, legend, renumbered, names, format));
    }
  };
  // Each job's rewrite stands alone (crash-safe in its own folder), so several run at once; the first failure, in
  // job order, is thrown.
  const stale = uses.stale((jobClass) => finalTable.idOf(jobClass));
  for await (const _ of readAhead(stale, READ_AHEAD, renumber)) {
    // nothing to collect: renumber() wrote what it had to
  }
  await writeClassTable(outDir, final);
  return final;
}

/** Rewrites the job's files and its fragment (`text`) with the ids of `to`; resolves to the new fragment. */
async function rewriteIds(
  jobDir: string,
  jobPath: string,
  text: string,
  from: JobLegend,
  to: JobLegend,
  names: ReadonlyMap<number, string>,
  format: ExportFormat,
): Promise<string> {
  const newId = new Map<number, number>([[0, 0]]);
  from.legend.forEach((entry, i) => newId.set(entry.class, to.legend[i]!.class));
  // Label files are uint16: the points are renumbered through an array indexed by id rather than a map, every id
  // mapped to itself but those that change.
  const relabel = sameIds().slice();
  for (const [id, id2] of newId) relabel[id] = id2;
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as IndexLine);
  for (const line of lines) {
    const counts = new Map<number, number>();
    for (const { id, points } of line.histogram) {
      const id2 = newId.get(id) ?? id;
      counts.set(id2, (counts.get(id2) ?? 0) + points);
    }
    line.histogram = [...counts]
      .sort(([a], [b]) => a - b)
      .map(([id, points]) => ({ id, name: names.get(id) ?? String(id), points }));
    if (from.labels !== 'class') continue;
    const name = line.file.slice(jobPath.length + 1);
    const bytes = await readFile(join(jobDir, name));
    const output = FORMATS[format];
    // Where the label file holds the instance ids too, they are written back unchanged.
    const withInstances = from.instances && output.decodeInstances !== undefined;
    const labels = output.decodeLabels(bytes, withInstances);
    if (!labels) throw new Error(`${name} is not a label file of this export`);
    const instances = withInstances ? output.decodeInstances?.(bytes) : undefined;
    for (let i = 0; i < labels.length; i++) labels[i] = relabel[labels[i]!]!;
    await writeFileAtomic(jobDir, name + PENDING, output.encodeLabels(labels, instances));
  }
  const fragment = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  await writeFileAtomic(jobDir, FRAGMENT_NAME + PENDING, [Buffer.from(fragment, 'utf8')]);
  await syncDir(jobDir);
  await writeLegend(jobDir, to, COMMIT);
  await rollForward(jobDir, await readdir(jobDir));
  return fragment;
}
