// NumPy .npy (format 1.0, as numpy.save writes it): labels and instance ids as uint16 (N,), points as float32 (N, 3).
import type { OutputFormat } from './format.js';
import { fromUint16LE, uint16LE } from './little-endian.js';
import { NPY_PREFIX_BYTES, npyHeader } from './npy-header.js';

export const npy: OutputFormat = {
  labelHelp: 'NumPy uint16',
  pointsHelp: 'float32 (N, 3) .points.npy',
  labelExtension: '.npy',
  instancesExtension: '.instances.npy',
  encodeLabels: (labels) => [npyHeader(labels.length), uint16LE(labels)],
  decodeLabels(bytes, _withInstances, into) {
    if (bytes.length < NPY_PREFIX_BYTES) return undefined;
    const headerEnd = NPY_PREFIX_BYTES + (bytes[8]! | (bytes[9]! << 8));
    const header = Buffer.from(bytes.subarray(NPY_PREFIX_BYTES, Math.min(headerEnd, bytes.length))).toString('latin1');
    const shape = /'shape': \((\d+),\)/.exec(header);
    const points = shape ? Number(shape[1]) : Number.NaN;
    if (!Number.isSafeInteger(points) || bytes.length !== npy.labelFileSize(points)) return undefined;
    // Only a header byte-identical to ours: anything else is no file this export wrote.
    const expected = npyHeader(points);
    for (let i = 0; i < expected.length; i++) if (bytes[i] !== expected[i]) return undefined;
    return fromUint16LE(bytes.subarray(expected.length), into);
  },
  labelFileSize: (points) => npyHeader(points).length + points * 2,
  points: {
    extension: '.points.npy',
    valuesPerPoint: 3,
    dropsNonFinite: false,
    header: (points) => [npyHeader(points, '<f4', 3)],
  },
};
