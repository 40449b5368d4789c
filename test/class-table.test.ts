// ClassTable's assigned ids: classes arriving job by job get the ids a sort of all of them gives (by name, then
// class id), whatever the order they arrive in, and the ids the whole table's entries() gives at the end.
import { describe, expect, it } from 'vitest';
import { ClassTable } from '../src/export/classes.js';
import type { JobClass } from '../src/result/index.js';

/** Deterministic shuffle (a small LCG), so that a failure replays. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('ClassTable.assigned', () => {
  it('numbers classes seen in batches as one sort of them all would, at every step', () => {
    const classes: JobClass[] = [
      ...Array.from({ length: 300 }, (_, i) => ({ name: `Class ${i + 1}`, classId: `c${i}` })),
      { name: 'Vehicle', classId: 'b' },
      { name: 'Vehicle', classId: 'a' },
      { name: 'Pole' },
      { name: 'Vehicle' },
    ];
    for (const seed of [1, 2, 3]) {
      const table = ClassTable.assigned();
      const seen: JobClass[] = [];
      const order = shuffled(classes, seed);
      for (let start = 0; start < order.length; start += 17) {
        const job = order.slice(start, start + 17);
        table.see(job);
        seen.push(...job);
        // The ids of all seen so far: a fresh table built from them all at once, and entries(), agree.
        const whole = ClassTable.assigned(seen);
        const entries = table.entries(seen);
        for (const jobClass of seen) {
          const id = table.idOf(jobClass);
          expect(id).toBe(whole.idOf(jobClass));
          expect(entries[id]).toMatchObject({ name: jobClass.name });
          expect(entries[id]!.class_id).toBe(jobClass.classId);
          expect(table.nameOf(id)).toBe(jobClass.name);
        }
      }
      expect(table.idOf({ name: 'Class 1', classId: 'c0' })).toBe(1);
      expect(table.idOf({ name: 'Pole' })).toBe(301);
      expect(table.idOf({ name: 'Vehicle', classId: 'a' })).toBe(302);
      expect(table.idOf({ name: 'Vehicle', classId: 'b' })).toBe(303);
      expect(table.idOf({ name: 'Vehicle' })).toBe(304);
    }
  });

  it('orders a class id by the name it was first seen with', () => {
    const table = ClassTable.assigned([{ name: 'b', classId: 'X' }, { name: 'a' }, { name: 'c' }]);
    expect(table.idOf({ name: 'zzz', classId: 'X' })).toBe(2);
    expect(table.nameOf(2)).toBe('b');
  });
});
