import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/export/files.js';
import { EXPORT_FORMATS, type ExportFormat, FORMATS, npyHeader } from '../src/formats/index.js';

const encodeLabels = (labels: Uint16Array, format: ExportFormat) => FORMATS[format].encodeLabels(labels);
const decodeLabelFile = (bytes: Uint8Array, format: ExportFormat) => FORMATS[format].decodeLabels(bytes, false);
const encodedSize = (points: number, format: ExportFormat) => FORMATS[format].labelFileSize(points);

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));

describe('npyHeader: NumPy format 1.0', () => {
  // Structure straight from the format spec (numpy/lib/format.py), checked field by field.
  it.each([0, 1, 9, 10, 99_999, 100_000, 123_456_789, 2 ** 32, Number.MAX_SAFE_INTEGER])('shape (%i,)', (points) => {
    const header = Buffer.from(npyHeader(points));
    expect([...header.subarray(0, 6)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
    expect(header[6]).toBe(1); // major version
    expect(header[7]).toBe(0); // minor version
    const headerLength = header.readUInt16LE(8);
    expect(header.length).toBe(10 + headerLength);
    expect(header.length % 64).toBe(0);
    const text = header.subarray(10).toString('latin1');
    expect(text.endsWith('\n')).toBe(true);
    const dict = `{'descr': '<u2', 'fortran_order': False, 'shape': (${points},), }`;
    expect(text.startsWith(dict)).toBe(true);
    // Only spaces between the dict and the final newline.
    expect(text.slice(dict.length, -1)).toMatch(/^ *$/);
    expect(/[^\x20-\x7e\n]/.test(text)).toBe(false);
  });

  it('matches the bytes of numpy.save for typical sizes (the header is always 128 bytes below 10^21 points)', () => {
    const header = Buffer.from(npyHeader(100_000));
    const expected = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]),
      Buffer.from("{'descr': '<u2', 'fortran_order': False, 'shape': (100000,), }", 'latin1'),
      Buffer.from(' '.repeat(55), 'latin1'),
      Buffer.from('\n', 'latin1'),
    ]);
    expect(header.equals(expected)).toBe(true);
  });
});

describe('encodeLabels: each format byte-exact', () => {
  const labels = Uint16Array.from([0, 1, 58, 255, 256, 4660, 65535]);

  it('bin: raw little-endian uint16', () => {
    const bytes = concat(encodeLabels(labels, 'bin'));
    expect([...bytes]).toEqual([0, 0, 1, 0, 58, 0, 255, 0, 0, 1, 0x34, 0x12, 0xff, 0xff]);
    expect(bytes.length).toBe(encodedSize(labels.length, 'bin'));
  });

  it('kitti: little-endian uint32, label in the low 16 bits, instance 0 in the high 16', () => {
    const bytes = concat(encodeLabels(labels, 'kitti'));
    expect([...bytes]).toEqual([
      0, 0, 0, 0, 1, 0, 0, 0, 58, 0, 0, 0, 255, 0, 0, 0, 0, 1, 0, 0, 0x34, 0x12, 0, 0, 0xff, 0xff, 0, 0,
    ]);
    expect(bytes.length).toBe(encodedSize(labels.length, 'kitti'));
    expect(FORMATS.kitti.labelExtension).toBe('.label');
  });

  it('npy: the header, then the labels as little-endian uint16 at a 64-byte boundary', () => {
    const bytes = concat(encodeLabels(labels, 'npy'));
    const header = Buffer.from(npyHeader(labels.length));
    expect(bytes.subarray(0, header.length).equals(header)).toBe(true);
    expect([...bytes.subarray(header.length)]).toEqual([0, 0, 1, 0, 58, 0, 255, 0, 0, 1, 0x34, 0x12, 0xff, 0xff]);
    expect(bytes.length).toBe(encodedSize(labels.length, 'npy'));
  });

  it('handles labels that view part of a larger buffer', () => {
    const big = Uint16Array.from([9, 9, 1, 2, 9]);
    expect([...concat(encodeLabels(big.subarray(2, 4), 'bin'))]).toEqual([1, 0, 2, 0]);
    expect([...concat(encodeLabels(big.subarray(2, 4), 'kitti'))]).toEqual([1, 0, 0, 0, 2, 0, 0, 0]);
  });
});

