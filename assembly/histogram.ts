// Counting decoded labels into the histogram while they are still in cache: the parser hands over each stretch of
// new labels. The method is chosen by the data, chunk by chunk: on real masks labels come in runs, so counting once
// per run is cheapest (the runs of a chunk found with SIMD, without a branch per run, then one update each); where
// values change often, increments of the same entry follow each other closely, so eight interleaved sub-histograms
// keep them independent.
import { buildLaneTable } from './tables';

const CHUNK_LABELS: usize = 4096;
/**
 * Entries per sub-histogram: sub-histograms 1..7 live in the entries above, unused while every label is below. Not
 * 8192: in a run, the eight increments of a group hit the same label in every sub-histogram, and at a distance of a
 * multiple of 4 KiB the CPU takes each load for one that depends on the store before it (4K aliasing). 8000 entries
 * (32,000 bytes) put the eight at distinct offsets modulo 4 KiB, at least 256 bytes apart, and fit in the histogram's
 * 65536 entries (measured on the realistic 2M-point mask, parser + histogram: 1.04-1.08x faster on Node 20 and 24;
 * run-free unchanged).
 */
const SUB_ENTRIES: usize = 8000;
const SUB_HISTOGRAMS: usize = 8;
const SUB_BYTES: usize = SUB_ENTRIES << 2;
const LARGEST_INTERLEAVED: usize = memory.data<u16>([<u16>SUB_ENTRIES - 1]);
/**
 * Counting by runs wins below one change of value per this many labels (2M-label masks, parser + histogram): listed
 * runs (relaxed build) cost about two label updates' work per group of 8 labels and one update per run, so from runs
 * of 4 on; runs found bit by bit (plain build) pay a mispredicted branch per change of value: 0.23-0.43 ns/label at
 * mean runs of 50-400, 1.1 ns at 12, against interleaved counting's 0.45 ns flat.
 */
const RUN_COUNTING_MAX_CHANGES: usize = ASC_FEATURE_RELAXED_SIMD ? 4 : 32;
/** Where countRunsListed lists the runs ending in a chunk: their labels and ends (from the chunk's start), as u16. */
const RUN_LABELS: usize = memory.data(ASC_FEATURE_RELAXED_SIMD ? <i32>(CHUNK_LABELS + 8) << 1 : 16, 16);
const RUN_ENDS: usize = memory.data(ASC_FEATURE_RELAXED_SIMD ? <i32>(CHUNK_LABELS + 8) << 1 : 16, 16);
/**
 * RUN_TABLE[e] (16 bytes): the swizzle that moves the u16 lanes at the set bits of the 8-bit mask `e` to the front, in
 * order (lane j gets bytes 2p and 2p + 1, p the position of the j-th set bit); unused lanes become 0.
 */
const RUN_TABLE: usize = memory.data(ASC_FEATURE_RELAXED_SIMD ? 256 * 16 : 16, 16);
/** u16 lanes 0..7, and 8 in every lane. */
const LANE_NUMBERS: usize = memory.data<u16>([0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8], 16);

if (ASC_FEATURE_RELAXED_SIMD) buildLaneTable(RUN_TABLE, 0, 2, 1, 2);

const CHUNKS_BETWEEN_SAMPLES = 7;

let labelsPtr: usize = 0;
let histPtr: usize = 0;
/** Labels [0, counted) are counted, except the run that starts at runStart (all equal to labels[counted - 1]). */
let counted: usize = 0;
let runStart: usize = 0;
let seenMax: u32 = 0;
let subHistogramsUsed = false;
/** The method for the next chunk, from what the last chunks showed. */
let interleave = false;
let chunksUntilSample = 0;
/** False while a mask is decoded for its labels alone: nothing is counted. */
let counting = true;

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

/**
 * Starts counting the labels at `labels` into the zeroed 65536-entry u32 histogram at `histogram`; with `enabled`
 * false, counting does nothing until the next start (a caller that wants the labels alone).
 */
export function startCounting(labels: usize, histogram: usize, enabled: bool): void {
  counting = enabled;
  labelsPtr = labels;
  histPtr = histogram;
  counted = 0;
  runStart = 0;
  seenMax = 0;
  subHistogramsUsed = false;
  interleave = false;
  chunksUntilSample = 0;
}

/** Whether the labels since the last start are being counted. */
export function isCounting(): bool {
  return counting;
}

/** Counts the labels written so far, up to the write pointer `o`. */
export function countUpTo(o: usize): void {
  if (!counting) return;
  const count = (o - labelsPtr) >> 1;
  while (counted < count) {
    const to = min(counted + CHUNK_LABELS, count);
    countChunk(counted, to);
    counted = to;
  }
}

/** Closes the last run and folds the sub-histograms; returns the largest label (0 when there were none). */
export function finishCounting(): u32 {
  if (!counting) return 0;
  if (runStart < counted) {
    const last = label(counted - 1);
    bump(histPtr + (last << 2), <u32>(counted - runStart));
    if (<u32>last > seenMax) seenMax = <u32>last;
  }
  runStart = counted;
  if (subHistogramsUsed) foldSubHistograms();
  return seenMax;
}

