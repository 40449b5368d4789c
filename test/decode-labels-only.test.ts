// A label file needs the labels alone, so the label-file writers decode without counting (decodeLabelsInPlace). That
// mode must give the same labels and the same errors at the same offsets as the counted decode, and must leave the
// core's histogram bookkeeping right for the counted decodes that follow it, on every build of the core the engine
// runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { WasmCore } from '../src/core/wasm.js';
import { withMaskFile, withMaskFileLabels } from '../src/decode/mask-file.js';
import { decodeInPlace, decodeLabelsInPlace, scratchLayout } from '../src/decode/mask.js';
import { MaskParseError } from '../src/index.js';
import { formatMaskText, realisticMaskText, runFreeMaskText } from '../src/sim/mask-text.js';
import { writePcd } from '../src/sim/pcd-writer.js';
import { referenceDecode, referenceHistogram } from './decode-mask-reference.js';
import { lidarCloud } from './fixtures/pcd-samples.js';

const encoder = new TextEncoder();
const builds = [
  ['plain', '../build/core.wasm'],
  ['relaxed', '../build/core-relaxed.wasm'],
] as const;
/** Every build this engine runs (Node.js 20 has no relaxed SIMD), each its own core. */
const cores = builds.flatMap(([name, file]) => {
  const binary = readFileSync(new URL(file, import.meta.url));
  return WebAssembly.validate(binary) ? [{ name, core: new WasmCore(new WebAssembly.Module(binary)) }] : [];
});

type Outcome = { labels: string; histogram?: string } | { code: string; offset: number };

const hex = (array: Uint16Array | Uint32Array) =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');

/** One decode of `bytes` on `core`, counted or not: labels (and histogram) as hex, or the error's code and offset. */
function decodeOn(core: WasmCore, bytes: Uint8Array, counted: boolean): Outcome {
  const layout = scratchLayout(core, bytes.length);
  core.u8.set(bytes, layout.inPtr);
  try {
    if (!counted) return { labels: hex(decodeLabelsInPlace(core, layout).labels) };
    const mask = decodeInPlace(core, layout, undefined);
    return { labels: hex(mask.labels), histogram: hex(mask.histogram) };
  } catch (error) {
    if (!(error instanceof MaskParseError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

/** What either decode must give: the reference grammar's labels (and their histogram) or its error. */
function expected(bytes: Uint8Array, counted: boolean): Outcome {
  const outcome = referenceDecode(bytes);
  if (!('labels' in outcome)) return outcome;
  return counted
    ? { labels: hex(outcome.labels), histogram: hex(referenceHistogram(outcome.labels)) }
    : { labels: hex(outcome.labels) };
}

const label = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 999 }) }, fc.integer({ min: 0, max: 65535 }));
/** Mask text of runs of labels, sometimes damaged by a few bytes. */
const maskBytes = fc
  .tuple(
    fc.array(fc.tuple(label, fc.integer({ min: 1, max: 30 })), { maxLength: 50 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...' ,\n0123456789-.e[]x')), { maxLength: 2 }),
  )
  .map(([runs, edits]) => {
    const bytes = encoder.encode(
      formatMaskText(
        runs.flatMap(([value, length]) => Array<number>(length).fill(value)),
        40,
      ),
    );
    for (const [at, char] of edits) bytes[at % bytes.length] = char.charCodeAt(0);
    return bytes;
  });

describe.each(cores)('labels without counting, $name build of the core', ({ core }) => {
  it('gives the labels of the counted decode on large realistic and run-free masks', () => {
    for (const text of [realisticMaskText(300_000, 5), runFreeMaskText(300_000, 6)]) {
      const bytes = encoder.encode(text);
      const counted = decodeOn(core, bytes, true);
      expect('labels' in counted).toBe(true);
      expect(decodeOn(core, bytes, false)).toEqual({ labels: (counted as { labels: string }).labels });
    }
  });

  test.prop([maskBytes], { numRuns: 1500 })(
    'gives the reference labels, or its error code and offset, on any mask, damaged or not',
    (bytes) => {
      expect(decodeOn(core, bytes, false)).toEqual(expected(bytes, false));
    },
  );

  test.prop([fc.array(fc.tuple(maskBytes, fc.boolean()), { minLength: 2, maxLength: 8 })], { numRuns: 400 })(
    'leaves the counted decodes that follow exact, whatever came before (failures included)',
    (sequence) => {
      for (const [bytes, counted] of sequence) expect(decodeOn(core, bytes, counted)).toEqual(expected(bytes, counted));
    },
  );

  it('counts nothing: the histogram region is left byte for byte as it was', () => {
    const bytes = encoder.encode(realisticMaskText(20_000, 8));
    decodeOn(core, encoder.encode('[3, 3, 65535]'), true);
    const { histPtr } = scratchLayout(core, bytes.length);
    const region = () => Buffer.from(core.u8.subarray(histPtr, histPtr + 65536 * 4));
    const before = region();
    expect(decodeOn(core, bytes, false)).toEqual(expected(bytes, false));
    expect(region().equals(before)).toBe(true);
  });

  it('a count after large labels, then an uncounted mask, holds no count of theirs', () => {
    const large = encoder.encode('[65535, 40000, 7]');
    const small = encoder.encode('[1, 1, 2]');
    expect(decodeOn(core, large, true)).toEqual(expected(large, true));
    expect(decodeOn(core, small, false)).toEqual(expected(small, false));
    expect(decodeOn(core, small, true)).toEqual(expected(small, true));
    expect(decodeOn(core, large, false)).toEqual(expected(large, false));
    expect(decodeOn(core, small, true)).toEqual(expected(small, true));
  });
});

describe('withMaskFileLabels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labels-only-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, contents: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };
  const labelsOf = (path: string) => withMaskFileLabels(path, (mask) => [mask.pointCount, hex(mask.labels)]);
  const countedOf = (path: string) => withMaskFile(path, undefined, (mask) => [mask.pointCount, hex(mask.labels)]);

  it('reads mask text and legacy PCD masks to the labels withMaskFile gives', () => {
    const text = file('frame.json', realisticMaskText(50_000, 9));
    expect(labelsOf(text)).toEqual(countedOf(text));
    const labels = [4, 4, 9, 300];
    const fields = [
      ...lidarCloud(labels.length).slice(0, 3),
      { name: 'label_key', type: 'F', size: 4, values: labels },
    ];
    const pcd = file('legacy.pcd', writePcd(fields as Parameters<typeof writePcd>[0], labels.length, 'ascii'));
    expect(labelsOf(pcd)).toEqual([4, hex(Uint16Array.from(labels))]);
  });

  it('throws the parse error with its offset, and the file error of a missing file', () => {
    const bad = file('bad.json', '[1, 2, x]');
    expect(() => labelsOf(bad)).toThrow(expect.objectContaining({ code: 'EXPECTED_VALUE', offset: 7 }));
    expect(() => labelsOf(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
