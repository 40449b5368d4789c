// From files to a training set: one class table for the batch, instance ids from tracks, only finished jobs, fresh
// re-exports. Expected values come from the simulator's ground truth and from this file's own reading of each saved
// result.json, never from the exporter's code.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportBatch, type ExportProgress } from '../src/index.js';
import type { SimulatorOptions } from '../src/sim/index.js';
import {
  checkExport,
  exportTestPool,
  indexLines,
  readTree,
  simulatedExport,
  tempDir,
  treeDifference,
  type TableEntry,
} from './export-support.js';

const pool = exportTestPool();

const setup = (batch: SimulatorOptions = {}) =>
  simulatedExport({
    batch: { jobs: 6, frames: 3, sensors: 1, points: 1200, pageSize: 4, ...batch },
    pool,
    client: { retry: { retries: 4, minDelayMs: 1, maxDelayMs: 20 } },
  });

interface Annotation {
  label_key: number;
  label?: string;
  class_id?: string;
  track_id?: string;
}

/** This test's reading of a saved result object: label_key -> its annotation (the first naming it). */
function annotationsByKey(resultJson: Buffer): Map<number, Annotation> {
  const result = JSON.parse(resultJson.toString('utf8')) as { annotation_data: { annotations: Annotation[] } };
  const byKey = new Map<number, Annotation>();
  for (const annotation of result.annotation_data.annotations) {
    if (!byKey.has(annotation.label_key)) byKey.set(annotation.label_key, annotation);
  }
  return byKey;
}

/** The classes.json id of an annotation's class: the entry of its class_id, else of its label (no class_id). */
function idOfAnnotation(table: readonly TableEntry[], annotation: Annotation): number | undefined {
  const entry =
    annotation.class_id !== undefined
      ? table.find((candidate) => candidate.class_id === annotation.class_id)
      : table.find(
          (candidate) => candidate.id !== 0 && candidate.class_id === undefined && candidate.name === annotation.label,
        );
  return entry?.id;
}

function uint32s(bytes: Buffer): Uint32Array {
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}

function npyUint16(bytes: Buffer): Uint16Array {
  const copy = Uint8Array.from(bytes);
  return new Uint16Array(copy.buffer.slice(10 + new DataView(copy.buffer).getUint16(8, true)));
}

function jobDirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/'));
}

function withoutSummary(tree: Map<string, Buffer>): Map<string, Buffer> {
  return new Map([...tree].filter(([path]) => path !== 'summary.json'));
}

// Two simulators differ in their origins, which the result objects' URLs name.
function withoutResults(tree: Map<string, Buffer>): Map<string, Buffer> {
  return new Map([...withoutSummary(tree)].filter(([path]) => !path.endsWith('/result.json')));
}

