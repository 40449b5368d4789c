// The lidar point clouds the simulated storage host serves: one PCD per frame and sensor, with as many points as the
// frame's mask, deterministic from the dataset's seed, in each of the three DATA forms in turn.
import type { SimDataset } from './dataset.js';
import { seededRandom } from './mask-text.js';
import { writePcd, type PcdWriterField, type PcdWriterForm } from './pcd-writer.js';

const FORMS: readonly PcdWriterForm[] = ['binary_compressed', 'binary', 'ascii'];
const RINGS = 64;
// PCL's writer (pcd_io.cpp) maps the output file and rounds its size up to whole pages of this size, left zero.
const PCL_PAGE_BYTES = 4096;

/**
 * A spinning lidar's scan in driver order: 64 rings sweeping 360 degrees, ranges that vary smoothly with some noise,
 * intensities 0..255 and about 8% of points without a return (x, y, z all `missing`, 0 by default, intensity 0).
 * Fields x y z intensity, all F4.
 */
export function lidarScan(points: number, seed = 1, missing = 0): PcdWriterField[] {
  const random = seededRandom(seed);
  const x = new Float32Array(points);
  const y = new Float32Array(points);
  const z = new Float32Array(points);
  const intensity = new Float32Array(points);
  const stepsPerTurn = Math.max(1, points / RINGS / 10);
  for (let i = 0; i < points; i++) {
    if (random() < 0.08) {
      x[i] = y[i] = z[i] = missing;
      continue;
    }
    const azimuth = (Math.floor(i / RINGS) * 2 * Math.PI) / stepsPerTurn;
    const elevation = (((i % RINGS) / RINGS) * 40 - 25) * (Math.PI / 180);
    const range = 8 + 6 * Math.sin(azimuth * 3) + 2 * Math.cos(elevation * 5) + random() * 0.05;
    x[i] = range * Math.cos(elevation) * Math.cos(azimuth);
    y[i] = range * Math.cos(elevation) * Math.sin(azimuth);
    z[i] = range * Math.sin(elevation) + 1.8;
    intensity[i] = Math.min(255, Math.floor(random() * 64) + (i % RINGS) * 3);
  }
  return [
    { name: 'x', type: 'F', size: 4, values: x },
    { name: 'y', type: 'F', size: 4, values: y },
    { name: 'z', type: 'F', size: 4, values: z },
    { name: 'intensity', type: 'F', size: 4, values: intensity },
  ];
}

/** The DATA form of the point cloud of (job, frame, sensor): the three forms take turns. */
export function pointCloudForm(jobIndex: number, frame: number, sensor: number): PcdWriterForm {
  return FORMS[(jobIndex + frame + sensor) % FORMS.length]!;
}

/** Points in the point cloud of (job, frame, sensor): the mask's count, one more for the dataset's mismatched jobs. */
export function pointCloudPoints(dataset: SimDataset, jobIndex: number): number {
  return dataset.points + (dataset.mismatchedPointClouds.has(jobIndex) ? 1 : 0);
}

/** The scan of one frame and sensor, as the fields the PCD holds. */
export function pointCloudFields(
  dataset: SimDataset,
  jobIndex: number,
  frame: number,
  sensor: number,
): PcdWriterField[] {
  const seed =
    (Math.imul(dataset.seed + 1, 0x2545f491) ^
      Math.imul(jobIndex + 1, 0x9e3779b1) ^
      Math.imul(frame + 1, 0x85ebca6b) ^
      (sensor + 1)) >>>
    0;
  return lidarScan(pointCloudPoints(dataset, jobIndex), seed, dataset.nanReturns ? Number.NaN : 0);
}

/** The PCD file of one frame and sensor, as the storage host serves it. */
export function pointCloudFile(dataset: SimDataset, jobIndex: number, frame: number, sensor: number): Uint8Array {
  const fields = pointCloudFields(dataset, jobIndex, frame, sensor);
  const form = pointCloudForm(jobIndex, frame, sensor);
  const file = writePcd(fields, pointCloudPoints(dataset, jobIndex), form);
  if (!dataset.pclPadding || form === 'ascii') return file;
  const padded = new Uint8Array(Math.ceil(file.length / PCL_PAGE_BYTES) * PCL_PAGE_BYTES);
  padded.set(file);
  return padded;
}
