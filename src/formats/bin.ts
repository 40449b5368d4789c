// Raw little-endian arrays without a header: labels and instance ids as uint16, points as float32 x y z.
import type { OutputFormat } from './format.js';
import { fromUint16LE, uint16LE } from './little-endian.js';

export const bin: OutputFormat = {
  labelHelp: 'raw uint16 LE',
  pointsHelp: 'raw float32 x y z .points.bin',
  labelExtension: '.bin',
  instancesExtension: '.instances.bin',
  encodeLabels: (labels) => [uint16LE(labels)],
  decodeLabels: (bytes, _withInstances, into) => (bytes.length % 2 === 0 ? fromUint16LE(bytes, into) : undefined),
  labelFileSize: (points) => points * 2,
  points: { extension: '.points.bin', valuesPerPoint: 3, dropsNonFinite: false, header: () => [] },
};
