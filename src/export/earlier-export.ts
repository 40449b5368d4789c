// What an existing output folder may hold: the export writes classes.json, index.jsonl and summary.json at its root,
// so it takes a folder whose files of those names are an earlier export of the same batch (to resume, refresh or
// change settings), and refuses one where they are another batch's export or files of the user's, which it would
// replace. Other files and folders beside them are left alone either way, and so are the files that symbolic links
// there point to: the export's renames replace a link, never what it points to.
import type { Stats } from 'node:fs';
import { lstat, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASSES_NAME, checkClassTable } from './classes.js';
import { OutputPathError } from './files.js';
import { INDEX_NAME, SUMMARY_NAME } from './index-file.js';

const ABSENT = Symbol('absent');
const INDEX_START = '{"job_id":';

/** Throws OutputPathError OUTPUT_TAKEN unless `outDir` holds no export files, or those of this batch's export. */
export async function checkEarlierExport(outDir: string, projectId: string, batchId: string): Promise<void> {
  const summaryPath = join(outDir, SUMMARY_NAME);
  const summary = await readJson(summaryPath);
  if (summary !== ABSENT) {
    const { project_id: project, batch_id: batch } = (summary ?? {}) as { project_id?: unknown; batch_id?: unknown };
    if (typeof project !== 'string' || typeof batch !== 'string') {
      throw taken(`${summaryPath} is not the summary of an export: the export would replace it`);
    }
    if (project !== projectId || batch !== batchId) {
      throw taken(
        `${outDir} holds the export of batch ${JSON.stringify(batch)} of project ${JSON.stringify(project)} ` +
          `(its ${SUMMARY_NAME}): export batch ${JSON.stringify(batchId)} into another folder`,
      );
    }
    return;
  }
  // No summary: a folder of other files, or a first run that stopped after writing the class table or the index
  // (the summary comes last).
  const classesPath = join(outDir, CLASSES_NAME);
  const classes = await readJson(classesPath);
  if (classes !== ABSENT) {
    try {
      checkClassTable(classes, classesPath);
    } catch {
      throw taken(`${classesPath} is not an export's class table: the export would replace it`);
    }
  }
  // Its start tells an index (lines written by JSON.stringify, `job_id` first) from a file of the user's: the whole
  // one can be long.
  const indexPath = join(outDir, INDEX_NAME);
  const start = await readOwnFile(indexPath, INDEX_START.length);
  if (start !== undefined && start !== '' && start !== INDEX_START) {
    throw taken(`${indexPath} is not an export's index: the export would replace it`);
  }
}

/**
 * The file's text (its first `bytes` at most); undefined where there is none, or a symbolic link (which the export
 * replaces, losing nothing). Anything else under the name (a folder) would fail the export's last rename: refused now.
 */
async function readOwnFile(path: string, bytes = Number.POSITIVE_INFINITY): Promise<string | undefined> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (stats.isSymbolicLink()) return undefined;
  if (!stats.isFile()) throw taken(`${path} is not a file: the export writes one there`);
  if (bytes >= stats.size) return readFile(path, 'utf8');
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await file.close();
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readOwnFile(path);
  if (text === undefined) return ABSENT;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function taken(message: string): OutputPathError {
  return new OutputPathError('OUTPUT_TAKEN', message);
}
