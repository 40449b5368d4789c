// The output formats, by the name the CLI and the library take. Their order is the order of --help and the docs.
import { bin } from './bin.js';
import type { OutputFormat } from './format.js';
import { kitti } from './kitti.js';
import { npy } from './npy.js';

export const FORMATS = Object.freeze({ npy, bin, kitti } satisfies Record<string, OutputFormat>);

export type ExportFormat = keyof typeof FORMATS;

export const EXPORT_FORMATS: readonly ExportFormat[] = Object.freeze(Object.keys(FORMATS) as ExportFormat[]);

export type { IdWords, OutputFormat } from './format.js';
export { npyHeader } from './npy-header.js';
