// Which classes each complete job's files use, and under which ids, kept from the run itself: the end of the run
// fixes the class table and finds the jobs to renumber from it, instead of reading every job's legend back. Small
// for any batch: a class is kept once, a job keeps two integers per class it uses.
import type { JobClass } from '../result/index.js';
import { classKeyOf } from './classes.js';
import { classOfEntry, type JobLegend } from './legend.js';

export class ClassUses {
  readonly #indexOf = new Map<string, number>();
  readonly #classes: JobClass[] = [];
  readonly #jobs: Array<{ path: string; pairs: Uint32Array }> = [];

  /** Records a complete job: the classes of its legend and the ids its files hold for them. */
  add(jobPath: string, legend: JobLegend): void {
    const pairs: number[] = [];
    const seen = new Set<number>();
    for (const entry of legend.legend) {
      const jobClass = classOfEntry(entry);
      const key = classKeyOf(jobClass);
      let index = this.#indexOf.get(key);
      if (index === undefined) {
        index = this.#classes.push(jobClass) - 1;
        this.#indexOf.set(key, index);
      }
      if (seen.has(index)) continue;
      seen.add(index);
      pairs.push(index, entry.class);
    }
    this.#jobs.push({ path: jobPath, pairs: Uint32Array.from(pairs) });
  }

  /** Every class some complete job uses, in the order they were first recorded. */
  get classes(): readonly JobClass[] {
    return this.#classes;
  }

  /** The jobs, in the order recorded, whose files hold for some class an id other than `idOf` gives it now. */
  stale(idOf: (jobClass: JobClass) => number): string[] {
    const ids = this.#classes.map(idOf);
    return this.#jobs
      .filter(({ pairs }) => pairs.some((value, i) => i % 2 === 1 && ids[pairs[i - 1]!] !== value))
      .map(({ path }) => path);
  }
}
