// One mask file decoded into one label file on the calling thread, start to end: the mask is read into the core's
// memory, decoded there and its labels written from there (through a temporary file renamed into place), with no
// buffer of its own. What MaskDecoderPool.writeLabelFiles runs on its workers, and the `decode` command on its
// main thread too.
import { basename, dirname } from 'node:path';
import { withMaskFile } from '../decode/mask-file.js';
import { writeFileAtomicSync } from '../export/files.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';

/** Throws MaskParseError, or Node's own error for a file that cannot be read or written. */
export function writeLabelFile(
  path: string,
  outPath: string,
  format: ExportFormat,
): { pointCount: number; bytesWritten: number } {
  return withMaskFile(path, undefined, (mask) => {
    const chunks = FORMATS[format].encodeLabels(mask.labels);
    writeFileAtomicSync(dirname(outPath), basename(outPath), chunks);
    return { pointCount: mask.pointCount, bytesWritten: chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) };
  });
}