function countChunk(from: usize, to: usize): void {
  if (interleave) {
    // Interleaved counting learns nothing about runs: look at the changes again every few chunks.
    if (chunksUntilSample-- == 0) {
      interleave = changesIn(from, to) * RUN_COUNTING_MAX_CHANGES > to - from;
      chunksUntilSample = CHUNKS_BETWEEN_SAMPLES;
    }
  }
  if (interleave && seenMax < <u32>SUB_ENTRIES) {
    if (runStart < from) bump(histPtr + (label(from - 1) << 2), <u32>(from - runStart));
    const stoppedAt = countInterleaved(from, to);
    runStart = stoppedAt;
    subHistogramsUsed = true;
    if (stoppedAt == to) return;
    // A label too large for the sub-histograms: fold them, count by runs from here on.
    foldSubHistograms();
    interleave = false;
    from = stoppedAt;
  }
  // Counting by runs updates histogram entries where the sub-histograms are for labels that large.
  if (subHistogramsUsed && hasLargeLabel(from, to)) foldSubHistograms();
  const changes = ASC_FEATURE_RELAXED_SIMD ? countRunsListed(from, to) : countRunsByChanges(from, to);
  if (seenMax < <u32>SUB_ENTRIES) interleave = changes * RUN_COUNTING_MAX_CHANGES > to - from;
}

/** True when a label in [from, to) is too large for the sub-histograms. */
function hasLargeLabel(from: usize, to: usize): bool {
  const tooLarge = i16x8.splat(<i16>SUB_ENTRIES - 1);
  let i = from > 0 ? from - 1 : 0; // with the open run, which may close at `from`
  for (; i + 8 <= to; i += 8) if (v128.any_true(i16x8.gt_u(v128.load(labelsPtr + (i << 1)), tooLarge))) return true;
  for (; i < to; i++) if (label(i) >= SUB_ENTRIES) return true;
  return false;
}

/** How many labels in [from, to) differ from the label before them. */
function changesIn(from: usize, to: usize): usize {
  let i = max<usize>(from, 1);
  let changes: usize = 0;
  for (; i + 8 <= to; i += 8) changes += <usize>popcnt(changes8(i));
  for (; i < to; i++) changes += <usize>(label(i) != label(i - 1));
  return changes;
}

/**
 * Counts the runs that end in [from, to), one histogram update per run; returns how many ended. First the labels and
 * ends of the runs are listed, 8 labels at a time with no branch (a branch per change of value mispredicts on real
 * masks), then each run is counted. The relaxed build's way: parser + histogram took 0.92x the time of counting
 * interleaved and by changes on realistic masks (2M labels, Node 24), 0.82x at runs of 40 labels.
 */
function countRunsListed(from: usize, to: usize): usize {
  const labelsAt = labelsPtr;
  const laneNumbers = v128.load(LANE_NUMBERS);
  const eight = v128.load(LANE_NUMBERS, 16);
  let ends = i16x8.add(laneNumbers, i16x8.splat(<i16>(max<usize>(from, 1) - from)));
  let maxima = i16x8.splat(0);
  let runs: usize = 0;
  let i = max<usize>(from, 1);
  for (; i + 8 <= to; i += 8) {
    const at = labelsAt + (i << 1);
    const current = v128.load(at);
    const previous = v128.load(at - 2);
    maxima = i16x8.max_u(maxima, current);
    const changes = ~i16x8.bitmask(i16x8.eq(current, previous)) & 0xff;
    const pack = v128.load(<usize>changes << 4, RUN_TABLE);
    v128.store(RUN_LABELS + (runs << 1), i8x16.relaxed_swizzle(previous, pack));
    v128.store(RUN_ENDS + (runs << 1), i8x16.relaxed_swizzle(ends, pack));
    runs += <usize>popcnt(changes);
    ends = i16x8.add(ends, eight);
  }
  let largest = max(seenMax, horizontalMax(maxima));
  if (from == 0 && to > 0) largest = max(largest, <u32>label(0));
  for (; i < to; i++) {
    largest = max(largest, <u32>label(i));
    if (label(i) != label(i - 1)) {
      store<u16>(RUN_LABELS + (runs << 1), <u16>label(i - 1));
      store<u16>(RUN_ENDS + (runs << 1), <u16>(i - from));
      runs++;
    }
  }
  seenMax = largest;
  let start = runStart;
  for (let k: usize = 0; k < runs; k++) {
    const end = from + <usize>load<u16>(RUN_ENDS + (k << 1));
    bump(histPtr + (<usize>load<u16>(RUN_LABELS + (k << 1)) << 2), <u32>(end - start));
    start = end;
  }
  runStart = start;
  return runs;
}