describe('decodeLabels: reading back what encodeLabels wrote', () => {
  const labels = Uint16Array.from([0, 1, 58, 65535, 7]);

  it.each(EXPORT_FORMATS)('round trips %s, and an empty mask', (format) => {
    expect(decodeLabelFile(concat(encodeLabels(labels, format)), format)).toEqual(labels);
    expect(decodeLabelFile(concat(encodeLabels(new Uint16Array(0), format)), format)).toEqual(new Uint16Array(0));
  });

  it.each(EXPORT_FORMATS)(
    '%s decodes into a given array that holds enough values, else into one of its own',
    (format) => {
      const file = concat(encodeLabels(labels, format));
      const into = new Uint16Array(labels.length + 3).fill(9);
      const decoded = FORMATS[format].decodeLabels(file, false, into)!;
      expect(decoded).toEqual(labels);
      expect(decoded.buffer).toBe(into.buffer);
      expect([...into.subarray(labels.length)]).toEqual([9, 9, 9]);
      const short = new Uint16Array(labels.length - 1);
      const own = FORMATS[format].decodeLabels(file, false, short)!;
      expect(own).toEqual(labels);
      expect(own.buffer).not.toBe(short.buffer);
      expect([...short]).toEqual([0, 0, 0, 0]);
    },
  );

  it('kitti decodes instance ids into a given array', () => {
    const instances = Uint16Array.from([0, 3, 3, 999, 1]);
    const file = concat(FORMATS.kitti.encodeLabels(labels, instances));
    const into = new Uint16Array(8);
    const decoded = FORMATS.kitti.decodeInstances!(file, into);
    expect(decoded).toEqual(instances);
    expect(decoded.buffer).toBe(into.buffer);
    expect(FORMATS.kitti.decodeLabels(file, true, new Uint16Array(5))).toEqual(labels);
  });

  it.each<[string, 'npy' | 'bin' | 'kitti', (file: Buffer) => Uint8Array]>([
    ['npy cut short', 'npy', (file) => file.subarray(0, file.length - 2)],
    ['npy with a byte more', 'npy', (file) => Buffer.concat([file, Buffer.of(0)])],
    ['npy with another dtype', 'npy', (file) => Buffer.from(file.toString('latin1').replace('<u2', '>u2'), 'latin1')],
    ['npy without its magic', 'npy', (file) => Buffer.concat([Buffer.of(0), file.subarray(1)])],
    ['a few bytes', 'npy', () => Buffer.of(0x93, 0x4e)],
    ['bin of odd length', 'bin', (file) => file.subarray(1)],
    ['kitti cut mid-word', 'kitti', (file) => file.subarray(2)],
    [
      'kitti with an instance id',
      'kitti',
      (file) => Buffer.concat([file.subarray(0, 2), Buffer.of(1, 0), file.subarray(4)]),
    ],
  ])('refuses %s', (_, format, damage) => {
    expect(decodeLabelFile(damage(concat(encodeLabels(labels, format))), format)).toBeUndefined();
  });
});

// An independent reader where one is installed: numpy itself must load the file and agree on every label.
const numpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.runIf(numpy)('numpy.load reads our .npy files', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it.each([0, 1, 1000, 100_000])('%i points', async (points) => {
    const dir = await mkdtemp(join(tmpdir(), 'npy-'));
    dirs.push(dir);
    const labels = new Uint16Array(points);
    for (let i = 0; i < points; i++) labels[i] = (i * 7919) % 65536;
    await writeFileAtomic(dir, 'labels.npy', encodeLabels(labels, 'npy'));
    const script = [
      'import numpy as np, sys, io, hashlib',
      `a = np.load(sys.argv[1])`,
      `assert a.dtype == np.dtype('<u2') and a.shape == (${points},), (a.dtype, a.shape)`,
      `buf = io.BytesIO(); np.save(buf, a)`,
      `assert buf.getvalue() == open(sys.argv[1], 'rb').read(), 'numpy.save writes other bytes'`,
      'print(hashlib.sha256(a.tobytes()).hexdigest())',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, join(dir, 'labels.npy')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update(new Uint8Array(labels.buffer)).digest('hex');
    expect(run.stdout.trim()).toBe(expected);
    expect((await readFile(join(dir, 'labels.npy'))).length).toBe(encodedSize(points, 'npy'));
  });
});
