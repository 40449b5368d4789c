// What each label_key of a job means: its class and, where the result says, its object. Two documented sources:
// annotations (`label`, `class_id`, `color`, `track_id`), and the legend of older results (`text`, `value`, `color`,
// no `label` nor `class_id`), whose instance-aware variant names each object `"MINIVAN # 1"`: class MINIVAN,
// instance 1.
import { hexColor } from './color.js';
import { ResultObjectError } from './result-error.js';

/** A class as a job's result names it. */
export interface JobClass {
  name: string;
  classId?: string;
  /** `#rrggbb`. */
  color?: string;
}

/** One label_key of a job: the class and object its annotation or legend entry names. */
export interface KeyMeaning {
  key: number;
  jobClass: JobClass;
  trackId?: string;
  /**
   * The object's number as a legend entry's instance suffix gives it (1..65535), or 0 for a legend entry without one
   * (it names a class, no object).
   */
  instance?: number;
}

const MAX_KEY = 0xffff;
const MAX_INSTANCE = 0xffff;
// `<class> # <n>` at the very end of the text, spaces around `#` optional: the vendor prints "MINIVAN # 1" and
// "MINIVAN #1".
const INSTANCE_SUFFIX = /^(.*\S)\s*#\s*(\d{1,5})$/s;

interface EntryFields {
  label?: unknown;
  text?: unknown;
  value?: unknown;
  label_key?: unknown;
  class_id?: unknown;
  color?: unknown;
  track_id?: unknown;
}

/**
 * Every label_key that `annotations` (then `legend`) name, in key order. The first entry that gives a key a class
 * wins. Throws ResultObjectError `UNREADABLE_CLASS` for a key that entries name but none gives a class (neither a
 * non-empty label, text or value, nor a class_id): its points must not pass for unlabelled.
 */
export function keyMeaningsOf(annotations: unknown, legend: unknown): KeyMeaning[] {
  const meanings = new Map<number, KeyMeaning>();
  const unreadable = new Set<number>();
  for (const [entries, isLegend] of [
    [annotations, false],
    [legend, true],
  ] as const) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as (EntryFields | null)[]) {
      const key = entry?.label_key;
      if (!Number.isInteger(key) || (key as number) < 0 || (key as number) > MAX_KEY) continue;
      if (meanings.has(key as number)) continue;
      const meaning = meaningOf(key as number, entry!, isLegend);
      if (meaning) {
        meanings.set(key as number, meaning);
        unreadable.delete(key as number);
      } else {
        unreadable.add(key as number);
      }
    }
  }
  if (unreadable.size > 0) {
    const keys = [...unreadable].sort((a, b) => a - b);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
    throw new ResultObjectError(
      `label_key ${shown}: named by the result, but with no class (no label, text, value or class_id)`,
      'UNREADABLE_CLASS',
    );
  }
  return [...meanings.values()].sort((a, b) => a.key - b.key);
}

function meaningOf(key: number, entry: EntryFields, isLegend: boolean): KeyMeaning | undefined {
  const { class_id: classId, color, track_id: trackId } = entry;
  const hasId = typeof classId === 'string' && classId !== '';
  const written = [entry.label, entry.text, entry.value].find(
    (name): name is string => typeof name === 'string' && name !== '',
  );
  if (written === undefined && !hasId) return undefined;
  const suffix = isLegend && written !== undefined ? instanceSuffix(written) : undefined;
  const jobClass: JobClass = { name: suffix?.name ?? written ?? '' };
  if (hasId) jobClass.classId = classId;
  // One colour per object in the instance-aware legend: none of them is the class's.
  const hex = typeof color === 'string' && !suffix ? hexColor(color) : undefined;
  if (hex !== undefined) jobClass.color = hex;
  const meaning: KeyMeaning = { key, jobClass };
  if (typeof trackId === 'string' && trackId !== '') meaning.trackId = trackId;
  if (isLegend) meaning.instance = suffix?.instance ?? 0;
  return meaning;
}

/** The class name and instance number of `"MINIVAN # 1"`, or undefined when the text ends in no instance number. */
export function instanceSuffix(text: string): { name: string; instance: number } | undefined {
  const match = INSTANCE_SUFFIX.exec(text.trim());
  if (!match) return undefined;
  const instance = Number(match[2]);
  if (instance < 1 || instance > MAX_INSTANCE) return undefined;
  return { name: match[1]!, instance };
}
