// The core comes in two builds, plain SIMD and relaxed SIMD, and the engine picks: both must give the same answer to
// every mask, valid or not, and the pick must follow what the engine can run. On Node.js 20 (no relaxed SIMD) only
// the pick is checked here; the other suites then run the plain build, and on 22 and later the relaxed one.
import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { relaxedSimdSupported } from '../src/core/relaxed-simd.js';
import { WasmCore } from '../src/core/wasm.js';
import { decodeInPlace, scratchLayout } from '../src/decode/mask.js';
import { MaskParseError } from '../src/index.js';
import { formatMaskText, generateMaskLabels, realisticMaskText, runFreeMaskText } from '../src/sim/mask-text.js';

const plainBinary = readFileSync(new URL('../build/core.wasm', import.meta.url));
const relaxedBinary = readFileSync(new URL('../build/core-relaxed.wasm', import.meta.url));
const encoder = new TextEncoder();
const nodeMajor = Number(process.versions.node.split('.')[0]);

type Answer = { pointCount: number; labels: Uint16Array; histogram: Uint32Array } | { code: string; offset: number };

/** decodeMask's answer from one build: labels and histogram copied out, or the error's code and offset. */
function decodeWith(core: WasmCore, bytes: Uint8Array): Answer {
  const layout = scratchLayout(core, bytes.length);
  core.u8.set(bytes, layout.inPtr);
  try {
    const { labels, histogram, pointCount } = decodeInPlace(core, layout, undefined);
    return { pointCount, labels: labels.slice(), histogram: histogram.slice() };
  } catch (error) {
    if (!(error instanceof MaskParseError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

/** An answer as one string: hex of the labels and histogram, or the error. */
function asBytes(answer: Answer): string {
  if (!('labels' in answer)) return `${answer.code} at ${answer.offset}`;
  const hex = (array: Uint16Array | Uint32Array) =>
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
  return `${answer.pointCount} points: ${hex(answer.labels)} / ${hex(answer.histogram)}`;
}

describe('the two builds of the core', () => {
  it('the relaxed build is picked exactly where the engine validates it; the plain one runs everywhere', () => {
    expect(WebAssembly.validate(plainBinary)).toBe(true);
    expect(WebAssembly.validate(relaxedBinary)).toBe(relaxedSimdSupported());
    // Relaxed SIMD shipped in V8 11.4: Node.js 22 and later have it, 20 does not.
    expect(relaxedSimdSupported()).toBe(nodeMajor >= 22);
  });

  describe.skipIf(!relaxedSimdSupported())('where both run', () => {
    let cores: { plain: WasmCore; relaxed: WasmCore } | undefined;
    /** The answers of both builds, compared as bytes (toEqual walks large typed arrays slowly). */
    const expectSame = (bytes: Uint8Array) => {
      cores ??= {
        plain: new WasmCore(new WebAssembly.Module(plainBinary)),
        relaxed: new WasmCore(new WebAssembly.Module(relaxedBinary)),
      };
      const [fromPlain, fromRelaxed] = [decodeWith(cores.plain, bytes), decodeWith(cores.relaxed, bytes)];
      expect(asBytes(fromRelaxed)).toEqual(asBytes(fromPlain));
    };

    it('decode realistic, run-free and 3-digit masks alike, at sizes around the 64-byte blocks', () => {
      for (let points = 0; points < 300; points += 1) {
        const labels = generateMaskLabels({ points, seed: points, classes: [0, 7, 42, 99, 100, 101, 999] });
        expectSame(encoder.encode(formatMaskText(labels, 20 + (points % 60))));
        expectSame(encoder.encode(`[${labels.join(',')}]`));
      }
      expectSame(encoder.encode(realisticMaskText(200_000, 3)));
      expectSame(encoder.encode(runFreeMaskText(200_000, 4)));
    });

    test.prop(
      [
        // Runs of labels of mostly 1 to 3 digits (the SIMD path), some of 4 and 5 (the scalar parser).
        fc
          .array(
            fc.tuple(
              fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 999 }) }, fc.integer({ min: 0, max: 65535 })),
              fc.integer({ min: 1, max: 20 }),
            ),
            { maxLength: 60 },
          )
          .map((runs) => runs.flatMap(([value, length]) => Array<number>(length).fill(value))),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...' ,\n\t\r0123456789-.e[]x\u00ff')), { maxLength: 3 }),
      ],
      { numRuns: 3000 },
    )(
      'decode masks of any labels, damaged or not, alike: same labels, histogram, error code and offset',
      (values, edits) => {
        const bytes = Array.from(encoder.encode(formatMaskText(values, 40)));
        for (const [at, char] of edits) bytes[at % (bytes.length + 1)] = char.charCodeAt(0) & 0xff;
        expectSame(Uint8Array.from(bytes));
      },
    );
  });
});