describe('classes.json: one class table for the batch', { timeout: 60_000 }, () => {
  it('maps every label through classes.json to the class its annotation names, in every job', async () => {
    const { simulator, base } = await setup();
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), format: 'kitti' });
    const tree = await readTree(out);
    const table = JSON.parse(tree.get('classes.json')!.toString('utf8')).classes as TableEntry[];
    expect(table[0]).toEqual({ id: 0, name: 'unlabelled' });
    expect(table.map((entry) => entry.id)).toEqual(table.map((_, i) => i));
    // Two classes of one name stay two classes; a class without a class_id is its label.
    expect(table.filter((entry) => entry.name === 'Vehicle').map((entry) => entry.class_id)).toHaveLength(2);
    expect(new Set(table.filter((e) => e.name === 'Vehicle').map((e) => e.class_id)).size).toBe(2);
    expect(table.find((entry) => entry.name === 'Pole')).not.toHaveProperty('class_id');
    expect(table.slice(1).every((entry) => /^#[0-9a-f]{6}$/.test(entry.color ?? ''))).toBe(true);

    const meaningsOfKey = new Map<number, Set<string>>();
    let checked = 0;
    let mismatches = 0;
    for (const line of indexLines(tree)) {
      const byKey = annotationsByKey(tree.get(`${jobDirOf(line.file)}/result.json`)!);
      const job = simulator.dataset.jobs.find((candidate) => candidate.id === line.job_id)!;
      // The raw keys as the storage host serves the mask.
      const keys = simulator.dataset.maskLabels(job.index, Number(line.frame_id), 0);
      const labels = uint32s(tree.get(line.file)!);
      expect(labels.length).toBe(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const annotation = byKey.get(keys[i]!);
        const want = annotation ? idOfAnnotation(table, annotation) : 0;
        if (labels[i] !== want) mismatches++;
        checked++;
      }
      for (const [key, annotation] of byKey) {
        const meanings = meaningsOfKey.get(key) ?? new Set<string>();
        meanings.add(annotation.class_id ?? `label ${annotation.label}`);
        meaningsOfKey.set(key, meanings);
      }
    }
    expect(checked).toBe(6 * 3 * 1200);
    expect(mismatches).toBe(0);
    // The premise: keys mean different classes in different jobs.
    expect([...meaningsOfKey.values()].filter((meanings) => meanings.size > 1).length).toBeGreaterThan(3);
    // Histograms per class id, with names, adding up to every point; no merge by name.
    const total = summary.classes.reduce((sum, entry) => sum + entry.points, 0);
    expect(total).toBe(6 * 3 * 1200);
    expect(new Set(summary.classes.map((entry) => entry.id)).size).toBe(summary.classes.length);
    for (const entry of summary.classes) expect(entry.name).toBe(table.find((e) => e.id === entry.id)!.name);
    // Each job's legend: key -> class id, name, track.
    const line = indexLines(tree)[0]!;
    const legend = JSON.parse(tree.get(`${jobDirOf(line.file)}/legend.json`)!.toString('utf8'));
    const byKey = annotationsByKey(tree.get(`${jobDirOf(line.file)}/result.json`)!);
    expect(legend.legend).toHaveLength(byKey.size);
    for (const entry of legend.legend) {
      const annotation = byKey.get(entry.key)!;
      expect(entry).toMatchObject({
        class: idOfAnnotation(table, annotation),
        name: annotation.label,
        track_id: annotation.track_id,
      });
    }
  });

  it('gives the same table and files whatever the order jobs finish in and however many runs it takes', async () => {
    const oneShot = await setup({ seed: 3 });
    const outA = await tempDir();
    await exportBatch({ ...oneShot.base(outA), concurrency: 1 });

    // The same batch while half of it is still being labelled: a first run sees fewer classes.
    const inTurns = await setup({ seed: 3, jobStatuses: { 0: 'in_progress', 2: 'in_progress', 5: 'in_progress' } });
    const outB = await tempDir();
    await exportBatch({ ...inTurns.base(outB), concurrency: 8 });
    const firstTable = (await readTree(outB)).get('classes.json')!.toString('utf8');
    for (const index of [0, 2, 5]) inTurns.simulator.setStatus(index, 'completed');
    await exportBatch({ ...inTurns.base(outB), concurrency: 8 });

    const a = await readTree(outA);
    const b = await readTree(outB);
    expect(b.get('classes.json')!.toString('utf8')).not.toBe(firstTable);
    expect(treeDifference(withoutResults(a), withoutResults(b))).toBe('');
    expect(checkExport(b, inTurns.simulator.dataset, 'npy')).toBe(6 * 3);
  });

  it('takes the ids of a --classes table; a class it lacks fails the job (UNKNOWN_CLASS) or maps to 0', async () => {
    const { simulator, base } = await setup({ jobs: 4 });
    const first = await tempDir();
    await exportBatch(base(first));
    const found = JSON.parse((await readTree(first)).get('classes.json')!.toString('utf8')).classes as TableEntry[];
    // Other ids (sparse, reversed), and one class left out.
    const given = found.map((entry) => ({ ...entry, id: entry.id === 0 ? 0 : 100 + (found.length - entry.id) * 3 }));
    const out = await tempDir();
    const summary = await exportBatch({ ...base(out), classes: given });
    const tree = await readTree(out);
    expect(JSON.parse(tree.get('classes.json')!.toString('utf8')).classes).toEqual(
      [...given].sort((x, y) => x.id - y.id),
    );
    expect(summary.failures).toEqual([]);
    expect(checkExport(tree, simulator.dataset, 'npy')).toBe(4 * 3);

    const road = given.find((entry) => entry.name === 'Road')!;
    const lacking = given.filter((entry) => entry !== road);
    const failing = await exportBatch({ ...base(await tempDir()), classes: lacking });
    // Every simulated job has a road.
    expect(failing.jobs.failed).toBe(4);
    expect(new Set(failing.failures.map((failure) => failure.code))).toEqual(new Set(['UNKNOWN_CLASS']));

    const ignoring = await tempDir();
    await exportBatch({ ...base(ignoring), classes: lacking, unknownClasses: 'ignore', format: 'kitti' });
    const ignored = await readTree(ignoring);
    const line = indexLines(ignored)[0]!;
    const byKey = annotationsByKey(ignored.get(`${jobDirOf(line.file)}/result.json`)!);
    const job = simulator.dataset.jobs.find((candidate) => candidate.id === line.job_id)!;
    const keys = simulator.dataset.maskLabels(job.index, Number(line.frame_id), 0);
    const labels = uint32s(ignored.get(line.file)!);
    let roadPoints = 0;
    keys.forEach((key, i) => {
      const annotation = byKey.get(key);
      const isRoad = annotation?.class_id === road.class_id;
      if (isRoad) roadPoints++;
      expect(labels[i]).toBe(!annotation || isRoad ? 0 : idOfAnnotation(lacking, annotation));
    });
    expect(roadPoints).toBeGreaterThan(0);
  });
});

