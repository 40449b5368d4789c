// Shared by the export and CLI tests: temp folders, whole-tree snapshots, and the expected output of a simulated batch.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { IndexLine } from '../dist/index.js';
import type { SimDataset } from '../dist/sim.js';

const created: string[] = [];

export async function tempDir(prefix = 'export-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Every file under `dir` (relative '/'-separated path -> bytes), hidden files included. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const tree = new Map<string, Buffer>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else tree.set(relative(dir, path).split(sep).join('/'), await readFile(path));
    }
  };
  await walk(dir);
  return tree;
}

/** Asserts two trees hold the same paths with the same bytes; returns a readable difference or ''. */
export function treeDifference(a: Map<string, Buffer>, b: Map<string, Buffer>): string {
  const problems: string[] = [];
  for (const [path, bytes] of a) {
    const other = b.get(path);
    if (!other) problems.push(`only in the first: ${path}`);
    else if (!other.equals(bytes)) problems.push(`differs: ${path}`);
  }
  for (const path of b.keys()) if (!a.has(path)) problems.push(`only in the second: ${path}`);
  return problems.slice(0, 20).join('\n');
}

/** Jobs with their fragment written (complete), read from folder listings only: safe while an export runs. */
export async function completeJobCount(out: string): Promise<number> {
  const jobsDir = join(out, 'jobs');
  const names = await readdir(jobsDir).catch(() => [] as string[]);
  let complete = 0;
  for (const name of names) {
    const files = await readdir(join(jobsDir, name)).catch(() => [] as string[]);
    if (files.includes('index.jsonl')) complete++;
  }
  return complete;
}

export function indexLines(tree: Map<string, Buffer>): IndexLine[] {
  const text = tree.get('index.jsonl')?.toString('utf8') ?? '';
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as IndexLine);
}

/** The labels a mask file holds, whatever its format. */
export function labelsOf(bytes: Buffer, format: 'npy' | 'bin' | 'kitti'): Uint16Array {
  const copy = Uint8Array.from(bytes);
  if (format === 'kitti') {
    const words = new Uint32Array(copy.buffer);
    if (words.some((word) => word >>> 16 !== 0)) throw new Error('a kitti label has a non-zero instance');
    return Uint16Array.from(words);
  }
  const start = format === 'npy' ? 10 + new DataView(copy.buffer).getUint16(8, true) : 0;
  return new Uint16Array(copy.buffer.slice(start));
}

/**
 * The file an export must write for `labels`, built here from the format specifications (not with the library's
 * writer): npy as numpy.save writes it (1.0 header padded with spaces to 128 bytes, '\n', LE uint16), raw LE uint16,
 * SemanticKITTI LE uint32.
 */
export function expectedFile(labels: Uint16Array, format: 'npy' | 'bin' | 'kitti'): Buffer {
  if (format === 'kitti') {
    const out = Buffer.alloc(labels.length * 4);
    labels.forEach((label, i) => out.writeUInt32LE(label, i * 4));
    return out;
  }
  const data = Buffer.alloc(labels.length * 2);
  labels.forEach((label, i) => data.writeUInt16LE(label, i * 2));
  if (format === 'bin') return data;
  const dict = `{'descr': '<u2', 'fortran_order': False, 'shape': (${labels.length},), }`;
  const header = Buffer.alloc(128, 0x20);
  header.write('\x93NUMPY\x01\x00', 0, 'latin1');
  header.writeUInt16LE(118, 8);
  header.write(dict, 10, 'latin1');
  header[127] = 0x0a;
  return Buffer.concat([header, data]);
}

/**
 * Checks an export's tree against the simulated batch: every mask exactly once with the right labels, histogram and
 * ids, index lines in job-id order, and totals in summary.json. Returns the number of masks checked.
 */
export function checkExport(tree: Map<string, Buffer>, dataset: SimDataset, format: 'npy' | 'bin' | 'kitti'): number {
  const lines = indexLines(tree);
  const expected = [...dataset.expectedMasks()];
  if (lines.length !== expected.length) throw new Error(`${lines.length} index lines, expected ${expected.length}`);
  const byKey = new Map(
    lines.map((line) => [`${line.job_id}\u0000${String(line.frame_id)}\u0000${String(line.sensor_id)}`, line]),
  );
  if (byKey.size !== lines.length) throw new Error('a mask is listed twice');
  const totals = new Map<string, number>();
  for (const mask of expected) {
    const line = byKey.get(`${mask.jobId}\u0000${mask.frameId}\u0000${mask.sensorId}`);
    if (!line) throw new Error(`no index line for job ${JSON.stringify(mask.jobId)} frame ${mask.frameId}`);
    if (line.reference_id !== mask.referenceId) throw new Error(`reference_id ${String(line.reference_id)}`);
    const frame = Number(mask.frameId);
    const sensor = dataset.sensorIds.indexOf(mask.sensorId);
    const want = dataset.maskLabels(mask.jobIndex, frame, sensor);
    const bytes = tree.get(line.file);
    if (!bytes) throw new Error(`missing file ${line.file}`);
    const got = labelsOf(bytes, format);
    if (got.length !== want.length || got.some((label, i) => label !== want[i]))
      throw new Error(`wrong labels in ${line.file}`);
    if (!bytes.equals(expectedFile(want, format)))
      throw new Error(`${line.file} is not byte for byte the expected file`);
    if (line.points !== want.length) throw new Error(`points ${line.points}`);
    const histogram: Record<string, number> = {};
    for (const label of want) {
      const name = dataset.className(label);
      histogram[name] = (histogram[name] ?? 0) + 1;
      totals.set(name, (totals.get(name) ?? 0) + 1);
    }
    if (JSON.stringify(sortKeys(line.histogram)) !== JSON.stringify(sortKeys(histogram))) {
      throw new Error(`wrong histogram for ${line.file}`);
    }
  }
  const order = lines.map((line) => line.file.split('/')[1]!);
  for (let i = 1; i < order.length; i++) if (order[i - 1]! > order[i]!) throw new Error('index lines out of job order');
  const summary = JSON.parse(tree.get('summary.json')!.toString('utf8'));
  if (
    summary.masks !== expected.length ||
    summary.jobs.exported !== dataset.jobs.length ||
    summary.failures.length !== 0
  ) {
    throw new Error(`summary ${JSON.stringify(summary.jobs)}`);
  }
  if (JSON.stringify(sortKeys(summary.classes)) !== JSON.stringify(sortKeys(Object.fromEntries(totals)))) {
    throw new Error('summary classes');
  }
  return expected.length;
}

function sortKeys(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Every place a secret could leak to: each file of the tree. */
export function filesContaining(tree: Map<string, Buffer>, secret: string): string[] {
  return [...tree].filter(([, bytes]) => bytes.includes(secret)).map(([path]) => path);
}
