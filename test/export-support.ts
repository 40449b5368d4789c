// Shared by the export and CLI tests: temp folders, clients of a served batch, whole-tree snapshots, and the expected
// output of a simulated batch.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import {
  MaskDecoderPool,
  PlaymentClient,
  type ExportOptions,
  type IndexLine,
  type PlaymentClientOptions,
} from '../src/index.js';
import { startSimulator, type SimDataset, type Simulator, type SimulatorOptions } from '../src/sim/index.js';

const created: string[] = [];
const serving: { server: { close(): Promise<void> }; client: PlaymentClient }[] = [];

export async function tempDir(prefix = 'export-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** What a test serves a batch with: the simulator, or a hostile server. */
interface BatchServer {
  apiKey: string;
  baseUrl: string;
  projectId: string;
  batchId: string;
  close(): Promise<void>;
}

export interface ExportClient {
  client: PlaymentClient;
  /** The export options for the server's batch, given the output folder. */
  base: (outDir: string) => ExportOptions;
}

/**
 * A client of `server` (its key and URL, then `client`'s options), and the export options of its batch decoding on
 * `pool`. The hooks of exportTestPool() close the client, then the server, after the test.
 */
export function exportClient(
  server: BatchServer,
  options: { pool: MaskDecoderPool; client?: Omit<PlaymentClientOptions, 'apiKey' | 'baseUrl'> },
): ExportClient {
  const client = new PlaymentClient({ apiKey: server.apiKey, baseUrl: server.baseUrl, ...options.client });
  serving.push({ server, client });
  const { projectId, batchId } = server;
  return { client, base: (outDir) => ({ client, projectId, batchId, outDir, pool: options.pool }) };
}

/** The simulator serving `batch`, a client of it and the export options of its batch (see exportClient). */
export async function simulatedExport(options: {
  batch: SimulatorOptions;
  pool: MaskDecoderPool;
  client?: Omit<PlaymentClientOptions, 'apiKey' | 'baseUrl'>;
}): Promise<ExportClient & { simulator: Simulator }> {
  const simulator = await startSimulator(options.batch);
  return { simulator, ...exportClient(simulator, options) };
}

/** Closes every client exportClient() made, then its server. */
async function closeServers(): Promise<void> {
  await Promise.all(serving.splice(0).map(({ server, client }) => client.close().then(() => server.close())));
}

/**
 * For a file of export tests: one decoding pool (two threads) for all its tests, and the hooks that close each
 * test's clients and servers after it and, after the last, the pool and the temp folders.
 */
export function exportTestPool(): MaskDecoderPool {
  const pool = new MaskDecoderPool({ threads: 2 });
  afterEach(closeServers);
  afterAll(async () => {
    await pool.close();
    await removeTempDirs();
  });
  return pool;
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

/**
 * Asserts two trees hold the same paths with the same bytes; returns a readable difference or ''. The `api` block of
 * summary.json counts the requests of the run that wrote it, so it alone may differ (it must be there in both).
 */
export function treeDifference(a: Map<string, Buffer>, b: Map<string, Buffer>): string {
  const problems: string[] = [];
  for (const [path, bytes] of a) {
    const other = b.get(path);
    if (!other) problems.push(`only in the first: ${path}`);
    else if (path === 'summary.json' ? !sameSummary(bytes, other) : !other.equals(bytes)) {
      problems.push(`differs: ${path}`);
    }
  }
  for (const path of b.keys()) if (!a.has(path)) problems.push(`only in the second: ${path}`);
  return problems.slice(0, 20).join('\n');
}

function sameSummary(a: Buffer, b: Buffer): boolean {
  const strip = (bytes: Buffer) => {
    const { api, ...rest } = JSON.parse(bytes.toString('utf8')) as { api?: unknown };
    return api === undefined ? undefined : JSON.stringify(rest);
  };
  const left = strip(a);
  return left !== undefined && left === strip(b);
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

/** A class table entry as classes.json holds it. */
export interface TableEntry {
  id: number;
  name: string;
  class_id?: string;
  color?: string;
}

/** The id classes.json gives a simulated class: the entry of its class_id, or of its name for a class without one. */
export function tableIdOf(table: readonly TableEntry[], simClass: { classId?: string; label: string }): number {
  const entry =
    simClass.classId === undefined
      ? table.find((c) => c.class_id === undefined && c.name === simClass.label && c.id !== 0)
      : table.find((candidate) => candidate.class_id === simClass.classId);
  if (!entry) throw new Error(`classes.json has no entry for ${JSON.stringify(simClass)}`);
  return entry.id;
}

// Legacy results name their keys by label alone: no class ids.
function simClassOf(dataset: SimDataset, simClass: { classId?: string; label: string }) {
  return dataset.legacyMasks ? { label: simClass.label } : simClass;
}

/** What a mask's label file must hold: the simulator's keys, or (class labels) their classes' ids in `table`. */
export function expectedLabels(
  dataset: SimDataset,
  table: readonly TableEntry[],
  jobIndex: number,
  frame: number,
  sensor: number,
  labels: 'class' | 'raw' = 'class',
): Uint16Array {
  const keys = dataset.maskLabels(jobIndex, frame, sensor);
  if (labels === 'raw') return keys;
  const ids = new Map<number, number>();
  return keys.map((key) => {
    if (!ids.has(key)) {
      const meaning = dataset.keyMeaning(jobIndex, key);
      ids.set(key, meaning ? tableIdOf(table, simClassOf(dataset, meaning.class)) : 0);
    }
    return ids.get(key)!;
  });
}

/**
 * Checks an export's tree against the simulated batch: every mask of its completed jobs exactly once with the right
 * labels (through classes.json to the class the simulator's annotation names), histogram by class id and ids, index
 * lines in job-id order, and totals in summary.json. Returns the number of masks checked.
 */
export function checkExport(
  tree: Map<string, Buffer>,
  dataset: SimDataset,
  format: 'npy' | 'bin' | 'kitti',
  labels: 'class' | 'raw' = 'class',
): number {
  const lines = indexLines(tree);
  const expected = [...dataset.expectedMasks()];
  if (lines.length !== expected.length) throw new Error(`${lines.length} index lines, expected ${expected.length}`);
  const table = JSON.parse(tree.get('classes.json')!.toString('utf8')).classes as TableEntry[];
  const names = new Map(table.map((entry) => [entry.id, entry.name]));
  const byKey = new Map(
    lines.map((line) => [`${line.job_id}\u0000${String(line.frame_id)}\u0000${String(line.sensor_id)}`, line]),
  );
  if (byKey.size !== lines.length) throw new Error('a mask is listed twice');
  const totals = new Map<number, number>();
  for (const mask of expected) {
    const line = byKey.get(`${mask.jobId}\u0000${mask.frameId}\u0000${mask.sensorId}`);
    if (!line) throw new Error(`no index line for job ${JSON.stringify(mask.jobId)} frame ${mask.frameId}`);
    if (line.reference_id !== mask.referenceId) throw new Error(`reference_id ${String(line.reference_id)}`);
    const frame = Number(mask.frameId);
    const sensor = dataset.sensorIds.indexOf(mask.sensorId);
    const want = expectedLabels(dataset, table, mask.jobIndex, frame, sensor, labels);
    const bytes = tree.get(line.file);
    if (!bytes) throw new Error(`missing file ${line.file}`);
    const got = labelsOf(bytes, format);
    if (got.length !== want.length || got.some((label, i) => label !== want[i]))
      throw new Error(`wrong labels in ${line.file}`);
    if (!bytes.equals(expectedFile(want, format)))
      throw new Error(`${line.file} is not byte for byte the expected file`);
    if (line.points !== want.length) throw new Error(`points ${line.points}`);
    const counts = new Map<number, number>();
    for (const key of dataset.maskLabels(mask.jobIndex, frame, sensor)) {
      const meaning = dataset.keyMeaning(mask.jobIndex, key);
      const id = meaning ? tableIdOf(table, simClassOf(dataset, meaning.class)) : 0;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      totals.set(id, (totals.get(id) ?? 0) + 1);
    }
    const histogram = [...counts].sort(([a], [b]) => a - b).map(([id, n]) => ({ id, name: names.get(id), points: n }));
    if (JSON.stringify(line.histogram) !== JSON.stringify(histogram)) {
      throw new Error(`wrong histogram for ${line.file}`);
    }
  }
  const order = lines.map((line) => line.file.split('/')[1]!);
  for (let i = 1; i < order.length; i++) if (order[i - 1]! > order[i]!) throw new Error('index lines out of job order');
  const summary = JSON.parse(tree.get('summary.json')!.toString('utf8'));
  const completed = new Set(expected.map((mask) => mask.jobId)).size;
  if (summary.masks !== expected.length || summary.jobs.exported !== completed || summary.failures.length !== 0) {
    throw new Error(`summary ${JSON.stringify(summary.jobs)}`);
  }
  const summaryTotals = new Map((summary.classes as { id: number; points: number }[]).map((c) => [c.id, c.points]));
  if (JSON.stringify([...summaryTotals].sort()) !== JSON.stringify([...totals].sort())) {
    throw new Error('summary classes');
  }
  return expected.length;
}

/** Every place a secret could leak to: each file of the tree. */
export function filesContaining(tree: Map<string, Buffer>, secret: string): string[] {
  return [...tree].filter(([, bytes]) => bytes.includes(secret)).map(([path]) => path);
}
