// The report's colours: each class its classes.json colour, else one from a fixed palette of well-separated hues
// handed out to the most frequent classes first (skipping any close to a colour already taken); background and
// origin marker apart from all of them.
import type { ClassEntry } from '../export/classes.js';

export type Rgb = readonly [number, number, number];

export const BACKGROUND: Rgb = [17, 17, 17];
export const MARKER: Rgb = [255, 255, 255];
// Points of class 0 (keys no annotation names): the grey farthest from every class colour of the table.
const UNLABELLED_CANDIDATES: readonly Rgb[] = [
  [96, 96, 96],
  [64, 64, 64],
  [160, 160, 160],
  [112, 96, 80],
  [80, 96, 112],
];

// Distinct on a dark background, in the order they are handed out.
const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [23, 190, 207],
  [227, 119, 194],
  [188, 189, 34],
  [140, 86, 75],
  [255, 187, 120],
  [152, 223, 138],
  [174, 199, 232],
  [255, 152, 150],
  [197, 176, 213],
  [158, 218, 229],
  [219, 219, 141],
];
// Squared RGB distance under which two colours read as one.
const TOO_CLOSE = 48 * 48;

function distance2(a: Rgb, b: Rgb): number {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
}

function fromHex(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [value >> 16, (value >> 8) & 0xff, value & 0xff];
}

export function toHex([r, g, b]: Rgb): string {
  return `#${((r << 16) | (g << 8) | b).toString(16).padStart(6, '0')}`;
}

/** A fallback colour past the palette: hues a golden angle apart. */
function hueColor(n: number): Rgb {
  const hue = (n * 137.508) % 360;
  const f = (k: number) => {
    const h = (k + hue / 30) % 12;
    return Math.round(255 * (0.55 - 0.35 * Math.max(-1, Math.min(h - 3, 9 - h, 1))));
  };
  return [f(0), f(8), f(4)];
}

/**
 * Class id -> colour for every class of the table. `points` (class id -> points in the batch) orders who gets the
 * palette's first colours.
 */
export function classColors(classes: readonly ClassEntry[], points: ReadonlyMap<number, number>): Map<number, Rgb> {
  const colors = new Map<number, Rgb>();
  const taken: Rgb[] = [BACKGROUND, MARKER];
  for (const entry of classes) {
    if (entry.id !== 0 && entry.color !== undefined) {
      const rgb = fromHex(entry.color);
      colors.set(entry.id, rgb);
      taken.push(rgb);
    }
  }
  const nearest = (rgb: Rgb) => Math.min(...taken.map((other) => distance2(other, rgb)));
  const unlabelled = [...UNLABELLED_CANDIDATES].sort((a, b) => nearest(b) - nearest(a))[0]!;
  colors.set(0, unlabelled);
  taken.push(unlabelled);
  const uncoloured = classes
    .filter((entry) => !colors.has(entry.id))
    .sort((a, b) => (points.get(b.id) ?? 0) - (points.get(a.id) ?? 0) || a.id - b.id);
  let next = 0;
  let hue = 0;
  for (const entry of uncoloured) {
    let rgb: Rgb | undefined;
    while (next < PALETTE.length && rgb === undefined) {
      const candidate = PALETTE[next++]!;
      if (taken.every((other) => distance2(other, candidate) >= TOO_CLOSE)) rgb = candidate;
    }
    rgb ??= hueColor(hue++);
    colors.set(entry.id, rgb);
    taken.push(rgb);
  }
  return colors;
}
