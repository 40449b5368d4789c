// The fragments (index lines) of the jobs complete in this run, kept as the run wrote or read them, so that the end of
// the run merges index.jsonl without reading every job's fragment back. Bounded: past `limit` characters in all,
// fragments are not kept, and the merge reads those from disk.

/** What a run keeps at most: ~50,000 index lines (a line is ~300 characters with a few classes). */
export const MAX_KEPT_CHARS = 16 * 1024 * 1024;

export class KeptFragments {
  readonly #texts = new Map<string, string>();
  readonly #limit: number;
  #chars = 0;

  constructor(limit = MAX_KEPT_CHARS) {
    this.#limit = limit;
  }

  /** Keeps the job's fragment as it now is on disk, in place of any kept before (if it fits). */
  keep(jobPath: string, text: string): void {
    const old = this.#texts.get(jobPath);
    if (old !== undefined) {
      this.#texts.delete(jobPath);
      this.#chars -= old.length;
    }
    if (this.#chars + text.length > this.#limit) return;
    this.#texts.set(jobPath, text);
    this.#chars += text.length;
  }

  /** The job's fragment if kept; undefined means: read it from disk. */
  textOf(jobPath: string): string | undefined {
    return this.#texts.get(jobPath);
  }
}
