// Label keys through lookup tables (label_key -> class id, -> instance id...), on the worker's side of the pool:
// the caller's thread gets the ids ready to write instead of spending its own time on a pass per table.

/** The labels through each table, one after another in one new ArrayBuffer (a key past a table's end gives 0). */
export function mapLabels(labels: Uint16Array, lookups: readonly Uint16Array[]): ArrayBuffer {
  const n = labels.length;
  const buffer = new ArrayBuffer(n * Uint16Array.BYTES_PER_ELEMENT * lookups.length);
  lookups.forEach((lookup, t) => {
    const out = new Uint16Array(buffer, t * n * Uint16Array.BYTES_PER_ELEMENT, n);
    const size = lookup.length;
    for (let i = 0; i < n; i++) {
      const key = labels[i]!;
      out[i] = key < size ? lookup[key]! : 0;
    }
  });
  return buffer;
}

/** The views of mapLabels' buffer: one array of `pointCount` ids per table. */
export function mappedViews(buffer: ArrayBuffer, pointCount: number, tables: number): Uint16Array[] {
  return Array.from(
    { length: tables },
    (_, t) => new Uint16Array(buffer, t * pointCount * Uint16Array.BYTES_PER_ELEMENT, pointCount),
  );
}