describe('--instances: ids from tracks', { timeout: 60_000 }, () => {
  it.each(['kitti', 'npy'] as const)(
    'partitions each job exactly as its tracks do, in every frame (%s)',
    async (format) => {
      const { simulator, base } = await setup({ jobs: 4, frames: 4 });
      const out = await tempDir();
      await exportBatch({ ...base(out), format, instances: true });
      const tree = await readTree(out);
      const lines = indexLines(tree);
      for (const jobId of new Set(lines.map((line) => line.job_id))) {
        const jobLines = lines.filter((line) => line.job_id === jobId);
        const byKey = annotationsByKey(tree.get(`${jobDirOf(jobLines[0]!.file)}/result.json`)!);
        const trackOf = new Map<number, string>();
        const instanceOf = new Map<string, number>();
        const job = simulator.dataset.jobs.find((candidate) => candidate.id === jobId)!;
        for (const line of jobLines) {
          // The raw keys as the storage host serves the mask.
          const keys = simulator.dataset.maskLabels(job.index, Number(line.frame_id), 0);
          let instances: ArrayLike<number>;
          if (format === 'kitti') {
            expect(line.instances_file).toBeUndefined();
            instances = Array.from(uint32s(tree.get(line.file)!), (word) => word >>> 16);
          } else {
            expect(line.instances_file).toBe(line.file.replace(/\.npy$/, '.instances.npy'));
            instances = npyUint16(tree.get(line.instances_file!)!);
          }
          expect(instances.length).toBe(keys.length);
          for (let i = 0; i < keys.length; i++) {
            const track = byKey.get(keys[i]!)?.track_id;
            const instance = instances[i]!;
            if (track === undefined) {
              expect(instance).toBe(0);
              continue;
            }
            expect(instance).toBeGreaterThan(0);
            if (trackOf.get(instance) === undefined) trackOf.set(instance, track);
            if (instanceOf.get(track) === undefined) instanceOf.set(track, instance);
            if (trackOf.get(instance) !== track || instanceOf.get(track) !== instance) {
              throw new Error(`job ${jobId}: instance ${instance} and track ${track} do not pair one to one`);
            }
          }
        }
        // Ids 1.. per job: no more of them than tracks.
        const tracks = new Set([...byKey.values()].map((annotation) => annotation.track_id));
        expect(Math.max(...instanceOf.values())).toBeLessThanOrEqual(tracks.size);
        // An object seen in several frames: the premise of "the same id in every frame".
        expect(instanceOf.size).toBeGreaterThan(1);
      }
    },
  );
});

