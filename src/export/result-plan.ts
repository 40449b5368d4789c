// What a job keeps of its result object's masks, taken out as soon as the object is parsed. The parsed object itself
// is dropped at once: its bytes are saved as result.json, and a job in flight keeps only these few fields (a 30 MB
// result object parses to hundreds of MB of objects, and dozens of jobs are in flight).
import { cloudOf, type JobDescription, type MaskRef } from '../result/index.js';
import { maskFileName, safeName } from './file-names.js';
import { type ExportFormat, FORMATS } from '../formats/index.js';
import { pointsFileName, type PointsTarget } from './points.js';

/** One mask of the job, with its file name and, for --with-points, its point cloud (or why it has none). */
export interface PlannedMask {
  mask: MaskRef;
  name: string;
  points: PointsTarget | Error | undefined;
}

/**
 * The job's masks with their file names, and their point clouds when `withPoints`. A mask without a point cloud
 * fails only when it is reached.
 */
export function plannedMasks(job: JobDescription, format: ExportFormat, withPoints: boolean): PlannedMask[] {
  return fileNamesOf(job.masks, FORMATS[format].labelExtension).map(({ mask, name }): PlannedMask => {
    let points: PointsTarget | Error | undefined;
    if (withPoints) {
      try {
        points = { url: cloudOf(job, mask).dataUrl, name: pointsFileName(name, format) };
      } catch (error) {
        points = error as Error;
      }
    }
    return { mask, name, points };
  });
}

/** Each mask with its file name; a frame and sensor seen again get `.2`, `.3`... in mask order. */
function fileNamesOf(masks: readonly MaskRef[], extension: string): { mask: MaskRef; name: string }[] {
  const seen = new Map<string, number>();
  return masks.map((mask) => {
    const frame = String(mask.frameId);
    const sensor = String(mask.sensorId);
    const key = `${safeName(frame)}.${safeName(sensor)}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return { mask, name: maskFileName(frame, sensor, occurrence, extension) };
  });
}
