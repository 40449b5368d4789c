// One mask file decoded into one label file on the calling thread, start to end: the mask is read into the core's
// memory, its labels decoded there (nothing counted: a label file has no histogram) and written from there (through a
// temporary file renamed into place), with no buffer of its own. What MaskDecoderPool.writeLabelFiles runs on its
// workers, and LabelFileThreads on each thread.
import { mkdirSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { withMaskFileLabels } from '../decode/mask-file.js';
import { writeFileAtomicSync } from '../export/files.js';
import { FORMATS, type ExportFormat } from '../formats/index.js';

export interface LabelFileWritten {
  pointCount: number;
  bytesWritten: number;
}

/** Throws MaskParseError, or Node's own error for a file that cannot be read or written. */
export function writeLabelFile(path: string, outPath: string, format: ExportFormat): LabelFileWritten {
  return writeVia(path, outPath, format, dirname(outPath));
}

/**
 * writeLabelFile for threads that write into one folder at once: each makes its temporary files in a folder of its
 * own inside the output folder, since creating a file holds its folder's lock in the kernel, and threads creating
 * files in one folder wait for each other there (spinning, on Linux: CPU spent for nothing). One per thread.
 */
export class LabelFileWriter {
  /** Output folder -> this thread's temporary folder in it. */
  readonly #temps = new Map<string, string>();

  /** Throws as writeLabelFile does. */
  write(path: string, outPath: string, format: ExportFormat): LabelFileWritten {
    return writeVia(path, outPath, format, this.#tempFolder(dirname(outPath)));
  }

  /** Removes the temporary folders, empty by then (each temporary file was renamed into place or deleted). */
  close(): void {
    for (const temp of this.#temps.values()) {
      try {
        rmdirSync(temp);
      } catch {
        // Not empty (a temporary file that could not be deleted) or gone: left as it is.
      }
    }
    this.#temps.clear();
  }

  #tempFolder(dir: string): string {
    let temp = this.#temps.get(dir);
    if (temp === undefined) {
      temp = join(dir, tempFolderName(threadId));
      try {
        mkdirSync(temp);
      } catch (error) {
        // Left by a process killed with this one's pid: still only this thread's.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      this.#temps.set(dir, temp);
    }
    return temp;
  }
}

/** The temporary folder of thread `thread` of this process inside each output folder. */
export function tempFolderName(thread: number): string {
  return `.~${process.pid}.${thread}.tmp`;
}

function writeVia(path: string, outPath: string, format: ExportFormat, tempDir: string): LabelFileWritten {
  return withMaskFileLabels(path, (mask) => {
    const chunks = FORMATS[format].encodeLabels(mask.labels);
    writeFileAtomicSync(dirname(outPath), basename(outPath), chunks, tempDir);
    return { pointCount: mask.pointCount, bytesWritten: chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) };
  });
}
