// The work of one frame (one index line), run on a render thread: read its label file (and points file), count what
// the report needs from the points themselves, draw and write its bird's-eye PNG; with an older export, also its
// labels there, the points whose class changed, and the before / after / changed views. A render thread does nothing
// else, so its files are read and written with blocking calls (no round trip through libuv's shared thread pool),
// into buffers it keeps from frame to frame.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomicSync } from '../export/files.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';
import type { LabelMode } from '../export/option-table.js';
import { FIRST_CLASS_INDEX, farPoints, prioritiesOf, rasterise, type ViewGeometry } from './birdseye.js';
import { BACKGROUND, MARKER, type Rgb } from './colors.js';
import { ReportError } from './report-error.js';
import { encodeIndexedPng } from './png.js';

/** How to read the label files of one export. */
export interface LabelSource {
  dir: string;
  format: ExportFormat;
  labels: LabelMode;
  instances: boolean;
  /** The label file, relative to `dir`. */
  file: string;
  /** `--labels raw`: label_key -> class id (from the job's legend). */
  classOfKey?: Uint16Array;
}

export interface FrameTask {
  labels: LabelSource;
  /** The points file, relative to `labels.dir` (an export made with --with-points). */
  pointsFile?: string;
  /** `--labels raw`: 1 for each label_key an annotation names. */
  namedKeys?: Uint8Array;
  /** Class id -> r, g, b. */
  colors: Uint8Array;
  view: ViewGeometry;
  farMetres: number;
  /** Where the bird's-eye PNG goes (absolute); none without points. */
  image?: string;
  against?: {
    labels: LabelSource;
    /** Class id in the older export -> class id in this one (classes matched by class_id, else name). */
    classMap: Uint16Array;
    /** Before, after and changed-only views (absolute paths), written when some point changed and there are points. */
    images?: { before: string; after: string; changed: string };
  };
}

export interface FrameReply {
  /** Points whose raw label_key no annotation names (not 0), `--labels raw` only; else null. */
  unnamedKeyPoints: number | null;
  /** Points farther from the sensor than `farMetres`, and the farthest; null without points. */
  far: { count: number; max: number } | null;
  /** Only with `against`. */
  changes?: {
    /** [class id now, points] of the points whose class changed, by their class in this export. */
    to: [number, number][];
    /** [class id before (as mapped), points], by their class in the older export. */
    from: [number, number][];
    /** The two label files hold different numbers of points: nothing is compared. */
    pointCountDiffers: boolean;
  };
}

export function renderFrame(task: FrameTask): FrameReply {
  const labels = readLabels(task.labels);
  const classes = classesOf(labels, task.labels);
  const n = classes.length;
  const reply: FrameReply = { unnamedKeyPoints: null, far: null };
  if (task.namedKeys) reply.unnamedKeyPoints = unnamedKeyCount(labels, task.namedKeys);
  const points = task.pointsFile === undefined ? undefined : readPoints(task.labels, task.pointsFile, n);
  if (points) reply.far = farPoints(points.xyz, points.stride, n, task.farMetres);
  if (points && task.image) writeView(task.image, { ...points, classes }, task);

  if (task.against) {
    const before = classesOf(readLabels(task.against.labels), task.against.labels);
    if (before.length !== n) {
      reply.changes = { to: [], from: [], pointCountDiffers: true };
      return reply;
    }
    const { classMap } = task.against;
    const changed = new Uint8Array(n);
    const to = new Map<number, number>();
    const from = new Map<number, number>();
    const mapped = new Uint16Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const was = classMap[before[i]!] ?? 0;
      mapped[i] = was;
      if (was === classes[i]) continue;
      changed[i] = 1;
      any = true;
      to.set(classes[i]!, (to.get(classes[i]!) ?? 0) + 1);
      from.set(was, (from.get(was) ?? 0) + 1);
    }
    const sorted = (counts: Map<number, number>) => [...counts].sort((a, b) => a[0] - b[0]);
    reply.changes = { to: sorted(to), from: sorted(from), pointCountDiffers: false };
    const images = task.against.images;
    if (any && points && images) {
      writeView(images.before, { ...points, classes: mapped }, task);
      writeView(images.after, { ...points, classes }, task);
      writeView(images.changed, { ...points, classes, draw: changed }, task);
    }
  }
  return reply;
}

