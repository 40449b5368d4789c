// The batch's class table (classes.json): one id per class, 0 for points whose key no annotation names.
// A class is its `class_id` where the annotations have one, else its `label`. Ids come from a --classes file as
// given, or are assigned from the classes found: sorted by name, then by class id (UTF-16 code units), numbered
// from 1. The final table is derived from the legends of every job complete in the output folder, so it depends
// only on which jobs are exported, not on the order they finished in nor on how many runs it took (see remap.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlaymentMasksError, reasonOf } from '../errors.js';
import { hexColor, type JobClass } from '../result/index.js';
import { ExportError } from './export-error.js';
import { writeFileAtomic } from './files.js';

export const CLASSES_NAME = 'classes.json';

/** One entry of classes.json. */
export interface ClassEntry {
  id: number;
  name: string;
  class_id?: string;
  color?: string;
}

/** What to do with a class of the batch that a --classes file lacks. */
export type UnknownClasses = 'fail' | 'ignore';

export const UNLABELLED: ClassEntry = Object.freeze({ id: 0, name: 'unlabelled' });
/** Label files are uint16: ids 1..65535. */
const MAX_CLASS_ID = 0xffff;

/** A class of the batch is missing from the --classes file. */
export class UnknownClassError extends PlaymentMasksError {
  constructor(message: string) {
    super('UNKNOWN_CLASS', message);
  }
}

/** The --classes file (or an earlier classes.json) is not a class table. */
export class InvalidClassTableError extends PlaymentMasksError {
  constructor(message: string) {
    super('INVALID_CLASS_TABLE', message);
  }
}

/** The identity of a class: its class id, else its name (prefixed so that the two never collide). */
export function classKeyOf(jobClass: { name: string; classId?: string }): string {
  return jobClass.classId === undefined ? `name:${jobClass.name}` : `id:${jobClass.classId}`;
}

/**
 * The ids of the classes: fixed by a --classes file, or assigned from the classes seen so far (sorted). Jobs take
 * their ids when they start; the ids of a growing table can still move, which the end of the run repairs.
 */
export class ClassTable {
  readonly #fixed:
    | {
        byClassId: Map<string, ClassEntry>;
        byName: Map<string, ClassEntry>;
        byId: Map<number, ClassEntry>;
        entries: ClassEntry[];
      }
    | undefined;
  readonly #unknown: UnknownClasses;
  readonly #seen = new Map<string, JobClass>();
  /** The seen classes in id order (id = position + 1), and those seen since, merged in at the next lookup. */
  #sorted: SortKey[] = [];
  #pending: SortKey[] = [];

  private constructor(fixed: ClassEntry[] | undefined, unknown: UnknownClasses) {
    this.#unknown = unknown;
    if (fixed) {
      const byClassId = new Map<string, ClassEntry>();
      const byName = new Map<string, ClassEntry>();
      const byId = new Map<number, ClassEntry>();
      for (const entry of fixed) {
        if (!byId.has(entry.id)) byId.set(entry.id, entry);
        if (entry.id === 0) continue;
        if (entry.class_id !== undefined) byClassId.set(entry.class_id, entry);
        else if (!byName.has(entry.name)) byName.set(entry.name, entry);
      }
      this.#fixed = { byClassId, byName, byId, entries: fixed };
    }
  }

  /** Ids from a class table file: an entry with a class_id matches it, one without matches annotations by name. */
  static fixed(entries: ClassEntry[], unknown: UnknownClasses): ClassTable {
    return new ClassTable(entries, unknown);
  }

  /** Ids assigned from the classes seen, starting with `seen`. */
  static assigned(seen: Iterable<JobClass> = []): ClassTable {
    const table = new ClassTable(undefined, 'fail');
    table.see(seen);
    return table;
  }

  get isFixed(): boolean {
    return this.#fixed !== undefined;
  }

  /** Adds classes to those seen (an assigned table only). */
  see(classes: Iterable<JobClass>): void {
    if (this.#fixed) return;
    for (const jobClass of classes) {
      const key = classKeyOf(jobClass);
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, jobClass);
      this.#pending.push({ key, name: jobClass.name });
    }
  }

