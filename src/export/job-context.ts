// What every job of a run shares: the client and pool, the run's settings, the class table, and the bounds on what
// is in flight. Built once by exportBatch() (pipeline.ts), read by the job's state machine (job.ts) and its masks.
import type { PlaymentClient } from '../api/index.js';
import type { ExportFormat } from '../formats/index.js';
import type { MaskDecoderPool } from '../pool/index.js';
import type { Slots } from '../pool/slots.js';
import type { ByteBudget } from './budget.js';
import type { ClassTable } from './classes.js';
import type { LabelMode } from './option-table.js';
import type { ProgressCounters } from './progress.js';

export interface JobContext {
  client: PlaymentClient;
  pool: MaskDecoderPool;
  projectId: string;
  outDir: string;
  format: ExportFormat;
  /** Also fetch, check and write each mask's point cloud (see points.ts). */
  withPoints: boolean;
  labels: LabelMode;
  instances: boolean;
  /** Fetch the result object of a complete job again, and export the job again if it changed. */
  refresh: boolean;
  /** A job where no point has a class fails (NO_LABELS) instead of being exported with a warning. */
  requireLabels: boolean;
  table: ClassTable;
  /** Shared by every job: bounds the masks in flight (download, decode, write) across the whole export. */
  maskSlots: Slots;
  /** Shared by every job: bounds the bytes of the bodies in flight (result objects, masks, point clouds). */
  budget: ByteBudget;
  /** The largest result object, mask and point cloud accepted (RESPONSE_TOO_LARGE). */
  limits: BodyLimits;
  progress: ProgressCounters;
}

export interface BodyLimits {
  result: number;
  mask: number;
  pointCloud: number;
}