/**
 * Counts the runs that end in [from, to), one histogram update per change of value, found bit by bit; returns the
 * changes. The plain build's way: the listing of countRunsListed measured 0.85-0.98x of this and of interleaved
 * counting there (Node 20 and 24, 2M-label masks; its two swizzles cost V8 two more instructions each).
 */
function countRunsByChanges(from: usize, to: usize): usize {
  let start = runStart;
  let largest = seenMax;
  let changes: usize = 0;
  let i = max<usize>(from, 1);
  for (; i + 8 <= to; i += 8) {
    let bits = changes8(i);
    while (bits) {
      const at = i + <usize>ctz(bits);
      const value = label(at - 1);
      bump(histPtr + (value << 2), <u32>(at - start));
      largest = max(largest, <u32>value);
      start = at;
      changes++;
      bits &= bits - 1;
    }
  }
  for (; i < to; i++) {
    if (label(i) != label(i - 1)) {
      const value = label(i - 1);
      bump(histPtr + (value << 2), <u32>(i - start));
      largest = max(largest, <u32>value);
      start = i;
      changes++;
    }
  }
  runStart = start;
  // The open run's label too: it may be counted later at the start of an interleaved chunk.
  if (to > 0) largest = max(largest, <u32>label(to - 1));
  seenMax = largest;
  return changes;
}

/**
 * Counts labels [from, to) one by one into eight sub-histograms, so that neighbouring increments are independent.
 * Stops before a group of 8 that holds a label of SUB_ENTRIES or more and returns where it stopped.
 * Measured no faster (realistic 100k and 2M-point masks, Node 20 and 24): one update per run for groups of 8 with at
 * most two changes of value (3 updates instead of 8: 1.05-1.08x the time of this loop), and the largest label checked
 * once per chunk instead of per group (0.98-1.08x).
 */
function countInterleaved(from: usize, to: usize): usize {
  const h = histPtr;
  const labelsAt = labelsPtr;
  // Loaded, not splatted: V8 rematerialises a vector constant in every iteration of the loop.
  const largestAllowed = v128.load16_splat(LARGEST_INTERLEAVED);
  let maxima = i16x8.splat(0);
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const group = v128.load(labelsAt + (i << 1));
    // Nonzero lanes where a label is above the largest allowed (one instruction; gt_u takes four on x64).
    if (v128.any_true(i16x8.sub_sat_u(group, largestAllowed))) break;
    maxima = i16x8.max_u(maxima, group);
    // Scalar loads: cheaper than extracting the lanes of `group`. Sub-histogram k is entry + k * SUB_BYTES: a constant
    // offset folded into the load and the store.
    const labels = labelsAt + (i << 1);
    const e0 = h + (<usize>load<u16>(labels, 0) << 2);
    store<u32>(e0, load<u32>(e0) + 1);
    const e1 = h + (<usize>load<u16>(labels, 2) << 2);
    store<u32>(e1, load<u32>(e1, SUB_BYTES) + 1, SUB_BYTES);
    const e2 = h + (<usize>load<u16>(labels, 4) << 2);
    store<u32>(e2, load<u32>(e2, 2 * SUB_BYTES) + 1, 2 * SUB_BYTES);
    const e3 = h + (<usize>load<u16>(labels, 6) << 2);
    store<u32>(e3, load<u32>(e3, 3 * SUB_BYTES) + 1, 3 * SUB_BYTES);
    const e4 = h + (<usize>load<u16>(labels, 8) << 2);
    store<u32>(e4, load<u32>(e4, 4 * SUB_BYTES) + 1, 4 * SUB_BYTES);
    const e5 = h + (<usize>load<u16>(labels, 10) << 2);
    store<u32>(e5, load<u32>(e5, 5 * SUB_BYTES) + 1, 5 * SUB_BYTES);
    const e6 = h + (<usize>load<u16>(labels, 12) << 2);
    store<u32>(e6, load<u32>(e6, 6 * SUB_BYTES) + 1, 6 * SUB_BYTES);
    const e7 = h + (<usize>load<u16>(labels, 14) << 2);
    store<u32>(e7, load<u32>(e7, 7 * SUB_BYTES) + 1, 7 * SUB_BYTES);
  }
  let largest = max(seenMax, horizontalMax(maxima));
  if (i + 8 > to) {
    for (; i < to; i++) {
      const value = label(i);
      if (value >= SUB_ENTRIES) break;
      bump(h + (value << 2), 1);
      largest = max(largest, <u32>value);
    }
  }
  seenMax = largest;
  return i;
}

// @ts-ignore: decorator
@inline function horizontalMax(v: v128): u32 {
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
  v = i16x8.max_u(v, i8x16.shuffle(v, v, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1));
  return <u32>i16x8.extract_lane_u(v, 0);
}

/** Adds sub-histograms 1..7 into the histogram and clears them. */
function foldSubHistograms(): void {
  // Only labels below SUB_ENTRIES were counted interleaved.
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
