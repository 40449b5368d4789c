// SemanticKITTI: a .label file of uint32 LE per point, the class in the low 16 bits and the instance id in the high
// 16 (its panoptic layout), and the velodyne .bin of float32 x y z intensity. Points without a finite x, y and z are
// left out of both, since SemanticKITTI's tools read every point of a scan as a return.
import type { OutputFormat } from './format.js';
import { uint16Array, uint32LE } from './little-endian.js';

export const kitti: OutputFormat = {
  labelHelp: 'SemanticKITTI .label',
  pointsHelp: 'velodyne .bin (float32 x y z intensity)',
  labelExtension: '.label',
  instancesExtension: undefined,
  encodeLabels: (labels, instances) => [uint32LE(labels, instances)],
  decodeLabels(bytes, withInstances, into) {
    if (bytes.length % 4 !== 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const labels = uint16Array(bytes.length / 4, into);
    for (let i = 0; i < labels.length; i++) {
      const word = view.getUint32(i * 4, true);
      // Instance ids where none were written: not a file of this export's settings.
      if (word > 0xffff && !withInstances) return undefined;
      labels[i] = word & 0xffff;
    }
    return labels;
  },
  decodeInstances(bytes, into) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const instances = uint16Array(bytes.length / 4, into);
    for (let i = 0; i < instances.length; i++) instances[i] = view.getUint16(i * 4 + 2, true);
    return instances;
  },
  idWords: { stride: 4, classOffset: 0, instanceOffset: 2 },
  labelFileSize: (points) => points * 4,
  points: { extension: '.bin', valuesPerPoint: 4, dropsNonFinite: true, header: () => [] },
};
