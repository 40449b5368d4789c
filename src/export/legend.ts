// Each job's legend.json: what every label_key of the job means (class id and name, track, instance id), and which
// settings its label files were written with. It is written before the job's label files and read back with them:
// files of other settings or other ids are never taken for this run's.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobClass, KeyMeaning } from '../result/index.js';
import type { ClassTable } from './classes.js';
import type { LabelMode } from './option-table.js';
import { writeFileAtomic } from './files.js';
import { instanceIdsOf } from './instances.js';

export const LEGEND_NAME = 'legend.json';

export interface LegendEntry {
  key: number;
  /** The class id (classes.json). */
  class: number;
  /** The class name as the annotation gives it. */
  name: string;
  class_id?: string;
  /** The class colour, `#rrggbb`. */
  color?: string;
  track_id?: string;
  /** The object's instance id in the job (1..), from its track. */
  instance: number;
}

/** The contents of legend.json. */
export interface JobLegend {
  labels: LabelMode;
  instances: boolean;
  legend: LegendEntry[];
}

/** The legend of a job's keys with the ids `table` gives their classes now. Throws UNKNOWN_CLASS. */
export function buildLegend(
  meanings: readonly KeyMeaning[],
  table: ClassTable,
  labels: LabelMode,
  instances: boolean,
): JobLegend {
  table.see(meanings.map((meaning) => meaning.jobClass));
  const instanceOf = instanceIdsOf(meanings);
  const legend = meanings.map(({ key, jobClass, trackId }): LegendEntry => {
    const entry: LegendEntry = {
      key,
      class: table.idOf(jobClass),
      name: jobClass.name,
      instance: instanceOf.get(key)!,
    };
    if (jobClass.classId !== undefined) entry.class_id = jobClass.classId;
    if (jobClass.color !== undefined) entry.color = jobClass.color;
    if (trackId !== undefined) entry.track_id = trackId;
    return entry;
  });
  return { labels, instances, legend };
}

/** The class a legend entry names (as the table matches it). */
export function classOfEntry(entry: { name: string; class_id?: string; color?: string }): JobClass {
  const jobClass: JobClass = { name: entry.name };
  if (entry.class_id !== undefined) jobClass.classId = entry.class_id;
  if (entry.color !== undefined) jobClass.color = entry.color;
  return jobClass;
}

/** Per label_key lookups: class id and instance id (0 for a key no annotation names). */
export interface KeyLookups {
  classOf: Uint16Array;
  instanceOf: Uint16Array;
}

export function keyLookups(legend: JobLegend): KeyLookups {
  const size = legend.legend.reduce((max, entry) => Math.max(max, entry.key + 1), 1);
  const classOf = new Uint16Array(size);
  const instanceOf = new Uint16Array(size);
  for (const entry of legend.legend) {
    classOf[entry.key] = entry.class;
    instanceOf[entry.key] = entry.instance;
  }
  return { classOf, instanceOf };
}

export function legendBytes(legend: JobLegend): Uint8Array {
  return Buffer.from(`${JSON.stringify(legend, null, 2)}\n`, 'utf8');
}

export async function writeLegend(
  jobDir: string,
  legend: JobLegend,
  name = LEGEND_NAME,
  options: { sync?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(jobDir, name, [legendBytes(legend)], options);
}

/** The job's legend.json, or undefined when there is none or it does not parse. */
export async function readLegend(jobDir: string, name = LEGEND_NAME): Promise<JobLegend | undefined> {
  try {
    const legend = JSON.parse(await readFile(join(jobDir, name), 'utf8')) as JobLegend;
    return Array.isArray(legend?.legend) ? legend : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two legends describe the same file contents. */
export function sameLegend(a: JobLegend | undefined, b: JobLegend): boolean {
  return a !== undefined && Buffer.from(legendBytes(a)).equals(Buffer.from(legendBytes(b)));
}
