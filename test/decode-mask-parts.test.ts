// Masks of more than one part: decodeMask copies bytes into WebAssembly memory in parts of about PART_BYTES, each
// ending right after a comma, and the core continues each part where the last one stopped. The outcome must be the
// one of a single pass: same labels and histogram, and for damaged masks the same error code at the same offset, also
// when the fault sits right at a cut or a part runs far past PART_BYTES for want of a comma.
import { describe, expect, it } from 'vitest';
import { PART_BYTES } from '../src/decode/mask.js';
import { decodeMask } from '../src/index.js';
import { formatMaskText, generateMaskLabels } from '../src/sim/mask-text.js';
import { decodeOutcome, expectLikeReference, referenceHistogram, sameMask } from './decode-mask-reference.js';

const encoder = new TextEncoder();

/** Where decodeMask cuts `bytes`: after the first comma at or past each multiple of PART_BYTES. */
function cuts(bytes: Uint8Array): number[] {
  const found: number[] = [];
  let from = 0;
  while (from + PART_BYTES < bytes.length) {
    const comma = bytes.indexOf(0x2c, from + PART_BYTES);
    if (comma < 0) break;
    found.push(comma + 1);
    from = comma + 1;
  }
  return found;
}

function concat(...pieces: (string | Uint8Array)[]): Uint8Array {
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? encoder.encode(piece) : piece)));
}

// About 3.5 parts of 1- to 5-digit labels (the SIMD path and the scalar one meet the cuts), lines of varying width.
const MIXED_LABELS = generateMaskLabels({
  points: 45_000,
  seed: 11,
  classes: [0, 3, 42, 999, 1000, 65535, 7, 10, 102],
  meanRunLength: 4,
});
const MIXED = encoder.encode(formatMaskText(MIXED_LABELS, 70));

describe('decodeMask in parts', () => {
  it('decodes masks of several parts exactly, from bytes, an ArrayBuffer and a string', () => {
    expect(cuts(MIXED).length).toBeGreaterThanOrEqual(2);
    expect(sameMask(decodeMask(MIXED), MIXED_LABELS)).toBe(true);
    expect(sameMask(decodeMask(MIXED.slice().buffer), MIXED_LABELS)).toBe(true);
    expect(sameMask(decodeMask(new TextDecoder().decode(MIXED)), MIXED_LABELS)).toBe(true);
    // Runs of one label across the cuts, separators with line breaks and no spaces at all.
    for (const [meanRunLength, width] of [
      [5000, 80],
      [40, 3],
      [1, 1000],
    ] as const) {
      const labels = generateMaskLabels({ points: 60_000, seed: width, meanRunLength });
      const text = formatMaskText(labels, width);
      expect(sameMask(decodeMask(encoder.encode(text)), labels)).toBe(true);
      expect(sameMask(decodeMask(encoder.encode(text.replaceAll(' ', ''))), labels)).toBe(true);
    }
  });

  // One test per cut and kind of fault: each case runs the plain-JS reference over the whole mask, and all of them in
  // one test took 46 s of the 60 s test timeout under coverage with four CI runs at once on two cores (73 s once split
  // only by cut; 5 s on an idle machine).
  const faults: [string, (bytes: Uint8Array, at: number) => Uint8Array][] = [
    ['a byte less', (bytes, at) => concat(bytes.subarray(0, at), bytes.subarray(at + 1))],
    ['a digit more', (bytes, at) => concat(bytes.subarray(0, at), '0', bytes.subarray(at))],
    ...['x', '-', ',', ']', '0', '9', ' ', '\n', '.', 'e', '\0'].map(
      (byte): [string, (bytes: Uint8Array, at: number) => Uint8Array] => [
        `${JSON.stringify(byte)} in place of a byte`,
        (bytes, at) => concat(bytes.subarray(0, at), byte, bytes.subarray(at + 1)),
      ],
    ),
  ];
  it.each(cuts(MIXED).flatMap((cut, i) => faults.map(([fault, mutate]) => [i + 1, cut, fault, mutate] as const)))(
    'gives the reference outcome for faults at and around cut %i (byte %i): %s',
    (_, cut, _fault, mutate) => {
      for (let at = cut - 8; at <= cut + 8; at++) expectLikeReference(mutate(MIXED, at));
    },
  );

  it('gives the reference outcome where a part runs past PART_BYTES for want of a comma, and at the end', () => {
    const body = formatMaskText(generateMaskLabels({ points: 20_000, seed: 5 }));
    const gap = ' '.repeat(PART_BYTES + 100);
    const cases = [
      concat(body.slice(0, -1), `,${gap}7]`), // whitespace after a cut: the next part starts in it
      concat(body.slice(0, -1), `${gap}, 7]`), // a part longer than PART_BYTES
      concat(body.slice(0, -1), `, 12345${'6'.repeat(PART_BYTES)}]`), // a number longer than a part
      concat(body.slice(0, -1), ',', gap), // the last part ends after a comma: unexpected end
      concat(body.slice(0, -1), ','), // a comma as the last byte
      concat(body.slice(0, -1), ', ]'),
      concat('\ufeff', gap, body, gap), // BOM, whitespace before and after
      concat('[', gap, ']'),
      concat('[]', gap, ', 1'), // data after an empty array, cut after the comma
      concat('[1]', ', 1'.repeat(PART_BYTES / 2)), // data after the array across parts
      concat(', 1'.repeat(PART_BYTES / 2), ']'), // no opening bracket
      concat(gap, ','),
    ];
    for (const bytes of cases) expectLikeReference(bytes);
    // And they are not all errors: the first three decode.
    expect(cases.slice(0, 3).map((bytes) => 'labels' in decodeOutcome(bytes))).toEqual([true, true, false]);
  });

  it('keeps decoding exactly after a mask that failed in a later part (the histogram is cleared)', () => {
    const failing = concat(MIXED.subarray(0, cuts(MIXED)[1]! + 1), 'x]');
    expect(decodeOutcome(failing)).toMatchObject({ code: 'EXPECTED_VALUE' });
    const small = generateMaskLabels({ points: 300, seed: 3, classes: [1, 2] });
    const mask = decodeMask(encoder.encode(formatMaskText(small)));
    expect(sameMask(mask, small)).toBe(true);
    expect(mask.histogram).toEqual(referenceHistogram(small));
  });
});
