// The WebAssembly core's DEFLATE (assembly/deflate.ts) against independent inflaters: node's zlib and Python's zlib
// give back the input, byte for byte, for inputs chosen at the encoder's edges (empty, a single value, runs across
// the 258-byte reference limit, no repeats at all, lengths around the 65535-byte blocks) and for panoptic labels
// shaped as a spinning lidar orders its points; numpy's np.load reads the .npz files made of them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { wasmCore } from '../src/core/wasm.js';
import { deflateParts } from '../src/dataset/deflate.js';
import { uint16Npz } from '../src/dataset/npz.js';
import { pcdScratchStart } from '../src/pcd/scratch.js';
import { seededRandom } from '../src/sim/mask-text.js';

const scratch = pcdScratchStart(wasmCore());
const STORED_BLOCK = 65535;

function deflate(input: Uint8Array): Uint8Array {
  return deflateParts([input], scratch).output.slice();
}

function bytesOf(values: Uint16Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Runs of one value each, of the given lengths (in values), the values taking turns from `values`. */
function runs(lengths: number[], values: number[]): Uint16Array {
  const out = new Uint16Array(lengths.reduce((sum, n) => sum + n, 0));
  let at = 0;
  for (const [k, n] of lengths.entries()) {
    out.fill(values[k % values.length]!, at, at + n);
    at += n;
  }
  return out;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

/**
 * A frame's panoptic labels (category index * 1000 + instance id, 0 for background classes) in the order a spinning
 * lidar gives its points: ring after ring, each by azimuth. Ground classes on the lower rings, buildings and
 * vegetation above; objects span an azimuth sector on a range of rings; a few stray returns carry another label.
 */
function lidarPanoptic(points: number, seed: number): Uint16Array {
  const random = seededRandom(seed);
  const rings = 32;
  const perRing = Math.ceil(points / rings);
  const objects = Array.from({ length: 14 }, (_, k) => {
    const from = random();
    return {
      from,
      to: from + 0.005 + random() * 0.04,
      rings: [Math.floor(random() * 16), 16 + Math.floor(random() * 12)],
      label: (1 + Math.floor(random() * 10)) * 1000 + k + 1,
    };
  });
  const sectors = Array.from({ length: 9 }, () => random()).sort();
  const labels = new Uint16Array(points);
  for (let i = 0; i < points; i++) {
    const ring = Math.floor(i / perRing);
    const azimuth = (i % perRing) / perRing;
    const sector = sectors.filter((start) => start <= azimuth).length;
    let label = ring < 12 ? (sector % 2 === 0 ? 24_000 : 25_000) : sector % 3 === 0 ? 28_000 : 30_000;
    for (const object of objects) {
      const jitter = (ring % 3) * 0.001;
      const inRings = ring >= object.rings[0]! && ring < object.rings[1]!;
      if (inRings && azimuth >= object.from + jitter && azimuth < object.to - jitter) label = object.label;
    }
    labels[i] = random() < 0.01 ? (1 + Math.floor(random() * 30)) * 1000 : label;
  }
  return labels;
}

const cases: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(0x5a)],
  ['one uint16 value', bytesOf(Uint16Array.of(24_003))],
  ['two values', bytesOf(Uint16Array.of(24_003, 24_003))],
  // One value for 256 to 262 bytes (the reference after the first two bytes crosses 258), then as long runs.
  ...[128, 129, 130, 131, 132].map((n): [string, Uint8Array] => [`a run of ${n} values`, bytesOf(runs([n], [7007]))]),
  ['runs of 258 + 1 to 258 + 3 bytes', bytesOf(runs([130, 131, 260, 2, 1, 1000, 129], [1000, 2001, 3002]))],
  ['alternating values', bytesOf(Uint16Array.from({ length: 5000 }, (_, i) => (i % 2 ? 12_004 : 1_000)))],
  ['alternating bytes of one value', bytesOf(runs([3000], [0x01ff]))],
  ['random values, no runs', randomBytes(200_000, 1)],
  ...[STORED_BLOCK - 1, STORED_BLOCK, STORED_BLOCK + 1, 2 * STORED_BLOCK, 2 * STORED_BLOCK + 1].flatMap(
    (length): [string, Uint8Array][] => [
      [`${length} random bytes`, randomBytes(length, length)],
      [`${length} bytes of runs`, bytesOf(lidarPanoptic(Math.ceil(length / 2), length)).subarray(0, length)],
      // Random bytes, then runs: a stored block, then coded ones whose references reach back into it.
      [
        `${length} bytes, random then runs`,
        Uint8Array.from([
          ...randomBytes(length >> 1, 7),
          ...bytesOf(runs([length - (length >> 1)], [9])).subarray(0, length - (length >> 1)),
        ]),
      ],
    ],
  ),
  ...[1, 2, 3].map((seed): [string, Uint8Array] => [
    `100,000 lidar panoptic labels (${seed})`,
    bytesOf(lidarPanoptic(100_000, seed)),
  ]),
];

