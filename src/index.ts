export * from './decode/index.js';
export { PlaymentMasksError, InvalidArgumentError, AbortError } from './errors.js';
export { ERROR_CATALOGUE } from './errors/catalogue.js';
export type { ErrorClassName, ErrorCode, ErrorCodeOf, Retryable } from './errors/catalogue.js';
export { ready } from './core/wasm.js';
export { MaskDecoderPool, MAX_THREADS, PoolError } from './pool/index.js';
export type {
  LabelFileJob,
  LabelFileOutcome,
  LabelFilesOptions,
  MaskDecoderPoolOptions,
  PiscinaInstance,
  PoolDecodedMask,
  PoolDecodeOptions,
  PoolFileOptions,
  PoolErrorCode,
} from './pool/index.js';
export * from './pcd/index.js';
export * from './api/index.js';
export * from './export/index.js';
export {
  buildNuScenes,
  buildParquet,
  buildReport,
  buildSemanticKitti,
  exportBatch,
  startViewer,
} from './entries.js';
export { describeResult, masksOf, cloudOf, ResultObjectError } from './result/index.js';
export type {
  Frame,
  FrameSensor,
  JobClass,
  JobDescription,
  KeyMeaning,
  MaskRef,
  ResultShape,
  SensorMeta,
} from './result/index.js';
export { DatasetError } from './dataset/dataset-error.js';
export type { NuScenesOptions, NuScenesScene } from './dataset/nuscenes.js';
export type { ParquetOptions, ParquetSummary } from './dataset/parquet.js';
export type { SemanticKittiOptions, SemanticKittiSequence } from './dataset/semantickitti.js';
export { VIEW_DEFAULTS } from './report/view-options.js';
export type { ReportOptions, ReportOutcome } from './report/report.js';
export { ReportError } from './report/report-error.js';
export { FLAG_DEFAULTS } from './report/flags.js';
export type { FlagCode, FlagThresholds, Flag } from './report/flags.js';
export type { Viewer, ViewerOptions } from './viewer/server.js';
