// The Playment API simulator (built to dist/sim.js): for `playment-masks simulate` and `demo`, the tests and the
// benchmarks. Not part of the main entry.
export { startSimulator } from './server.js';
export type { Simulator, SimulatorOptions } from './server.js';
export {
  SimDataset,
  COMPLETED,
  isCompleted,
  UNNAMED_KEY,
  LEGACY_KEY_ZERO,
  legacyMaskPath,
  maskPath,
  resultPath,
  pointCloudPath,
} from './dataset.js';
export type { SimClass, SimObject, SimAnnotation, JobAnnotations } from './annotations.js';
export type { DatasetOptions, ExpectedMask, SimJob, SimShape, BatchPageData } from './dataset.js';
export { DATASET_DEFAULTS, FAULT_DEFAULTS } from './option-table.js';
export { FaultPlan } from './faults.js';
export type { FaultOptions } from './faults.js';
export { FAULT_KINDS, FAULT_ROUTES, RANDOM_FAULT_KINDS, ROUTE_FAULTS } from './fault-kinds.js';
export type { FaultKind, Route } from './fault-kinds.js';
export type { SimStats, SimRequest } from './stats.js';
export type { Compression } from './option-table.js';
export { realisticMaskText, generateMaskLabels, formatMaskText, DEFAULT_MASK_CLASSES } from './mask-text.js';
export { writePcd, lzfCompress } from './pcd-writer.js';
export type { PcdWriterField, PcdWriterForm, PcdWriterOptions } from './pcd-writer.js';
export { lidarScan, pointCloudFields, pointCloudForm, pointCloudFile } from './point-cloud.js';
export { legacyMaskFile } from './legacy.js';
export { startHostileServer, resultText, compressedBomb, lzfBombPcd } from './hostile.js';
export type { HostileJob, HostileOptions, HostileServer, Reply, ResultMask } from './hostile.js';
