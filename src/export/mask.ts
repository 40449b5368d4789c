// One mask of a job, along the data path: its bytes fetched -> decoded in the pool (WASM) -> mapped to class and
// instance ids -> (with points) joined to its point cloud -> encoded in the format -> written atomically.
import type { MaskRef } from '../result/index.js';
import { FORMATS } from '../formats/index.js';
import { writeFileAtomic } from './files.js';
import type { JobContext } from './job-context.js';
import type { KeyLookups } from './legend.js';
import { histogramOf, pickPoints, pointsFile, type PointsTarget } from './points.js';

/** Where a mask's files go, in its job's folder. */
export interface MaskTarget {
  /** The label file's name. */
  name: string;
  points: PointsTarget | undefined;
  /** The instance file's name (npy and bin with --instances). */
  instances: string | undefined;
}

/** What the index line of a mask counts. */
export interface MaskOutcome {
  /** Labels written. */
  pointCount: number;
  /** Points per class id. */
  classCounts: Map<number, number>;
  /** kitti with points: the mask's points left out of the files for a non-finite x, y or z. */
  leftOut: number;
  /** Points whose key the result does not name. */
  unnamed: number;
}

/** What the job's keys mean to its masks, once the job has its ids. */
export interface MaskKeys {
  lookups: KeyLookups;
  /** The tables the decoding worker maps the keys through: class ids (with class labels), then instance ids. */
  tables: Uint16Array[];
  /** `named[key]` is 1 for every key the result names. */
  named: Uint8Array;
}

/** Fetches, decodes, encodes and writes one mask (and its points and instance files) under a mask slot. */
export async function exportMask(
  context: JobContext,
  mask: MaskRef,
  jobDir: string,
  target: MaskTarget,
  keysOf: () => Promise<MaskKeys>,
  signal: AbortSignal,
  priority: number,
): Promise<MaskOutcome> {
  const { client, pool, format, maskSlots, limits, progress } = context;
  await maskSlots.acquire(signal);
  // Opened once the slot is held: a reservation then waits only for its own bytes (see ByteBudget).
  const memory = context.budget.open(signal);
  try {
    const bytes = await client.attachment(mask.labelUrl, { signal, priority, maxBytes: limits.mask, memory });
    progress.bytesDownloaded += bytes.length;
    const { lookups, tables, named } = await keysOf();
    // Class and instance ids come back from the worker with the keys.
    const classes = context.labels === 'class';
    const decoded = await pool.decode(bytes, { transfer: true, signal, lookups: tables });
    let { histogram, pointCount } = decoded;
    let labels = classes ? decoded.mapped[0]! : decoded.labels;
    let instances = context.instances ? decoded.mapped.at(-1) : undefined;
    let leftOut = 0;
    if (target.points) {
      const pcd = await client.attachment(target.points.url, {
        signal,
        priority,
        maxBytes: limits.pointCloud,
        memory,
      });
      progress.bytesDownloaded += pcd.length;
      const where = `frame ${mask.frameId} sensor ${mask.sensorId}`;
      const file = pointsFile(pcd, pointCount, format, where);
      // The labels of points left out of the points file are left out of the label file too.
      if (file.kept) {
        const { kept } = file;
        leftOut = pointCount - kept.length;
        pointCount = kept.length;
        histogram = histogramOf(pickPoints(decoded.labels, kept));
        labels = pickPoints(labels, kept);
        instances = instances && pickPoints(instances, kept);
      }
      await writeFileAtomic(jobDir, target.points.name, file.chunks);
    }
    const output = FORMATS[format];
    if (instances && target.instances) await writeFileAtomic(jobDir, target.instances, output.encodeLabels(instances));
    // A format without an instance file holds the ids in its label file.
    const inLabels = target.instances ? undefined : instances;
    await writeFileAtomic(jobDir, target.name, output.encodeLabels(labels, inLabels));
    progress.masksDone++;
    progress.pointsDone += pointCount;
    progress.emit();
    const classCounts = new Map<number, number>();
    let unnamed = 0;
    histogram.forEach((count, key) => {
      if (count === 0) return;
      addCount(classCounts, lookups.classOf[key] ?? 0, count);
      if (named[key] !== 1) unnamed += count;
    });
    return { pointCount, classCounts, leftOut, unnamed };
  } finally {
    memory.close();
    maskSlots.release();
  }
}

export function addCount(counts: Map<number, number>, id: number, count: number): void {
  counts.set(id, (counts.get(id) ?? 0) + count);
}
