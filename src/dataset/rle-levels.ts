// Parquet's repetition and definition levels in the RLE / bit-packed hybrid encoding (Encodings.md), with RLE runs
// only: a list column's levels are a few long runs per row (a row's first value, then the rest of the row; every
// value defined), which runs encode in a few bytes where bit-packing would take a bit or two per value.

/** Levels written as runs of one value; a run of the value the last run had extends it. */
export class LevelRuns {
  readonly #bytes: number[] = [];
  #value = -1;
  #count = 0;

  /** `count` levels of `value` (a level below 256: one byte per run, for columns nested a few levels deep). */
  add(value: number, count: number): this {
    if (count === 0) return this;
    if (value === this.#value) {
      this.#count += count;
      return this;
    }
    this.#flush();
    this.#value = value;
    this.#count = count;
    return this;
  }

  /** The runs: each its count (a ULEB128 varint of count << 1, the low bit 0 marking a run) and its value's byte. */
  encode(): Uint8Array {
    this.#flush();
    return Uint8Array.from(this.#bytes);
  }

  #flush(): void {
    if (this.#count === 0) return;
    let header = this.#count * 2;
    while (header >= 0x80) {
      this.#bytes.push((header % 0x80) | 0x80);
      header = Math.floor(header / 0x80);
    }
    this.#bytes.push(header, this.#value);
    this.#count = 0;
    this.#value = -1;
  }
}
