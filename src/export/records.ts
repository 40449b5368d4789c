// The shapes of what the export writes: index lines, failures and summary.json.
import type { ExportFormat } from '../formats/index.js';
import type { LabelMode } from './option-table.js';

/** Points of one class (classes.json id), with its name. */
export interface ClassCount {
  id: number;
  name: string;
  points: number;
}

/** One line of index.jsonl: one mask file. */
export interface IndexLine {
  job_id: string;
  reference_id: unknown;
  frame_id: unknown;
  sensor_id: unknown;
  points: number;
  /** Relative to the output folder, '/'-separated. */
  file: string;
  /** The points file (with --with-points), relative to the output folder. */
  points_file?: string;
  /** The instance ids file (npy and bin with --instances), relative to the output folder. */
  instances_file?: string;
  /** kitti with points: the mask's points left out of both files for a non-finite x, y or z. */
  points_left_out?: number;
  /** Points per class, by class id (classes.json), in id order; id 0: keys no annotation names. */
  histogram: ClassCount[];
  /** Points whose label_key no annotation or legend entry of the job names (they have no class). */
  unnamed_points: number;
}

export interface ExportFailure {
  job_id: unknown;
  reference_id: unknown;
  /** The error's stable code (ApiError, MaskParseError, PoolError, a file system errno...). */
  code: string;
  /** The vendor's `error.code`, for ApiError `API_ERROR`. */
  api_code?: string;
  /** The HTTP status, for ApiError. */
  status?: number;
  message: string;
}

/** The contents of summary.json. */
export interface ExportSummary {
  project_id: string;
  batch_id: string;
  format: ExportFormat;
  labels: LabelMode;
  instances: boolean;
  /**
   * `skipped`: jobs left out for their status (see the `statuses` option), by status. `without_labels`: exported
   * jobs where no point has a class. `statuses`: every status the listing gave, with its number of jobs.
   * `unmatched_statuses`: the requested statuses that no listed job has (absent when there are none).
   */
  jobs: {
    listed: number;
    exported: number;
    failed: number;
    skipped: Record<string, number>;
    without_labels: number;
    statuses: Record<string, number>;
    unmatched_statuses?: string[];
  };
  masks: number;
  points: number;
  /** Points whose label_key the job's result does not name, over the batch (see IndexLine). */
  unnamed_points: number;
  /** Points per class over the batch, largest first. */
  classes: (ClassCount & { class_id?: string })[];
  /** Jobs that failed, by job id. */
  failures: ExportFailure[];
  /** This run's requests to the API's origin (storage not counted). */
  api: ApiUsage;
}

export interface ApiUsage {
  requests: number;
  /** Requests the API refused for its rate limit, and sent again. */
  throttled: number;
  /** The rate (requests/s) the client settled on at the end; null when no rate limit (nor --max-rps) held it. */
  rate_per_s: number | null;
}
