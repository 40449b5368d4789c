// Realistic Playment mask text, deterministic from a seed: shared by the simulator, the tests and the benchmarks.
// Pure and platform-neutral (no Node imports) so that the simulator can serve it and a browser can run it.

/** Label keys of a typical 3D segmentation taxonomy: a few classes, mostly one or two digits. */
export const DEFAULT_MASK_CLASSES: readonly number[] = Object.freeze([0, 1, 4, 7, 11, 16, 23, 58, 102]);

export interface MaskLabelOptions {
  /** Number of points (labels). */
  points: number;
  /** Seed of the pseudo-random sequence: the same seed gives the same labels. Default 1. */
  seed?: number;
  /** Label keys to draw from (at least two). Default DEFAULT_MASK_CLASSES. */
  classes?: readonly number[];
  /** Mean length of a run of equal labels (scan order keeps neighbouring points on the same object). Default 12. */
  meanRunLength?: number;
  /** Every label differs from the one before it: the worst case for run-based shortcuts. Default false. */
  runFree?: boolean;
}

/** A deterministic 32-bit generator (mulberry32): returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-point labels: runs of equal labels of geometric length, or (runFree) no two neighbours equal. */
export function generateMaskLabels(options: MaskLabelOptions): Uint16Array {
  const { points, seed = 1, classes = DEFAULT_MASK_CLASSES, meanRunLength = 12, runFree = false } = options;
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError('points must be a non-negative integer');
  if (classes.length < 2) throw new RangeError('classes must hold at least two label keys');
  const random = seededRandom(seed);
  const labels = new Uint16Array(points);
  const continueRun = runFree ? 0 : 1 - 1 / meanRunLength;
  let current = 0;
  for (let i = 0; i < points; i++) {
    if (i === 0 || random() >= continueRun) {
      // A new run: any class but the current one.
      const pick = Math.floor(random() * (classes.length - 1));
      current = i === 0 ? pick : pick >= current ? pick + 1 : pick;
    }
    labels[i] = classes[current]!;
  }
  return labels;
}

/** Mask file text as Playment writes it: `[a, b, c,` ... with a line break instead of the space about every 80 columns. */
export function formatMaskText(labels: ArrayLike<number>, lineWidth = 80): string {
  const parts: string[] = ['['];
  let column = 1;
  for (let i = 0; i < labels.length; i++) {
    const text = String(labels[i]);
    if (i > 0) {
      if (column + 2 + text.length > lineWidth) {
        parts.push(',\n');
        column = 0;
      } else {
        parts.push(', ');
        column += 2;
      }
    }
    parts.push(text);
    column += text.length;
  }
  parts.push(']');
  return parts.join('');
}

/** A realistic mask file of `points` labels (runs of equal labels from a small class set). */
export function realisticMaskText(points: number, seed = 1): string {
  return formatMaskText(generateMaskLabels({ points, seed }));
}

/** A mask file of `points` labels where every label differs from the one before it. */
export function runFreeMaskText(points: number, seed = 1): string {
  return formatMaskText(generateMaskLabels({ points, seed, runFree: true }));
}