const scratchDir = mkdtempSync(join(tmpdir(), 'deflate-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('DEFLATE by the WebAssembly core', () => {
  it.each(cases)('%s: inflated by node:zlib, the input again', (_, input) => {
    expect(Buffer.compare(inflateRawSync(deflate(input)), input)).toBe(0);
  });

  it('takes its parts one after the other, also parts in the core memory itself', () => {
    const input = bytesOf(lidarPanoptic(10_000, 4)).subarray(0, 500);
    const core = wasmCore();
    const elsewhere = scratch + (4 << 20);
    core.reserve(elsewhere + input.length);
    core.u8.set(input, elsewhere);
    const inCore = new Uint8Array(core.buffer, elsewhere, input.length);
    const { input: taken, output } = deflateParts([Uint8Array.of(1, 2, 3), inCore], scratch);
    expect([...taken]).toEqual([1, 2, 3, ...input]);
    expect([...inflateRawSync(output)]).toEqual([1, 2, 3, ...input]);
  });

  it('refuses to grow the memory under a part that is a view of it (it would read as empty)', () => {
    const core = wasmCore();
    const inCore = new Uint8Array(core.buffer, scratch, 1000);
    const beyond = core.buffer.byteLength;
    expect(() => deflateParts([inCore], beyond)).toThrow(RangeError);
    expect(core.buffer.byteLength).toBe(beyond);
  });

  it('never takes more than 5 bytes per 65535 input bytes beyond the input (stored blocks where codes do not pay)', () => {
    for (const length of [0, 1, 1000, STORED_BLOCK, STORED_BLOCK + 1, 200_000]) {
      const blocks = Math.max(1, Math.ceil(length / STORED_BLOCK));
      expect(deflate(randomBytes(length, 3)).length).toBeLessThanOrEqual(length + 5 * blocks + 1);
    }
  });

  it('compresses lidar panoptic labels to within 1.5 times the size of zlib level 1', () => {
    for (const seed of [1, 2, 3]) {
      const input = bytesOf(lidarPanoptic(100_000, seed));
      const ours = deflate(input).length;
      const zlib = deflateRawSync(input, { level: 1 }).length;
      expect(ours).toBeLessThan(zlib * 1.5);
      expect(ours).toBeLessThan(input.length / 10);
    }
  });
});

const python = spawnSync('python3', ['-c', 'import numpy, zlib'], { stdio: 'ignore' }).status === 0;
if (!python && process.env.CI === 'true')
  throw new Error('CI runs the numpy checks, but python3 with numpy is missing');
if (!python) console.warn('test/deflate.test.ts: the Python checks are skipped (python3 -m pip install numpy)');

// For each case k: k.in (the input) and k.deflate (ours); k.npz and k.u2 (uint16 values, raw) for the .npz files.
const PYTHON_CHECK = `
import sys, os, zlib, zipfile, numpy as np
folder, count, npz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for k in range(count):
    data = open(os.path.join(folder, f'{k}.in'), 'rb').read()
    assert zlib.decompress(open(os.path.join(folder, f'{k}.deflate'), 'rb').read(), -15) == data, f'case {k}'
for k in range(npz):
    path = os.path.join(folder, f'{k}.npz')
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None, f'npz {k}: CRC'
    loaded = np.load(path)
    assert list(loaded.keys()) == ['data'], f'npz {k}: keys'
    values = loaded['data']
    expected = np.fromfile(os.path.join(folder, f'{k}.u2'), dtype='<u2')
    assert values.dtype == np.uint16 and values.shape == expected.shape, f'npz {k}: {values.dtype} {values.shape}'
    assert (values == expected).all(), f'npz {k}: values'
print('ok', count, npz)
`;

describe.runIf(python)("read by Python's zlib and numpy", () => {
  it("every case, inflated by Python's zlib; .npz files of them loaded by np.load", () => {
    const folder = mkdtempSync(join(scratchDir, 'python-'));
    for (const [k, [, input]] of cases.entries()) {
      writeFileSync(join(folder, `${k}.in`), input);
      writeFileSync(join(folder, `${k}.deflate`), deflate(input));
    }
    const arrays = [
      new Uint16Array(0),
      Uint16Array.of(24_003),
      runs([131, 129, 1000], [1000, 2001]),
      Uint16Array.from(randomBytes(20_000, 5)),
      ...[1, 2].map((seed) => lidarPanoptic(100_000, seed)),
    ];
    for (const [k, values] of arrays.entries()) {
      writeFileSync(join(folder, `${k}.npz`), Buffer.concat(uint16Npz('data', bytesOf(values), scratch)));
      writeFileSync(join(folder, `${k}.u2`), bytesOf(values));
    }
    const run = spawnSync('python3', ['-c', PYTHON_CHECK, folder, String(cases.length), String(arrays.length)], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`ok ${cases.length} ${arrays.length}`);
  });
});
