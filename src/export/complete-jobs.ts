// The jobs complete in the output folder as this run knows them, in the order they completed: the end of the run
// fixes the class table from the classes and ids their files hold (ClassUses), and merges index.jsonl from their
// fragments (KeptFragments, else from disk).
import { ClassUses } from './class-uses.js';
import { KeptFragments } from './kept-fragments.js';
import type { JobLegend } from './legend.js';

export class CompleteJobs {
  /** Output paths (jobs/<job>). */
  readonly paths: string[] = [];
  readonly classUses = new ClassUses();
  readonly fragments: KeptFragments;

  constructor(fragments = new KeptFragments()) {
    this.fragments = fragments;
  }

  /** A job exported now or found complete: its legend and its fragment's text, as on disk. */
  add(jobPath: string, legend: JobLegend, fragment: string): void {
    this.paths.push(jobPath);
    this.classUses.add(jobPath, legend);
    this.fragments.keep(jobPath, fragment);
  }
}