describe('--status: only finished jobs', { timeout: 60_000 }, () => {
  it('exports the finished jobs, skips the others without a request, and exports them once finished', async () => {
    const { simulator, base } = await setup({ jobs: 5, record: true, jobStatuses: { 1: 'in_progress', 3: 'created' } });
    const out = await tempDir();
    let last: ExportProgress | undefined;
    const summary = await exportBatch({ ...base(out), onProgress: (progress) => (last = progress) });
    expect(summary.jobs).toEqual({
      listed: 5,
      exported: 3,
      failed: 0,
      skipped: { in_progress: 1, created: 1 },
      without_labels: 0,
      statuses: { completed: 3, in_progress: 1, created: 1 },
    });
    expect(summary.failures).toEqual([]);
    expect(last!.jobsSkipped).toBe(2);
    const jobRequests = (ids: readonly number[]) =>
      simulator.requests.filter(
        (request) =>
          request.route === 'job' &&
          ids.some((index) => request.url.endsWith(`/jobs/${encodeURIComponent(simulator.dataset.jobs[index]!.id)}`)),
      ).length;
    expect(jobRequests([1, 3])).toBe(0);
    expect(checkExport(await readTree(out), simulator.dataset, 'npy')).toBe(3 * 3);

    simulator.setStatus(1, 'completed');
    const before = simulator.requests.length;
    const rerun = await exportBatch(base(out));
    expect(rerun.jobs).toEqual({
      listed: 5,
      exported: 4,
      failed: 0,
      skipped: { created: 1 },
      without_labels: 0,
      statuses: { completed: 4, created: 1 },
    });
    const jobsAsked = simulator.requests.slice(before).filter((request) => request.route === 'job');
    expect(jobsAsked.map((request) => request.url)).toEqual([
      expect.stringMatching(new RegExp(`/jobs/${simulator.dataset.jobs[1]!.id}$`)),
    ]);
    expect(checkExport(await readTree(out), simulator.dataset, 'npy')).toBe(4 * 3);

    const all = await exportBatch({ ...base(await tempDir()), statuses: 'all' });
    expect(all.failures.map((failure) => failure.code)).toEqual(['NO_RESULT']);
    const some = await exportBatch({ ...base(await tempDir()), statuses: ['created'] });
    expect(some.jobs).toMatchObject({ exported: 0, failed: 1, skipped: { completed: 4 } });
  });
});

