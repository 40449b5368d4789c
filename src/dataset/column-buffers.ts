// Buffers a thread reuses from one Parquet file to the next, by name: a fresh 40 MB per file would leave the
// allocator's heap growing with the export.

type Reusable = Float32Array | Uint16Array | Uint32Array | Uint8Array;

export class ColumnBuffers {
  readonly #buffers = new Map<string, Reusable>();

  /** The first `length` values of the buffer `name`, made by `make` (again when too short). */
  take<T extends Reusable>(name: string, length: number, make: new (length: number) => T): T {
    let buffer = this.#buffers.get(name) as T | undefined;
    if (!buffer || buffer.length < length) {
      buffer = new make(length);
      this.#buffers.set(name, buffer);
    }
    return buffer.subarray(0, length) as T;
  }
}
