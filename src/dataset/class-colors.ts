// The colour a class is drawn in: its own (classes.json `color`), black for points without a class, else a fixed
// colour from its id.
import type { ClassEntry } from '../export/classes.js';

/** [r, g, b], 0..255. */
export function rgbOf(entry: ClassEntry): number[] {
  if (entry.id === 0) return [0, 0, 0];
  if (entry.color !== undefined) return [1, 3, 5].map((at) => Number.parseInt(entry.color!.slice(at, at + 2), 16));
  const hash = Math.imul(entry.id, 0x9e3779b1) >>> 0;
  return [(hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff];
}
