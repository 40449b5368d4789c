// The shapes of what the export writes: index lines, failures and summary.json.
import type { ExportFormat } from './formats.js';

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
  /** Points per class name (the annotation `label` of a label_key; the key itself where no annotation names it). */
  histogram: Record<string, number>;
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
  jobs: { listed: number; exported: number; failed: number };
  masks: number;
  points: number;
  /** Points per class name over the batch, largest first. */
  classes: Record<string, number>;
  /** Jobs that failed, by job id. */
  failures: ExportFailure[];
}
