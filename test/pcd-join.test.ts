import { describe, expect, it } from 'vitest';
import { decodeMask, InvalidArgumentError, LabelJoinError, labelPoints, pointsOfLabel, readPcd } from '../src/index.js';
import { lidarCloud } from './fixtures/pcd-samples.js';
import { writePcd, type PcdWriterField } from '../src/sim/pcd-writer.js';
import { generateMaskLabels } from '../src/sim/mask-text.js';

const maskText = (labels: ArrayLike<number>) => `[${Array.from(labels).join(', ')}]`;

describe('labelPoints', () => {
  it('joins labels to positions and the other fields, index-aligned', () => {
    const fields = lidarCloud(500);
    const pcd = readPcd(writePcd(fields, 500, 'binary_compressed'));
    const labels = generateMaskLabels({ points: 500, seed: 3 });
    const joined = labelPoints(pcd, decodeMask(maskText(labels)));
    expect(joined.pointCount).toBe(500);
    expect(Array.from(joined.labels)).toEqual(Array.from(labels));
    expect(joined.positions).toBeInstanceOf(Float32Array);
    expect(joined.positions.length).toBe(1500);
    for (const i of [0, 1, 250, 499]) {
      expect(Array.from(joined.positions.subarray(3 * i, 3 * i + 3))).toEqual(
        [0, 1, 2].map((axis) => fields[axis]!.values[i]),
      );
    }
    expect(Object.keys(joined.fields)).toEqual(['intensity']);
    expect(joined.fields.intensity).toBe(pcd.fields.intensity);
  });

  it('converts float64 positions to float32', () => {
    const values = [0.1, -2.5, 1e10];
    const fields: PcdWriterField[] = ['x', 'y', 'z'].map((name) => ({ name, type: 'F', size: 8, values }));
    const joined = labelPoints(readPcd(writePcd(fields, 3, 'binary')), decodeMask('[1, 2, 3]'));
    expect(Array.from(joined.positions)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2].map((i) => Math.fround(values[i]!)));
  });

  it('throws POINT_COUNT_MISMATCH when the mask and the cloud differ in length', () => {
    const pcd = readPcd(writePcd(lidarCloud(4), 4, 'ascii'));
    for (const mask of ['[1, 2, 3]', '[1, 2, 3, 4, 5]']) {
      const error = (() => {
        try {
          labelPoints(pcd, decodeMask(mask));
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(LabelJoinError);
      expect((error as LabelJoinError).code).toBe('POINT_COUNT_MISMATCH');
    }
  });

  it('throws MISSING_POSITION_FIELD without x, y and z', () => {
    const fields: PcdWriterField[] = [
      { name: 'x', type: 'F', size: 4, values: [1] },
      { name: 'y', type: 'F', size: 4, values: [1] },
    ];
    expect(() => labelPoints(readPcd(writePcd(fields, 1, 'binary')), decodeMask('[0]'))).toThrow(
      expect.objectContaining({ code: 'MISSING_POSITION_FIELD' }),
    );
  });
});

describe('pointsOfLabel', () => {
  const points = 5000;
  const labels = generateMaskLabels({ points, seed: 11 });
  const joined = labelPoints(readPcd(writePcd(lidarCloud(points), points, 'binary')), decodeMask(maskText(labels)));

  it('returns the ascending indices of exactly the points of one class, for every class', () => {
    let total = 0;
    for (let key = 0; key < joined.histogram.length; key++) {
      const indices = pointsOfLabel(joined, key);
      const expected = Array.from(labels.keys()).filter((i) => labels[i] === key);
      expect(Array.from(indices)).toEqual(expected);
      total += indices.length;
    }
    expect(total).toBe(points);
  });

  it('builds the index once: later calls return views on the same array', () => {
    const [first] = Array.from(joined.histogram.keys()).filter((k) => joined.histogram[k]! > 0);
    expect(pointsOfLabel(joined, first!).buffer).toBe(pointsOfLabel(joined, 0).buffer);
  });

  it('returns nothing for a key beyond the histogram, rejects a bad key', () => {
    expect(pointsOfLabel(joined, 65535).length).toBe(0);
    expect(() => pointsOfLabel(joined, -1)).toThrow(InvalidArgumentError);
    expect(() => pointsOfLabel(joined, 1.5)).toThrow(InvalidArgumentError);
  });

  it('rejects a histogram that does not count the labels instead of writing out of place', () => {
    const forged = { ...joined, histogram: new Uint32Array([points]) };
    expect(() => pointsOfLabel(forged, 0)).toThrow(InvalidArgumentError);
  });
});

describe('sharing the WebAssembly scratch region', () => {
  it('decodeMask histograms stay exact when readPcd runs in between', () => {
    const before = decodeMask('[3, 3, 1]');
    expect(Array.from(before.histogram)).toEqual([0, 1, 0, 2]);
    // A cloud whose data would cover the histogram's place if it were laid out at the start of the scratch region.
    const noise: PcdWriterField[] = [
      { name: 'v', type: 'U', size: 4, values: Array.from({ length: 70000 }, (_, i) => i * 7919) },
    ];
    readPcd(writePcd(noise, 70000, 'binary'));
    readPcd(writePcd(noise, 70000, 'binary_compressed'));
    expect(Array.from(decodeMask('[0, 5]').histogram)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(Array.from(decodeMask('[7]').histogram)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
