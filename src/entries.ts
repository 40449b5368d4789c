// The package's entry points that run whole subsystems (an export, a report, the viewer, the training sets), each
// loading its modules on its first call. They are async anyway, and those modules are most of the package and need
// `node:http`, `node:crypto` and `node:zlib`: loaded at import, they doubled the time of every
// `import { decodeMask } from 'playment-masks'`. Their option types and error classes are exported as before.
import type { NuScenesOptions, NuScenesScene } from './dataset/nuscenes.js';
import type { ParquetOptions, ParquetSummary } from './dataset/parquet.js';
import type { SemanticKittiOptions, SemanticKittiSequence } from './dataset/semantickitti.js';
import type { ExportOptions } from './export/options.js';
import type { ExportSummary } from './export/records.js';
import type { ReportOptions, ReportOutcome } from './report/report.js';
import type { Viewer, ViewerOptions } from './viewer/server.js';

/**
 * Exports every mask of a batch into `outDir`: one label file per mask, each job's result object, index.jsonl and
 * summary.json. Jobs that still fail after the client's retries are recorded in the summary and the rest goes on.
 * Every file is written atomically; a rerun into the same folder skips the jobs already complete, and its output is
 * identical to that of an uninterrupted run. Rejects if the batch cannot be listed, on abort, or if onProgress throws.
 */
export async function exportBatch(options: ExportOptions): Promise<ExportSummary> {
  return (await import('./export/pipeline.js')).exportBatch(options);
}

/** Builds the static HTML report of an export (and of its changes against an older one); resolves to what it wrote. */
export async function buildReport(options: ReportOptions): Promise<ReportOutcome> {
  return (await import('./report/report.js')).buildReport(options);
}

/** Serves the 3D viewer of an export on 127.0.0.1; resolves once it listens. */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  return (await import('./viewer/server.js')).startViewer(options);
}

/** Builds a nuScenes-lidarseg tree from an export; resolves to its scenes. */
export async function buildNuScenes(options: NuScenesOptions): Promise<NuScenesScene[]> {
  return (await import('./dataset/nuscenes.js')).buildNuScenes(options);
}

/** Builds Parquet files from an export; resolves to what was written. */
export async function buildParquet(options: ParquetOptions): Promise<ParquetSummary> {
  return (await import('./dataset/parquet.js')).buildParquet(options);
}

/**
 * Builds a SemanticKITTI tree from an export; resolves to its sequences by number (zero-padded to one width: sort the
 * keys for numeric order, since an object lists integer-like keys first).
 */
export async function buildSemanticKitti(
  options: SemanticKittiOptions,
): Promise<Record<string, SemanticKittiSequence>> {
  return (await import('./dataset/semantickitti.js')).buildSemanticKitti(options);
}
