// The public surface of the batch export.
export { exportBatch } from './pipeline.js';
export { EXPORT_DEFAULTS, MAX_CONCURRENCY } from './options.js';
export type { ExportOptions } from './options.js';
export type { ExportFormat } from './formats.js';
export type { ExportProgress } from './progress.js';
export type { ExportFailure, ExportSummary, IndexLine } from './records.js';
export { OutputLockedError } from './lock.js';
export { OutputPathError } from './files.js';
export { InvalidResultError } from './job.js';
