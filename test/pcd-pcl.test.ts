// readPcd against PCL itself (Debian's pcl-tools and libpcl-dev): PCDs written by PCL's own writers and tools in all
// three DATA forms, each read by readPcd and by PCL (pcl::PCDReader into pcl::PCLPointCloud2, test/pcl/pcl-probe.cpp)
// and compared field by field, bit for bit (NaN bits included); files PCL refuses must be refused with a typed error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMask, PcdParseError, readPcd, type PointCloud } from '../src/index.js';
import { lidarScan, writePcd } from '../src/sim/index.js';
import { everyTypeCloud, FORMS, lidarCloud } from './fixtures/pcd-samples.js';
import { buildProbe, cStrto, pclMissing, pclRead, pclWriteCorpus, type PclCloud } from './pcl/probe.mjs';

const missing = pclMissing();
if (missing && process.env.CI === 'true') throw new Error(`CI runs the PCL tests, but ${missing}`);
if (missing) console.warn(`test/pcd-pcl.test.ts skipped: ${missing} (apt-get install pcl-tools libpcl-dev g++)`);

// pcl::PCLPointField datatypes by PCD TYPE and SIZE.
const DATATYPES: Record<string, number> = { I1: 1, U1: 2, I2: 3, U2: 4, I4: 5, U4: 6, F4: 7, F8: 8, I8: 9, U8: 10 };
const FORM_CODES = { ascii: '0', binary: '1', binary_compressed: '2' } as const;

/**
 * Every field PCL read (padding aside) holds the same bytes in readPcd's arrays, point by point. `exact64`: PCL's
 * reading of the same cloud's binary file, for the 64-bit integers of an ascii file (see the test below).
 */
function expectSameAsPcl(ours: PointCloud, pcl: PclCloud, exact64?: PclCloud): void {
  expect([ours.header.width, ours.header.height]).toEqual([pcl.width, pcl.height]);
  const fields = pcl.fields.filter((field) => field.name !== '_');
  expect(Object.keys(ours.fields)).toEqual(fields.map((field) => field.name));
  for (const field of fields) {
    const header = ours.header.fields.find((candidate) => candidate.name === field.name)!;
    expect(DATATYPES[`${header.type}${header.size}`], field.name).toBe(field.datatype);
    expect(header.count, field.name).toBe(field.count);
    const array = ours.fields[field.name]!;
    const actual = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    const expected = fieldBytes(field.datatype >= 9 && exact64 ? exact64 : pcl, field.name);
    const first = actual.findIndex((byte, i) => byte !== expected[i]);
    const point = Math.floor(first / (field.size * field.count));
    expect(first === -1 ? 'same' : `byte ${first} of ${field.name} (point ${point})`).toBe('same');
    expect(actual.length).toBe(expected.length);
  }
}

/** The bytes of one field of every point, as PCL read them. */
function fieldBytes(pcl: PclCloud, name: string): Uint8Array {
  const field = pcl.fields.find((candidate) => candidate.name === name)!;
  const width = field.size * field.count;
  const points = pcl.width * pcl.height;
  const bytes = new Uint8Array(points * width);
  for (let p = 0; p < points; p++) {
    const at = p * pcl.pointStep + field.offset;
    bytes.set(pcl.data.subarray(at, at + width), p * width);
  }
  return bytes;
}

// An ascii file of PCL's corpus and the binary file PCL wrote of the same cloud.
const BINARY_SIBLING = /^(every-type(?:-row)?)-(?:converted-)?ascii(?:17)?\.pcd$/;

