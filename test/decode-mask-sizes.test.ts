// Sizes and positions around the core's boundaries: 64-byte SIMD blocks made of 16-byte windows, the hand-overs
// between the SIMD and the scalar parser, the growth of the reused WebAssembly scratch region between calls, and masks
// of millions of points.
import { describe, expect, it } from 'vitest';
import { decodeMask } from '../src/index.js';
import { formatMaskText, generateMaskLabels, realisticMaskText, runFreeMaskText } from '../src/sim/mask-text.js';
import { decodeOutcome, expectLikeReference, referenceDecode, sameMask } from './decode-mask-reference.js';

const encoder = new TextEncoder();

/** A ~700-byte mask mixing 1- to 5-digit labels, so that every kind of block occurs. */
const MIXED_LABELS = generateMaskLabels({
  points: 180,
  seed: 7,
  classes: [0, 3, 42, 999, 1000, 65535, 7, 10],
  meanRunLength: 3,
});
const MIXED = encoder.encode(formatMaskText(MIXED_LABELS, 50));
/** A ~500-byte mask of 1- to 3-digit labels: every block of it goes through the SIMD path. */
const SHORT_LABELS = generateMaskLabels({ points: 130, seed: 8, classes: [0, 5, 10, 42, 100, 999], meanRunLength: 3 });
const SHORT = encoder.encode(formatMaskText(SHORT_LABELS, 60));

describe('decodeMask: sizes and alignments', () => {
  it('decodes masks of 0 to 400 points, shifted across a whole block by leading whitespace', () => {
    for (let points = 0; points <= 400; points += points < 40 ? 1 : 7) {
      const labels = generateMaskLabels({ points, seed: points + 1, meanRunLength: 1 + (points % 9) });
      const text = formatMaskText(labels, 20 + (points % 90));
      for (const shift of [0, 1, 15, 16, 17, 31, 47, 63, 64, 65]) {
        const bytes = encoder.encode(' '.repeat(shift) + text);
        expect(sameMask(decodeMask(bytes), labels)).toBe(true);
      }
    }
  });

  it('decodes dense masks without spaces, where labels follow each other most closely', () => {
    for (let points = 1; points <= 300; points += 3) {
      const labels = generateMaskLabels({ points, seed: points, classes: [0, 1, 9, 5], runFree: points % 2 === 0 });
      expect(sameMask(decodeMask(`[${labels.join(',')}]`), labels)).toBe(true);
    }
  });

  it.each([
    ['1- to 3-digit labels', SHORT],
    ['1- to 5-digit labels', MIXED],
  ])('gives the reference outcome for a fault at every position of a mask of %s', (_, text) => {
    const faults = [...'x-+.eE0 9,]["\0\f'].map((char) => char.charCodeAt(0));
    for (let at = 0; at < text.length; at++) {
      for (const byte of faults) {
        const replaced = text.slice();
        replaced[at] = byte;
        expectLikeReference(replaced);
        const inserted = new Uint8Array(text.length + 1);
        inserted.set(text.subarray(0, at));
        inserted[at] = byte;
        inserted.set(text.subarray(at), at + 1);
        expectLikeReference(inserted);
      }
      const deleted = new Uint8Array(text.length - 1);
      deleted.set(text.subarray(0, at));
      deleted.set(text.subarray(at + 1), at);
      expectLikeReference(deleted);
      expectLikeReference(text.subarray(0, at));
    }
  });

  it('hands over between the SIMD and the scalar parser on long numbers anywhere', () => {
    for (let long = 0; long < 100; long++) {
      const labels = generateMaskLabels({ points: 100, seed: long, classes: [1, 22, 333], meanRunLength: 4 });
      labels[long] = long % 2 ? 65535 : 4444;
      expect(sameMask(decodeMask(formatMaskText(labels)), labels)).toBe(true);
    }
  });
});

