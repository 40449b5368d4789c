// Field names as other writers spell them: x/y/z and intensity in any letter case (PDAL writes `X Y Z Intensity`),
// intensity as `i`, `reflectance` or `remission`, in labelPoints and in the points files of --with-points.
import { describe, expect, it } from 'vitest';
import { decodeMask, labelPoints, readPcd } from '../src/index.js';
import { encodePoints } from '../src/export/points.js';
import { LabelJoinError } from '../src/pcd/join-error.js';
import { writePcd, type PcdWriterField } from '../src/sim/pcd-writer.js';

const POINTS = 4;
const column = (name: string, offset: number, type: 'F' | 'U' = 'F', size = 4, count = 1): PcdWriterField => ({
  name,
  type,
  size,
  count,
  values: Array.from({ length: POINTS * count }, (_, i) => offset + i),
});

function kittiValues(fields: PcdWriterField[]): number[] {
  const [bytes] = encodePoints(readPcd(writePcd(fields, POINTS, 'binary')), 'kitti').chunks;
  return Array.from(new Float32Array(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength / 4));
}

const expected = (intensityOffset: number | undefined) =>
  Array.from({ length: POINTS }, (_, i) => [
    10 + i,
    20 + i,
    30 + i,
    intensityOffset === undefined ? 0 : intensityOffset + i,
  ]).flat();

describe('field names', () => {
  it('labelPoints finds X Y Z in upper case and keeps the others under their own names', () => {
    const fields = [column('X', 10), column('Y', 20), column('Z', 30), column('Intensity', 40)];
    const joined = labelPoints(readPcd(writePcd(fields, POINTS, 'ascii')), decodeMask('[1, 2, 3, 4]'));
    expect(Array.from(joined.positions)).toEqual(expected(undefined).filter((_, i) => i % 4 !== 3));
    expect(Object.keys(joined.fields)).toEqual(['Intensity']);
  });

  it('prefers the exact spelling when two fields differ only in case', () => {
    const fields = [column('X', 50), column('x', 10), column('y', 20), column('z', 30)];
    const joined = labelPoints(readPcd(writePcd(fields, POINTS, 'binary')), decodeMask('[1, 2, 3, 4]'));
    expect(Array.from(joined.positions.subarray(0, 3))).toEqual([10, 20, 30]);
    expect(Object.keys(joined.fields)).toEqual(['X']);
  });

  it.each(['intensity', 'Intensity', 'INTENSITY', 'i', 'I', 'reflectance', 'Reflectance', 'remission'])(
    'kitti takes the intensity from a field named %s',
    (name) => {
      expect(kittiValues([column('x', 10), column('y', 20), column('z', 30), column(name, 40)])).toEqual(expected(40));
    },
  );

  it('kitti: intensity in preference order, integer types converted, 0 only where the cloud has none', () => {
    const xyz = [column('x', 10), column('y', 20), column('z', 30)];
    expect(kittiValues([...xyz, column('reflectance', 70), column('Intensity', 40)])).toEqual(expected(40));
    expect(kittiValues([...xyz, column('i', 40, 'U', 2)])).toEqual(expected(40));
    expect(kittiValues([...xyz, column('ring', 40, 'U', 1)])).toEqual(expected(undefined));
  });

  it('64-bit integer fields (BigInt arrays) become float32 positions and intensity', () => {
    const head = 'FIELDS x y z i\nSIZE 8 8 8 8\nTYPE I I I U\nWIDTH 2\nHEIGHT 1\nDATA binary\n';
    const data = new BigInt64Array([-5n, 6n, 7n, 255n, 2n ** 40n, -(2n ** 62n), 0n, -1n]);
    const bytes = Uint8Array.from([...new TextEncoder().encode(head), ...new Uint8Array(data.buffer)]);
    const pcd = readPcd(bytes);
    expect(pcd.fields.i).toBeInstanceOf(BigUint64Array);
    const [file] = encodePoints(pcd, 'kitti').chunks;
    expect(Array.from(new Float32Array(file!.buffer, file!.byteOffset, 8))).toEqual([
      -5,
      6,
      7,
      255,
      2 ** 40,
      -(2 ** 62),
      0,
      2 ** 64,
    ]);
    expect(Array.from(labelPoints(pcd, decodeMask('[3, 4]')).positions)).toEqual([-5, 6, 7, 2 ** 40, -(2 ** 62), 0]);
  });

  it('an intensity field of several values a point is an error, not a silent 0', () => {
    const fields = [column('x', 10), column('y', 20), column('z', 30), column('intensity', 40, 'F', 4, 2)];
    expect(() => kittiValues(fields)).toThrow(expect.objectContaining({ code: 'INVALID_INTENSITY_FIELD' }));
    expect(() => kittiValues(fields)).toThrow(LabelJoinError);
  });

  it('no x: MISSING_POSITION_FIELD in every format', () => {
    const pcd = readPcd(writePcd([column('xx', 10), column('y', 20), column('z', 30)], POINTS, 'binary'));
    for (const format of ['npy', 'bin', 'kitti'] as const) {
      expect(() => encodePoints(pcd, format)).toThrow(expect.objectContaining({ code: 'MISSING_POSITION_FIELD' }));
    }
  });
});
