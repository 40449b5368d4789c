// Flags: the frames a person should look at, each with a stable code. Thresholds are declared in option-table.ts and set by
// the command's options (see docs/report-and-viewer.md).
import { defaultsOf, type ResolvedValues } from '../options/option.js';
import type { ExportJob } from './export-data.js';
import { THRESHOLD_OPTIONS } from './option-table.js';

export type FlagCode =
  | 'ALL_UNLABELLED'
  | 'UNLABELLED_SHARE'
  | 'UNNAMED_KEYS'
  | 'TRACK_CLASS_CHANGE'
  | 'RARE_CLASS'
  | 'FAR_POINTS';

/** When a frame is flagged (THRESHOLD_OPTIONS says what each means). */
export type FlagThresholds = ResolvedValues<typeof THRESHOLD_OPTIONS>;

export const FLAG_DEFAULTS: Readonly<FlagThresholds> = defaultsOf(THRESHOLD_OPTIONS);

export const FLAG_TITLES: Readonly<Record<FlagCode, string>> = Object.freeze({
  ALL_UNLABELLED: 'jobs whose points are all unlabelled',
  UNLABELLED_SHARE: 'frames with a large unlabelled share',
  UNNAMED_KEYS: 'frames with label keys no annotation names',
  TRACK_CLASS_CHANGE: 'tracks whose class changes between frames',
  RARE_CLASS: 'frames holding a class with very few points',
  FAR_POINTS: 'frames with points far from the sensor',
});

export interface Flag {
  code: FlagCode;
  jobId: string;
  /** Absent for a flag about the whole job. */
  frameId?: string;
  sensorId?: string;
  classId?: number;
  detail: string;
}

/** What the render threads found in one frame (null where the export lacks what it takes). */
export interface FrameFacts {
  unnamedKeyPoints: number | null;
  far: { count: number; max: number } | null;
}

/**
 * The flags of one job. `facts[i]` belongs to `job.lines[i]`; `batchPoints` is the points of each class over the
 * batch; `nameOf` names a class id.
 */
export function jobFlags(
  job: ExportJob,
  facts: readonly FrameFacts[],
  batchPoints: ReadonlyMap<number, number>,
  thresholds: FlagThresholds,
  nameOf: (id: number) => string,
): Flag[] {
  const flags: Flag[] = [];
  const jobId = job.id;
  const total = job.lines.reduce((sum, line) => sum + line.points, 0);
  const unlabelled = job.lines.reduce((sum, line) => sum + pointsOf(line.histogram, 0), 0);
  if (total > 0 && unlabelled === total) {
    flags.push({ code: 'ALL_UNLABELLED', jobId, detail: `all ${total} points of the job are unlabelled` });
  }
  job.lines.forEach((line, i) => {
    const at = { jobId, frameId: String(line.frame_id), sensorId: String(line.sensor_id) };
    const share = line.points > 0 ? pointsOf(line.histogram, 0) / line.points : 0;
    if (line.points > 0 && share >= thresholds.unlabelledShare) {
      flags.push({ code: 'UNLABELLED_SHARE', ...at, detail: `${percent(share)} of ${line.points} points unlabelled` });
    }
    const unnamed = facts[i]?.unnamedKeyPoints ?? 0;
    if (unnamed > 0) {
      flags.push({ code: 'UNNAMED_KEYS', ...at, detail: `${unnamed} points carry a key no annotation names` });
    }
    for (const { id, points } of line.histogram) {
      const batch = batchPoints.get(id) ?? 0;
      if (id !== 0 && points > 0 && batch < thresholds.rareClassPoints) {
        flags.push({
          code: 'RARE_CLASS',
          ...at,
          classId: id,
          detail: `${nameOf(id)}: ${points} points here, ${batch} in the batch`,
        });
      }
    }
    const far = facts[i]?.far;
    if (far && far.count > 0) {
      flags.push({
        code: 'FAR_POINTS',
        ...at,
        detail: `${far.count} points beyond ${thresholds.farMetres} m (farthest ${far.max.toFixed(1)} m)`,
      });
    }
  });
  flags.push(...trackFlags(job, nameOf));
  return flags;
}

/** A flag at each frame where a track's class differs from its class in the track's previous frame. */
function trackFlags(job: ExportJob, nameOf: (id: number) => string): Flag[] {
  const legend = job.legend?.legend;
  if (!Array.isArray(legend)) return [];
  const frameOrder = [...new Set(job.lines.map((line) => String(line.frame_id)))];
  const tracks = new Map<string, Map<string, number>>();
  for (const entry of legend) {
    if (entry.track_id === undefined) continue;
    const frames = tracks.get(entry.track_id) ?? new Map<string, number>();
    for (const frameId of job.framesOfKey.get(entry.key) ?? []) frames.set(frameId, entry.class);
    tracks.set(entry.track_id, frames);
  }
  const flags: Flag[] = [];
  for (const [trackId, frames] of tracks) {
    let previous: number | undefined;
    for (const frameId of frameOrder) {
      const cls = frames.get(frameId);
      if (cls === undefined) continue;
      if (previous !== undefined && cls !== previous) {
        flags.push({
          code: 'TRACK_CLASS_CHANGE',
          jobId: job.id,
          frameId,
          classId: cls,
          detail: `track ${trackId}: ${nameOf(previous)} before, ${nameOf(cls)} here`,
        });
      }
      previous = cls;
    }
  }
  return flags;
}

export function pointsOf(histogram: readonly { id: number; points: number }[], id: number): number {
  return histogram.find((entry) => entry.id === id)?.points ?? 0;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}