function writeView(
  path: string,
  frame: { xyz: Float32Array; stride: number; classes: Uint16Array; draw?: Uint8Array },
  task: FrameTask,
): void {
  const maxClass = task.colors.length / 3;
  const counts = new Uint32Array(maxClass);
  const { classes, draw } = frame;
  for (let i = 0; i < classes.length; i++) {
    const cls = classes[i]!;
    if (cls < maxClass && (draw === undefined || draw[i] === 1)) counts[cls]!++;
  }
  // Palette: background, marker, then the classes present, most points first (at most 254 of them).
  const present = [...counts.keys()].filter((id) => counts[id]! > 0).sort((a, b) => counts[b]! - counts[a]!);
  const palette: Rgb[] = [BACKGROUND, MARKER];
  const indexOfClass = new Uint8Array(maxClass);
  for (const id of present.slice(0, 256 - FIRST_CLASS_INDEX)) {
    indexOfClass[id] = palette.length;
    palette.push([task.colors[id * 3]!, task.colors[id * 3 + 1]!, task.colors[id * 3 + 2]!]);
  }
  const pixels = rasterise({ ...frame, indexOfClass, priorityOfClass: prioritiesOf(counts) }, task.view);
  const png = encodeIndexedPng(task.view.size, task.view.size, pixels, palette);
  // Under a temporary name, then renamed: an image under its final name is whole.
  writeFileAtomicSync(dirname(path), basename(path), [png]);
}

/** The class id of every point of a label file (`--labels raw`: through the job's legend). */
function classesOf(labels: Uint16Array, source: LabelSource): Uint16Array {
  const table = source.classOfKey;
  if (source.labels === 'class' || !table) return labels;
  const classes = new Uint16Array(labels.length);
  for (let i = 0; i < labels.length; i++) classes[i] = table[labels[i]!] ?? 0;
  return classes;
}

function readLabels(source: LabelSource): Uint16Array {
  const path = join(source.dir, source.file);
  // decodeLabels copies the labels out: the buffer is free for the next file.
  const bytes = readWhole(path, 'labels');
  const labels = FORMATS[source.format].decodeLabels(bytes, source.instances);
  if (!labels) throw new ReportError('BAD_LABEL_FILE', `${path} is not a ${source.format} label file`);
  return labels;
}

function unnamedKeyCount(keys: Uint16Array, named: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key !== 0 && (key >= named.length || named[key] !== 1)) count++;
  }
  return count;
}

/** x, y, z of each point (at i * stride) from a points file, laid out as the export's format writes them. */
function readPoints(source: LabelSource, file: string, n: number): { xyz: Float32Array; stride: number } {
  const path = join(source.dir, file);
  // A view on the thread's points buffer: used up before the next frame's points are read.
  const bytes = readWhole(path, 'points');
  const layout = FORMATS[source.format].points;
  const stride = layout.valuesPerPoint;
  const start = layout.header(n).reduce((sum, chunk) => sum + chunk.length, 0);
  if (bytes.length - start !== n * stride * 4) {
    throw new ReportError('MISALIGNED', `${path} does not hold the ${n} points of its label file`);
  }
  // A Float32Array needs a 4-byte aligned start: copied otherwise (a fresh Uint8Array starts its own buffer).
  const aligned = (bytes.byteOffset + start) % 4 === 0;
  const data = aligned ? bytes.subarray(start) : new Uint8Array(bytes.subarray(start));
  return { xyz: new Float32Array(data.buffer, data.byteOffset, n * stride), stride };
}

const buffers = { labels: new Uint8Array(0), points: new Uint8Array(0) };

/** The whole file, in the thread's buffer for this kind of file (grown as needed, never shrunk). */
function readWhole(path: string, kind: keyof typeof buffers): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (buffers[kind].length < size) buffers[kind] = new Uint8Array(size + (size >> 3));
    const buffer = buffers[kind];
    let at = 0;
    while (at < size) {
      const read = readSync(fd, buffer, at, size - at, at);
      if (read === 0) break;
      at += read;
    }
    return buffer.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
