// The public surface of the batch export, but exportBatch() itself: see entries.ts.
export { EXPORT_DEFAULTS, MAX_CONCURRENCY } from './options.js';
export type { ExportOptions } from './options.js';
export type { ExportFormat } from '../formats/index.js';
export type { ExportProgress } from './progress.js';
export type { ApiUsage, ClassCount, ExportFailure, ExportSummary, IndexLine } from './records.js';
export { InvalidClassTableError, readClassTable, UnknownClassError } from './classes.js';
export type { ClassEntry, UnknownClasses } from './classes.js';
export type { JobLegend, LegendEntry as JobLegendEntry } from './legend.js';
export type { LabelMode } from './option-table.js';
export { OutputLockedError } from './output-locked-error.js';
export { OutputPathError } from './files.js';
export { ExportError, InvalidResultError } from './export-error.js';
