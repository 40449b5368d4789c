// Counting decoded labels into the histogram while they are still in cache: the parser hands over each stretch of
// new labels. The method is chosen by the data, chunk by chunk: on real masks labels come in long runs, so counting
// once per run (where the value changes) is cheapest; where values change often, increments of the same entry follow
// each other closely, so eight interleaved sub-histograms keep them independent.

const CHUNK_LABELS: usize = 4096;
/** Entries per sub-histogram: sub-histograms 1..7 live in the entries above, unused while every label is below. */
const SUB_ENTRIES: usize = 8192;
const SUB_HISTOGRAMS: usize = 8;
/**
 * Counting by runs pays a mispredicted branch per change of value: it wins only below one change per this many labels
 * (measured on 2M-label masks: 0.23-0.43 ns/label at mean runs of 50-400, 1.1 ns at 12; interleaved 0.5 ns flat).
 */
const RUN_COUNTING_MAX_CHANGES: usize = 32;

let labelsPtr: usize = 0;
let histPtr: usize = 0;
/** Labels [0, counted) are counted, except the run that starts at runStart (all equal to labels[counted - 1]). */
let counted: usize = 0;
let runStart: usize = 0;
let seenMax: u32 = 0;
let subHistogramsUsed = false;

// @ts-ignore: decorator
@inline function label(i: usize): usize {
  return <usize>load<u16>(labelsPtr + (i << 1));
}

// @ts-ignore: decorator
@inline function bump(entry: usize, by: u32): void {
  store<u32>(entry, load<u32>(entry) + by);
}

/** Bit j set when labels[i + j] differs from labels[i + j - 1] (i >= 1). */
// @ts-ignore: decorator
@inline function changes8(i: usize): u32 {
  const at = labelsPtr + (i << 1);
  return ~i16x8.bitmask(i16x8.eq(v128.load(at), v128.load(at - 2))) & 0xff;
}

/** Starts counting the labels at `labels` into the zeroed 65536-entry u32 histogram at `histogram`. */
export function startCounting(labels: usize, histogram: usize): void {
  labelsPtr = labels;
  histPtr = histogram;
  counted = 0;
  runStart = 0;
  seenMax = 0;
  subHistogramsUsed = false;
}

/** Counts the labels written so far, up to the write pointer `o`. */
export function countUpTo(o: usize): void {
  const count = (o - labelsPtr) >> 1;
  while (counted < count) {
    const to = min(counted + CHUNK_LABELS, count);
    countChunk(counted, to);
    counted = to;
  }
}

/** Closes the last run and folds the sub-histograms; returns the largest label (0 when there were none). */
export function finishCounting(): u32 {
  if (runStart < counted) bump(histPtr + (label(counted - 1) << 2), <u32>(counted - runStart));
  runStart = counted;
  if (subHistogramsUsed) foldSubHistograms();
  return seenMax;
}

function countChunk(from: usize, to: usize): void {
  // One cheap pass for the chunk's largest label and how often the value changes.
  let i = from;
  let changes: usize = 0;
  let maxima = i16x8.splat(0);
  if (i == 0) {
    maxima = i16x8.splat(<i16>label(0));
    i = 1;
  }
  for (; i + 8 <= to; i += 8) {
    const at = labelsPtr + (i << 1);
    const values = v128.load(at);
    changes += <usize>popcnt(~i16x8.bitmask(i16x8.eq(values, v128.load(at - 2))) & 0xff);
    maxima = i16x8.max_u(maxima, values);
  }
  let chunkMax = horizontalMax(maxima);
  for (; i < to; i++) {
    const value = <u32>label(i);
    if (value > chunkMax) chunkMax = value;
    changes += <usize>(label(i) != label(i - 1));
  }
  if (chunkMax > seenMax) seenMax = chunkMax;
  if (seenMax >= <u32>SUB_ENTRIES && subHistogramsUsed) {
    // Labels this large land where the sub-histograms are: fold them first, and count by runs from now on.
    foldSubHistograms();
  }
  if (seenMax < <u32>SUB_ENTRIES && changes * RUN_COUNTING_MAX_CHANGES > to - from) {
    if (runStart < from) bump(histPtr + (label(from - 1) << 2), <u32>(from - runStart));
    countInterleaved(from, to);
    runStart = to;
    subHistogramsUsed = true;
  } else {
    countRuns(from, to);
  }
}

// @ts-ignore: decorator
@inline function horizontalMax(v: v128): u32 {
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1));
  return <u32>i16x8.extract_lane_u(v, 0);
}

/** Counts the runs that end in [from, to): one histogram update per change of value. */
function countRuns(from: usize, to: usize): void {
  let start = runStart;
  let i = max<usize>(from, 1);
  for (; i + 8 <= to; i += 8) {
    let changes = changes8(i);
    while (changes) {
      const at = i + <usize>ctz(changes);
      bump(histPtr + (label(at - 1) << 2), <u32>(at - start));
      start = at;
      changes &= changes - 1;
    }
  }
  for (; i < to; i++) {
    if (label(i) != label(i - 1)) {
      bump(histPtr + (label(i - 1) << 2), <u32>(i - start));
      start = i;
    }
  }
  runStart = start;
}

/** Counts labels [from, to) one by one into eight sub-histograms, so that neighbouring increments are independent. */
function countInterleaved(from: usize, to: usize): void {
  const s = SUB_ENTRIES << 2;
  const h = histPtr;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const group = labelsPtr + (i << 1);
    bump(h + (<usize>load<u16>(group, 0) << 2), 1);
    bump(h + s + (<usize>load<u16>(group, 2) << 2), 1);
    bump(h + 2 * s + (<usize>load<u16>(group, 4) << 2), 1);
    bump(h + 3 * s + (<usize>load<u16>(group, 6) << 2), 1);
    bump(h + 4 * s + (<usize>load<u16>(group, 8) << 2), 1);
    bump(h + 5 * s + (<usize>load<u16>(group, 10) << 2), 1);
    bump(h + 6 * s + (<usize>load<u16>(group, 12) << 2), 1);
    bump(h + 7 * s + (<usize>load<u16>(group, 14) << 2), 1);
  }
  for (; i < to; i++) bump(h + (label(i) << 2), 1);
}

/** Adds sub-histograms 1..7 into the histogram and clears them. */
function foldSubHistograms(): void {
  // Only entries up to the largest label counted interleaved can be set, and that was below SUB_ENTRIES.
  const entries = min<usize>(<usize>seenMax + 1, SUB_ENTRIES);
  for (let k: usize = 1; k < SUB_HISTOGRAMS; k++) {
    const sub = histPtr + ((k * SUB_ENTRIES) << 2);
    for (let e: usize = 0; e < entries; e++) {
      const slot = sub + (e << 2);
      bump(histPtr + (e << 2), load<u32>(slot));
      store<u32>(slot, 0);
    }
  }
  subHistogramsUsed = false;
}