describe('decodeMask: large masks and the scratch region', () => {
  it('decodes realistic and run-free masks of 3M points exactly', () => {
    const realistic = generateMaskLabels({ points: 3_000_000, seed: 11 });
    expect(sameMask(decodeMask(encoder.encode(formatMaskText(realistic))), realistic)).toBe(true);
    const runFree = generateMaskLabels({ points: 3_000_000, seed: 12, runFree: true });
    expect(sameMask(decodeMask(formatMaskText(runFree)), runFree)).toBe(true);
  });

  it('decodes 2M points of 1- to 5-digit labels with large classes (scalar stretches, large histogram)', () => {
    const labels = generateMaskLabels({
      points: 2_000_000,
      seed: 13,
      classes: [0, 7, 64, 512, 7999, 8000, 8191, 8192, 40000, 65535],
    });
    expect(sameMask(decodeMask(encoder.encode(formatMaskText(labels))), labels)).toBe(true);
    const runFree = generateMaskLabels({ points: 500_000, seed: 14, runFree: true, classes: [1, 2, 3, 8000, 9000] });
    expect(sameMask(decodeMask(formatMaskText(runFree)), runFree)).toBe(true);
  });

  it('counts exactly when stretches of runs (long and of about 4), run-free stretches and labels of 8000 and more alternate', () => {
    const stretches = [
      generateMaskLabels({ points: 20_000, seed: 21, runFree: true }),
      generateMaskLabels({ points: 20_000, seed: 22, meanRunLength: 200 }),
      generateMaskLabels({ points: 9_000, seed: 23, runFree: true, classes: [7999, 0, 5] }),
      Uint16Array.of(8000),
      generateMaskLabels({ points: 20_000, seed: 24, runFree: true }),
      generateMaskLabels({ points: 5_000, seed: 25, meanRunLength: 5000, classes: [9000, 1] }),
      generateMaskLabels({ points: 20_000, seed: 26, runFree: true, classes: [3, 4] }),
      // Runs of about 4: the relaxed build's chunks switch between listing runs and counting labels one by one.
      generateMaskLabels({ points: 30_000, seed: 29, meanRunLength: 4 }),
      generateMaskLabels({ points: 30_000, seed: 30, meanRunLength: 5, classes: [0, 65535, 7999, 8000] }),
    ];
    const [runFree, longRuns, , , , largeRuns] = stretches;
    for (const order of [stretches, [...stretches].reverse(), [runFree!, longRuns!, largeRuns!]]) {
      const labels = Uint16Array.from(order.flatMap((stretch) => Array.from(stretch)));
      expect(sameMask(decodeMask(formatMaskText(labels)), labels)).toBe(true);
    }
  });

  it('counts runs up to the last sub-histogram entry (7999), folds at 8000, and leaves no count for the next call', () => {
    // Runs of mean 12 are counted into the interleaved sub-histograms; sub-histogram 1 starts at entry 8000.
    const runs = generateMaskLabels({ points: 60_000, seed: 27, classes: [7999, 7998, 0, 4000] });
    const withLarge = (at: number, large: number[]): Uint16Array =>
      Uint16Array.from([...runs.subarray(0, at), ...large, ...runs.subarray(at)]);
    const masks = [runs, withLarge(30_000, [8000]), withLarge(30_003, [8000]), withLarge(30_007, [8000, 8000, 8001])];
    for (const labels of masks) expect(sameMask(decodeMask(formatMaskText(labels)), labels)).toBe(true);
    // Entries 8000 and up held sub-histogram counts during the call before: they must read as this mask's counts.
    const large = generateMaskLabels({ points: 5_000, seed: 28, classes: [8000, 8001, 15999, 16000] });
    expect(sameMask(decodeMask(formatMaskText(runs)), runs)).toBe(true);
    expect(sameMask(decodeMask(formatMaskText(large)), large)).toBe(true);
  });

  it('grows the scratch region between calls (big, small, big) and earlier results stay intact', () => {
    const small = realisticMaskText(10, 1);
    const first = decodeMask(small);
    const firstLabels = first.labels.slice();
    const big = generateMaskLabels({ points: 1_500_000, seed: 15 });
    const bigText = encoder.encode(formatMaskText(big));
    expect(sameMask(decodeMask(bigText), big)).toBe(true);
    expect(first.labels).toEqual(firstLabels);
    expect(sameMask(decodeMask(small), firstLabels)).toBe(true);
    const bigger = generateMaskLabels({ points: 2_500_000, seed: 16, runFree: true });
    const biggerResult = decodeMask(formatMaskText(bigger));
    expect(sameMask(biggerResult, bigger)).toBe(true);
    expect(sameMask(decodeMask(bigText), big)).toBe(true);
    expect(sameMask(biggerResult, bigger)).toBe(true);
  });

  it('reports faults near the end of a large mask at their exact offset', () => {
    const text = runFreeMaskText(200_000, 17);
    const bytes = encoder.encode(text);
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(decodeOutcome(cut)).toEqual({ code: 'UNEXPECTED_END', offset: cut.length });
    const bad = bytes.slice();
    const at = bytes.length - 1000 + bytes.subarray(bytes.length - 1000).indexOf(0x2c);
    bad[at] = 0x2e;
    expect(decodeOutcome(bad)).toEqual(referenceDecode(bad));
    expect((decodeOutcome(bad) as { code: string }).code).toBe('NOT_AN_INTEGER');
  });
});