describe('--refresh and changed settings: fresh re-exports', { timeout: 60_000 }, () => {
  it('re-exports a re-labelled job with --refresh only, comparing result objects byte for byte', async () => {
    const { simulator, base } = await setup({ jobs: 4, record: true });
    const out = await tempDir();
    await exportBatch(base(out));
    const before = await readTree(out);
    simulator.relabel(2);

    let mark = simulator.requests.length;
    await exportBatch(base(out));
    // Without --refresh a complete job costs no request: the re-labelling goes unseen.
    expect(simulator.requests.slice(mark).filter((request) => request.route !== 'batch')).toEqual([]);
    expect(treeDifference(withoutSummary(before), withoutSummary(await readTree(out)))).toBe('');

    mark = simulator.requests.length;
    await exportBatch({ ...base(out), refresh: true });
    const asked = simulator.requests.slice(mark);
    // Every job's result object is fetched again; masks only for the one that changed.
    expect(asked.filter((request) => request.route === 'job')).toHaveLength(4);
    const maskPaths = asked.filter((request) => request.origin === 'storage' && request.url.startsWith('/masks/'));
    expect(new Set(maskPaths.map((request) => request.url.split('/')[2]))).toEqual(new Set(['2']));
    const after = await readTree(out);
    expect(checkExport(after, simulator.dataset, 'npy')).toBe(4 * 3);
    const changed = treeDifference(withoutSummary(before), withoutSummary(after)).split('\n');
    const job2 = jobDirOf(indexLines(after).find((line) => line.job_id === simulator.dataset.jobs[2]!.id)!.file);
    expect(
      changed.filter((line) => !line.includes(job2) && !line.endsWith('classes.json') && !line.endsWith('index.jsonl')),
    ).toEqual([]);

    // Unchanged now: a refresh fetches the result objects and nothing more.
    mark = simulator.requests.length;
    await exportBatch({ ...base(out), refresh: true });
    expect(
      simulator.requests.slice(mark).filter((r) => r.origin === 'storage' && !r.url.startsWith('/results/')),
    ).toEqual([]);
  });

  it('re-exports on another --format, --labels or --instances, leaving only the files of the new settings', async () => {
    const { simulator, base } = await setup({ jobs: 3 });
    const out = await tempDir();
    // The kinds of file in the job folders: label, points and instance files by extension, the rest by name.
    const extensions = async () => {
      const names = [...(await readTree(out)).keys()].filter((p) => p.startsWith('jobs/')).map((p) => p.split('/')[2]!);
      const kinds = names.map((name) => (name.includes('.json') ? name : name.replace(/^[^.]*\.[^.]*/, '')));
      return [...new Set(kinds)].sort();
    };
    const always = ['index.jsonl', 'legend.json', 'result.json'];
    await exportBatch({ ...base(out), instances: true });
    expect(await extensions()).toEqual(['.instances.npy', '.npy', ...always].sort());
    await exportBatch({ ...base(out), format: 'kitti' });
    expect(await extensions()).toEqual(['.label', ...always].sort());
    expect(checkExport(await readTree(out), simulator.dataset, 'kitti')).toBe(3 * 3);
    await exportBatch({ ...base(out), format: 'kitti', labels: 'raw' });
    expect(checkExport(await readTree(out), simulator.dataset, 'kitti', 'raw')).toBe(3 * 3);
    const legend = JSON.parse([...(await readTree(out))].find(([p]) => p.endsWith('legend.json'))![1].toString('utf8'));
    expect(legend).toMatchObject({ labels: 'raw', instances: false });
    await exportBatch({ ...base(out), format: 'bin', withPoints: true });
    expect(await extensions()).toEqual(['.bin', '.points.bin', ...always].sort());
    expect(checkExport(await readTree(out), simulator.dataset, 'bin')).toBe(3 * 3);
    const summary = JSON.parse((await readTree(out)).get('summary.json')!.toString('utf8'));
    expect(summary).toMatchObject({ format: 'bin', labels: 'class', instances: false });
  });
});

describe('renumbering at the end of a run is crash-safe', { timeout: 60_000 }, () => {
  it('drops an uncommitted renumbering and completes a committed one, without a request', async () => {
    const { simulator, base } = await setup({ jobs: 2, record: true });
    const out = await tempDir();
    await exportBatch({ ...base(out), format: 'kitti', instances: true });
    const clean = await readTree(out);
    const [first] = indexLines(clean);
    const jobDir = join(out, jobDirOf(first!.file));
    const labelName = first!.file.slice(first!.file.lastIndexOf('/') + 1);

    // Killed while writing the new files: no new legend, so the old ids stand.
    await writeFile(join(jobDir, `${labelName}.remap`), Buffer.alloc(16, 7));
    await writeFile(join(jobDir, 'index.jsonl.remap'), 'not json');
    let mark = simulator.requests.length;
    await exportBatch({ ...base(out), format: 'kitti', instances: true });
    expect(treeDifference(withoutSummary(clean), withoutSummary(await readTree(out)))).toBe('');
    expect(simulator.requests.slice(mark).filter((request) => request.route !== 'batch')).toEqual([]);

    // Killed after the new legend committed them, before every rename: the renames are completed.
    await rename(join(jobDir, 'legend.json'), join(jobDir, 'legend.remap.json'));
    await rename(join(jobDir, labelName), join(jobDir, `${labelName}.remap`));
    await rename(join(jobDir, 'index.jsonl'), join(jobDir, 'index.jsonl.remap'));
    mark = simulator.requests.length;
    await exportBatch({ ...base(out), format: 'kitti', instances: true });
    expect(treeDifference(withoutSummary(clean), withoutSummary(await readTree(out)))).toBe('');
    expect(simulator.requests.slice(mark).filter((request) => request.route !== 'batch')).toEqual([]);
  });
});