// A skipped describe still runs its body while tests are collected: without PCL, build and write nothing.
describe.skipIf(missing !== undefined)('readPcd against PCL', () => {
  if (missing) return void it.skip(`needs ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'playment-masks-pcl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const probe = buildProbe();
  const path = (name: string) => join(dir, name);
  const convert = (from: string, to: string, form: keyof typeof FORM_CODES, precision?: number) =>
    execFileSync(
      'pcl_convert_pcd_ascii_binary',
      [path(from), path(to), FORM_CODES[form], ...(precision ? [String(precision)] : [])],
      { stdio: 'pipe' },
    );

  // The corpus: PCL's writers on PCL's point types and on a cloud of every type ...
  pclWriteCorpus(probe, dir);
  const written = readdirSync(dir).filter((name) => name.endsWith('.pcd'));
  // ... our simulator's clouds re-saved by PCL's converter in each form (ascii also at 17 digits) ...
  const ours: [string, Uint8Array][] = [
    ['scan', writePcd(lidarScan(3000, 5, Number.NaN), 3000, 'binary')],
    ['every-type-ours', writePcd(everyTypeCloud(700), 700, 'ascii')],
    ['organized-ours', writePcd(lidarCloud(48), 48, 'binary_compressed', { width: 8, height: 6 })],
  ];
  for (const [name, bytes] of ours) {
    writeFileSync(path(`${name}.pcd`), bytes);
    for (const form of FORMS) convert(`${name}.pcd`, `${name}-pcl-${form}.pcd`, form);
    convert(`${name}.pcd`, `${name}-pcl-ascii17.pcd`, 'ascii', 17);
  }
  // ... every PCL-written file converted by the tool to the other forms ...
  // (PCL's converter writes nothing for a cloud of no points.)
  for (const name of written.filter(
    (candidate) => candidate.includes('-binary.pcd') && !candidate.startsWith('empty'),
  )) {
    for (const form of FORMS) convert(name, name.replace('-binary.pcd', `-converted-${form}.pcd`), form);
  }
  // ... NaN spelt "NaN" (older writers), and after pcl_pcd_convert_NaN_nan ...
  const ascii = readFileSync(path('organized-nan-ascii.pcd'), 'latin1');
  writeFileSync(path('organized-NaN.pcd'), ascii.replaceAll('nan', 'NaN'), 'latin1');
  execFileSync('pcl_pcd_convert_NaN_nan', [path('organized-NaN.pcd'), path('organized-NaN-converted.pcd')], {
    stdio: 'pipe',
  });
  // ... pcl_pcd_introduce_nan's NaN points, pcl_xyz2pcd's conversion of a text cloud ...
  const tool = (name: string, ...args: string[]) => execFileSync(name, args, { stdio: 'pipe' });
  tool('pcl_pcd_introduce_nan', path('xyzi-binary.pcd'), path('introduced-nan.pcd'), '30');
  const [sx, sy, sz] = lidarScan(500, 3);
  const xyz = Array.from({ length: 500 }, (_, i) => `${sx!.values[i]} ${sy!.values[i]} ${sz!.values[i]}`);
  writeFileSync(path('scan.xyz'), `${xyz.join('\n')}\n`);
  tool('pcl_xyz2pcd', path('scan.xyz'), path('xyz2pcd.pcd'));
  // ... CRLF line ends, blank lines after ascii data, a newline after binary data.
  writeFileSync(
    path('xyzi-crlf.pcd'),
    readFileSync(path('xyzi-ascii.pcd'), 'latin1').replaceAll('\n', '\r\n'),
    'latin1',
  );
  writeFileSync(path('xyzi-blank-lines.pcd'), `${readFileSync(path('xyzi-ascii.pcd'), 'latin1')}\n\n\n`, 'latin1');
  for (const form of ['binary', 'binary_compressed']) {
    const bytes = readFileSync(path(`xyzi-${form}.pcd`));
    writeFileSync(path(`xyzi-${form}-newline.pcd`), Buffer.concat([bytes, Buffer.from('\n')]));
  }
  const corpus = readdirSync(dir)
    .filter((name) => name.endsWith('.pcd'))
    .sort();

  it('covers PCL page padding, NaN, organized clouds, COUNT > 1, padding fields, every type, upper-case names', () => {
    const files = corpus.map((name) => ({ name, bytes: readFileSync(path(name)) }));
    const headers = files.map(({ bytes }) => readPcd(bytes).header);
    const padded = files.filter(({ bytes }, i) => {
      const header = headers[i]!;
      return header.data === 'binary' && bytes.length > header.dataOffset + header.points * 4 * header.fields.length;
    });
    expect(padded.length).toBeGreaterThan(5);
    expect(corpus.length).toBeGreaterThan(60);
    expect(headers.some((header) => header.height > 1)).toBe(true);
    expect(headers.some((header) => header.fields.some((field) => field.count === 33))).toBe(true);
    expect(headers.some((header) => header.fields.some((field) => field.name === '_'))).toBe(true);
    expect(headers.some((header) => header.fields.some((field) => field.name === 'Intensity'))).toBe(true);
    const types = new Set(headers.flatMap((header) => header.fields.map((field) => `${field.type}${field.size}`)));
    expect([...types].sort()).toEqual(Object.keys(DATATYPES).sort());
    expect(new Set(headers.map((header) => header.data)).size).toBe(3);
  });

  it.each(corpus)('%s: read bit-exact as PCL reads it', (name) => {
    const pcl = pclRead(probe, path(name));
    expect(pcl, 'PCL reads it').toBeDefined();
    const sibling = BINARY_SIBLING.exec(name);
    expectSameAsPcl(
      readPcd(readFileSync(path(name))),
      pcl!,
      sibling ? pclRead(probe, path(`${sibling[1]}-binary.pcd`)) : undefined,
    );
  });

  // PCL 1.13's ascii reader converts every value after a file's first through atof (its istringstream keeps the eof
  // flag of the first token), so a 64-bit integer beyond 2^53 reaches it rounded to a double. readPcd reads the
  // integer the file holds: the value PCL's binary file of the same cloud holds.
  it('ascii 64-bit integers: the exact values (PCL rounds them through a double)', () => {
    const ascii = readPcd(readFileSync(path('every-type-ascii17.pcd')));
    const pcl = pclRead(probe, path('every-type-ascii17.pcd'))!;
    const exact = new BigInt64Array(fieldBytes(pclRead(probe, path('every-type-binary.pcd'))!, 'i64').buffer);
    const rounded = new BigInt64Array(fieldBytes(pcl, 'i64').buffer);
    expect(ascii.fields.i64).toEqual(exact);
    const viaDouble = exact.map((value) => BigInt(Number(value)));
    expect(rounded).toEqual(viaDouble);
    expect(rounded).not.toEqual(exact);
  });

  // Files PCL refuses (pcl::PCDReader returns an error): readPcd must refuse each with its PcdParseError.
  const head = (width: number, points: number, data: string, size = 'SIZE 4 4') =>
    `VERSION 0.7\nFIELDS x y\n${size}\nTYPE F F\nCOUNT 1 1\nWIDTH ${width}\nHEIGHT 1\nPOINTS ${points}\nDATA ${data}\n`;
  const scan = readFileSync(path('xyzi-binary.pcd'));
  const scanHeader = readPcd(scan).header;
  const compressed = readFileSync(path('xyzi-binary_compressed.pcd'));
  const compressedHeader = readPcd(compressed).header;
  const sizes = new DataView(compressed.buffer, compressed.byteOffset + compressedHeader.dataOffset, 8);
  const refused: [string, Uint8Array | string, string][] = [
    ['ascii with fewer rows than POINTS', `${head(2, 2, 'ascii')}1 2\n`, 'TRUNCATED_DATA'],
    ['POINTS is not WIDTH x HEIGHT', `${head(2, 3, 'ascii')}1 2\n3 4\n5 6\n`, 'POINTS_MISMATCH'],
    ['SIZE with fewer entries than FIELDS', `${head(1, 1, 'ascii', 'SIZE 4')}1 2\n`, 'FIELD_COUNT_MISMATCH'],
    ['binary data cut short', scan.subarray(0, scanHeader.dataOffset + scanHeader.points * 16 - 3), 'TRUNCATED_DATA'],
    ['binary_compressed without its sizes', compressed.subarray(0, compressedHeader.dataOffset + 5), 'TRUNCATED_DATA'],
    [
      'binary_compressed stream cut short',
      compressed.subarray(0, compressedHeader.dataOffset + 8 + sizes.getUint32(0, true) - 9),
      'TRUNCATED_DATA',
    ],
    [
      'binary_compressed with a wrong raw size',
      (() => {
        const copy = Uint8Array.from(compressed);
        new DataView(copy.buffer).setUint32(compressedHeader.dataOffset + 4, sizes.getUint32(4, true) - 16, true);
        return copy;
      })(),
      'SIZE_MISMATCH',
    ],
  ];
  it.each(refused)('%s: refused by PCL and by readPcd (%s)', (name, content, code) => {
    const file = path(`refused-${name.replaceAll(' ', '-')}.pcd`);
    writeFileSync(file, content);
    expect(pclRead(probe, file), 'PCL refuses it').toBeUndefined();
    let error: unknown;
    try {
      readPcd(readFileSync(file));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PcdParseError);
    expect((error as PcdParseError).code).toBe(code);
  });

  it('a legacy mask that PCL saved as binary and binary_compressed (page padding and all) decodes', () => {
    const labels = Array.from({ length: 900 }, (_, i) => (i * 7919) % 260);
    const [x, y, z] = lidarCloud(900);
    writeFileSync(
      path('legacy.pcd'),
      writePcd([x!, y!, z!, { name: 'label_key', type: 'F', size: 4, values: labels }], 900, 'ascii'),
    );
    for (const form of ['binary', 'binary_compressed'] as const) {
      convert('legacy.pcd', `legacy-${form}.pcd`, form);
      const bytes = readFileSync(path(`legacy-${form}.pcd`));
      const header = readPcd(bytes).header;
      if (form === 'binary') expect(bytes.length).toBeGreaterThan(header.dataOffset + 900 * 16);
      expect(Array.from(decodeMask(bytes).labels)).toEqual(labels);
    }
  });

  it('bytes after the data other than zeros and whitespace stay TRAILING_DATA (PCL ignores them)', () => {
    const bytes = Buffer.concat([scan, Buffer.from('x')]);
    expect(() => readPcd(bytes)).toThrow(expect.objectContaining({ code: 'TRAILING_DATA', offset: scan.length }));
  });
});

describe.skipIf(missing !== undefined)('ascii numbers against the C library', () => {
  if (missing) return void it.skip(`needs ${missing}`);
  const probe = buildProbe();
  // Decimals next to float32 midpoints, where a decimal -> double -> float conversion rounds twice; and doubles'.
  const decimals: string[] = ['1.0000000596046448', '1.0000000596046447', '1.00000005960464477539062500001'];
  const bits = new Uint32Array(1);
  const floats = new Float32Array(bits.buffer);
  for (let i = 0; i < 3000; i++) {
    bits[0] = (Math.imul(i + 1, 0x9e3779b1) >>> 1) % 0x7f000000;
    const low = floats[0]!;
    bits[0]++;
    const midpoint = (low + floats[0]!) / 2;
    decimals.push(midpoint.toPrecision(17), (midpoint * (1 + 2 ** -52)).toPrecision(17), midpoint.toPrecision(9));
    decimals.push((midpoint * 1e-30).toExponential(16), (-midpoint).toPrecision(16), String(midpoint * 2 ** -140));
  }
  const reference = cStrto(probe, decimals);

  it('F4: as strtof rounds them, straight from the decimal; F8: as strtod', () => {
    const header = (type: string) =>
      `FIELDS v\nSIZE ${type === 'F' ? 4 : 8}\nTYPE F\nWIDTH ${decimals.length}\nHEIGHT 1\nDATA ascii\n`;
    const body = `${decimals.join('\n')}\n`;
    const single = readPcd(new TextEncoder().encode(header('F') + body)).fields.v as Float32Array;
    const dbl = readPcd(new TextEncoder().encode(header('D') + body)).fields.v as Float64Array;
    const singleBits = new Uint32Array(single.buffer, single.byteOffset, single.length);
    const doubleBits = new BigUint64Array(dbl.buffer, dbl.byteOffset, decimals.length);
    const wrong = decimals.filter(
      (_, i) => singleBits[i] !== reference[i]!.single || doubleBits[i] !== reference[i]!.double,
    );
    expect(wrong).toEqual([]);
    // The example a double-rounding reader gets wrong: 1.0, not 1.0000001192092896.
    expect(single[0]).toBe(1.0000001192092896);
  });
});
