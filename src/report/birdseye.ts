// Bird's-eye views: a frame's points seen from above, x to the right and y up, one pixel per point at a fixed scale,
// without anti-aliasing: a pixel takes exactly the colour of one point that falls in it. Where points of several
// classes share a pixel, the class with fewer points in the frame wins, so that small classes stay visible; class 0
// (unlabelled) is drawn under all others. The sensor origin is marked with a cross and a 10 m scale bar.

import type { ResolvedValues } from '../options/option.js';
import type { VIEW_OPTIONS } from './view-options.js';

/** The fixed geometry of every view of a report (VIEW_OPTIONS says what each means). */
export type ViewGeometry = ResolvedValues<typeof VIEW_OPTIONS>;

/** Palette indices of every view: 0 the background (a fresh image's), 1 the marker, then one per class drawn. */
export const MARKER_INDEX = 1;
export const FIRST_CLASS_INDEX = 2;

const CROSS_ARM = 6;
const SCALE_BAR_METRES = 10;

export interface RasterInput {
  /** x, y, z of point i at i * stride. */
  xyz: Float32Array;
  stride: number;
  /** Class id of point i. */
  classes: Uint16Array;
  /** Only the points i with draw[i] = 1 when given. */
  draw?: Uint8Array;
  /** Class id -> palette index (0: not drawn). */
  indexOfClass: Uint8Array;
  /** Class id -> priority: where points meet, the higher wins. */
  priorityOfClass: Uint16Array;
}

/** The view's pixels (palette indices, row-major, top row first). */
export function rasterise(input: RasterInput, view: ViewGeometry): Uint8Array {
  const { xyz, stride, classes, draw, indexOfClass, priorityOfClass } = input;
  const { size, metresPerPixel } = view;
  const pixels = new Uint8Array(size * size);
  // Palette index -> the rank of its class (0: the background): a pixel's winner is read from the pixel itself, so
  // that each point touches one byte of the image and the image stays in the cache.
  const rankOfIndex = new Uint32Array(256);
  indexOfClass.forEach((index, id) => {
    if (index !== 0) rankOfIndex[index] = priorityOfClass[id]! + 1;
  });
  const scale = 1 / metresPerPixel;
  const half = size / 2;
  const n = classes.length;
  for (let i = 0, at3 = 0; i < n; i++, at3 += stride) {
    if (draw !== undefined && draw[i] === 0) continue;
    const cls = classes[i]!;
    if (cls >= indexOfClass.length) continue;
    const index = indexOfClass[cls]!;
    if (index === 0) continue;
    const fx = xyz[at3]! * scale + half;
    const fy = half - xyz[at3 + 1]! * scale;
    // The pixel is (floor(fx), floor(fy)): inside the view exactly when 0 <= f < size, where floor is truncation.
    // NaN coordinates fail the tests and are skipped.
    if (!(fx >= 0 && fx < size && fy >= 0 && fy < size)) continue;
    const at = (fy | 0) * size + (fx | 0);
    if (rankOfIndex[index]! >= rankOfIndex[pixels[at]!]!) pixels[at] = index;
  }
  drawMarker(pixels, view);
  return pixels;
}

function drawMarker(pixels: Uint8Array, { size, metresPerPixel }: ViewGeometry): void {
  const centre = Math.floor(size / 2);
  for (let d = -CROSS_ARM; d <= CROSS_ARM; d++) {
    if (centre + d < 0 || centre + d >= size) continue;
    pixels[centre * size + centre + d] = MARKER_INDEX;
    pixels[(centre + d) * size + centre] = MARKER_INDEX;
  }
  const bar = Math.round(SCALE_BAR_METRES / metresPerPixel);
  const y = size - 8;
  if (bar + 8 > size || y < 0) return;
  for (let x = 8; x < 8 + bar; x++) pixels[y * size + x] = MARKER_INDEX;
  for (let dy = -3; dy <= 0; dy++) {
    pixels[(y + dy) * size + 8] = MARKER_INDEX;
    pixels[(y + dy) * size + 7 + bar] = MARKER_INDEX;
  }
}

/** Class id -> priority: the fewer points a class has in the frame, the higher; class 0 lowest. */
export function prioritiesOf(counts: Uint32Array): Uint16Array {
  const ids = [...counts.keys()].filter((id) => id !== 0 && counts[id]! > 0);
  ids.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const priority = new Uint16Array(counts.length);
  ids.forEach((id, rank) => {
    priority[id] = rank + 1;
  });
  return priority;
}

/** Points farther than `metres` from the sensor (3D), and the farthest distance seen. */
export function farPoints(
  xyz: Float32Array,
  stride: number,
  n: number,
  metres: number,
): { count: number; max: number } {
  const limit = metres * metres;
  let count = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = xyz[i * stride]!;
    const y = xyz[i * stride + 1]!;
    const z = xyz[i * stride + 2]!;
    const d = x * x + y * y + z * z;
    if (d > limit) count++;
    if (d > max) max = d;
  }
  return { count, max: Math.sqrt(max) };
}