  /** The id of a class now: its table entry's, 0 for a class the file lacks with `ignore`. Throws UNKNOWN_CLASS. */
  idOf(jobClass: JobClass): number {
    if (this.#fixed) {
      const entry =
        (jobClass.classId !== undefined ? this.#fixed.byClassId.get(jobClass.classId) : undefined) ??
        this.#fixed.byName.get(jobClass.name);
      if (entry) return entry.id;
      if (this.#unknown === 'ignore') return 0;
      const what = jobClass.classId === undefined ? '' : ` (class_id ${jobClass.classId})`;
      throw new UnknownClassError(`the class ${JSON.stringify(jobClass.name)}${what} is not in the class table`);
    }
    this.see([jobClass]);
    // The name the class was first seen with orders it (a class id may come with other names).
    const key = classKeyOf(jobClass);
    const id = indexOf(this.#order(), { key, name: this.#seen.get(key)!.name }) + 1;
    if (id > MAX_CLASS_ID) throw new ExportError('TOO_MANY_CLASSES', `more than ${MAX_CLASS_ID} classes`);
    return id;
  }

  /** The name of a class id now, if the table has one. */
  nameOf(id: number): string | undefined {
    if (this.#fixed) return this.#fixed.byId.get(id)?.name;
    return this.#order()[id - 1]?.name;
  }

  /**
   * The seen classes in id order. New ones are sorted among themselves and merged in: a job's few new classes cost
   * little however many the batch has, where sorting them all again for every job grew with the batch.
   */
  #order(): readonly SortKey[] {
    if (this.#pending.length === 0) return this.#sorted;
    this.#sorted = merge(this.#sorted, this.#pending.sort(compareSortKeys));
    this.#pending = [];
    return this.#sorted;
  }

  /** The table for classes.json: the file's, or the given classes (of every complete job) numbered in sort order. */
  entries(classes: Iterable<JobClass>): ClassEntry[] {
    if (this.#fixed) return this.#fixed.entries;
    const all = new Map<string, JobClass>();
    for (const jobClass of classes) if (!all.has(classKeyOf(jobClass))) all.set(classKeyOf(jobClass), jobClass);
    const table: ClassEntry[] = [{ ...UNLABELLED }];
    for (const key of sortedKeys(all)) {
      const { name, classId, color } = all.get(key)!;
      const entry: ClassEntry = { id: table.length, name };
      if (classId !== undefined) entry.class_id = classId;
      if (color !== undefined) entry.color = color;
      table.push(entry);
    }
    return table;
  }
}

/** A class as the ids order them: by name, then by key. */
interface SortKey {
  key: string;
  name: string;
}

function compareSortKeys(a: SortKey, b: SortKey): number {
  return compareCodeUnits(a.name, b.name) || compareCodeUnits(a.key, b.key);
}

function sortedKeys(classes: Map<string, JobClass>): string[] {
  // Pairs, so that the comparisons (n log n of them) do no map lookups.
  return Array.from(classes, ([key, { name }]) => ({ key, name }))
    .sort(compareSortKeys)
    .map(({ key }) => key);
}

/** Two sorted lists as one. */
function merge(a: readonly SortKey[], b: readonly SortKey[]): SortKey[] {
  const merged: SortKey[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(compareSortKeys(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
}

/** The position of `target` in the sorted list that holds it (binary search). */
function indexOf(sorted: readonly SortKey[], target: SortKey): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareSortKeys(sorted[middle]!, target) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads and checks a class table file: `{ "classes": [{ "id", "name", "class_id"?, "color"? }] }`. */
export async function readClassTable(path: string): Promise<ClassEntry[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidClassTableError(`${path}: ${reasonOf(error)}`);
  }
  return checkClassTable(json, path);
}

export function checkClassTable(json: unknown, where: string): ClassEntry[] {
  const classes = (json as { classes?: unknown } | null)?.classes;
  if (!Array.isArray(classes)) throw new InvalidClassTableError(`${where}: no "classes" array`);
  const ids = new Set<number>();
  const classIds = new Set<string>();
  const entries = classes.map((raw: unknown, index): ClassEntry => {
    const { id, name, class_id: classId, color } = (raw ?? {}) as Record<string, unknown>;
    const at = `${where}: classes[${index}]`;
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > MAX_CLASS_ID) {
      throw new InvalidClassTableError(`${at}.id must be an integer from 0 to ${MAX_CLASS_ID}`);
    }
    if (ids.has(id as number)) throw new InvalidClassTableError(`${at}.id ${String(id)} is given twice`);
    ids.add(id as number);
    if (typeof name !== 'string') throw new InvalidClassTableError(`${at}.name must be a string`);
    const entry: ClassEntry = { id: id as number, name };
    if (classId !== undefined) {
      if (typeof classId !== 'string' || classId === '')
        throw new InvalidClassTableError(`${at}.class_id must be a non-empty string`);
      if (classIds.has(classId)) throw new InvalidClassTableError(`${at}.class_id is given twice`);
      classIds.add(classId);
      entry.class_id = classId;
    }
    if (color !== undefined) {
      const hex = typeof color === 'string' ? hexColor(color) : undefined;
      if (hex === undefined) throw new InvalidClassTableError(`${at}.color must be #rrggbb`);
      entry.color = hex;
    }
    return entry;
  });
  if (!ids.has(0)) entries.unshift({ ...UNLABELLED });
  return entries.sort((a, b) => a.id - b.id);
}

export async function writeClassTable(outDir: string, table: readonly ClassEntry[]): Promise<void> {
  const text = `${JSON.stringify({ classes: table }, null, 2)}\n`;
  await writeFileAtomic(outDir, CLASSES_NAME, [Buffer.from(text, 'utf8')]);
}

export async function readWrittenClassTable(outDir: string): Promise<ClassEntry[]> {
  return readClassTable(join(outDir, CLASSES_NAME));
}
