// exportBatch against hostile folders and hostile servers: planted links, bombs, oversized and malformed results.
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  EXPORT_DEFAULTS,
  exportBatch,
  InvalidArgumentError,
  ResultObjectError,
  type ExportProgress,
} from '../src/index.js';
import {
  compressedBomb,
  formatMaskText,
  lidarScan,
  lzfBombPcd,
  resultText,
  startHostileServer,
  writePcd,
  type HostileOptions,
  type Reply,
} from '../src/sim/index.js';
import {
  exportClient,
  exportTestPool,
  indexLines,
  readTree,
  simulatedExport,
  tempDir,
  treeDifference,
} from './export-support.js';

const pool = exportTestPool();

const simulated = () => simulatedExport({ batch: { jobs: 3, frames: 2, sensors: 1, points: 500, pageSize: 2 }, pool });

/** A folder of someone else's files that an export must leave exactly as it was. */
async function foreignFolder(): Promise<{ dir: string; unchanged: () => Promise<string> }> {
  const dir = await tempDir('foreign-');
  await writeFile(join(dir, 'result.json'), 'not yours');
  await writeFile(join(dir, '.~1.tmp'), 'a temporary file of another program');
  await writeFile(join(dir, 'index.jsonl'), 'mine');
  const before = await readTree(dir);
  return { dir, unchanged: async () => treeDifference(before, await readTree(dir)) };
}

describe('exportBatch in a folder with planted symbolic links', { timeout: 60_000 }, () => {
  it('refuses a jobs folder that is a link (OUTPUT_SYMLINK), writing and deleting nothing through it', async () => {
    const { base } = await simulated();
    const foreign = await foreignFolder();
    const out = await tempDir();
    await symlink(foreign.dir, join(out, 'jobs'));
    await expect(exportBatch(base(out))).rejects.toMatchObject({ code: 'OUTPUT_SYMLINK' });
    expect(await foreign.unchanged()).toBe('');
    // A link to nowhere is refused the same way.
    const dangling = await tempDir();
    await symlink(join(foreign.dir, 'missing'), join(dangling, 'jobs'));
    await expect(exportBatch(base(dangling))).rejects.toMatchObject({ code: 'OUTPUT_SYMLINK' });
  });

  it('fails a job whose folder is a link alone, and touches nothing behind it; the rest is exported', async () => {
    const { base } = await simulated();
    const clean = await tempDir();
    await exportBatch(base(clean));
    const files = indexLines(await readTree(clean)).map((line) => line.file);
    const jobPaths = [...new Set(files.map((file) => file.split('/').slice(0, 2).join('/')))];
    expect(jobPaths).toHaveLength(3);

    const foreign = await foreignFolder();
    const out = await tempDir();
    await mkdir(join(out, 'jobs'));
    await symlink(foreign.dir, join(out, jobPaths[1]!));
    const summary = await exportBatch(base(out));
    expect(summary.jobs).toEqual({
      listed: 3,
      exported: 2,
      failed: 1,
      skipped: {},
      without_labels: 0,
      statuses: { completed: 3 },
    });
    expect(summary.failures[0]).toMatchObject({ code: 'OUTPUT_SYMLINK' });
    expect(summary.failures[0]!.message).toContain(`${jobPaths[1]} is a symbolic link`);
    expect(await foreign.unchanged()).toBe('');
  });

  it('replaces planted file links by its own files, never writing through them', async () => {
    const { base } = await simulated();
    const clean = await tempDir();
    await exportBatch(base(clean));
    const cleanTree = await readTree(clean);
    const line = indexLines(cleanTree)[0]!;
    const jobPath = line.file.split('/').slice(0, 2).join('/');

    const foreign = await foreignFolder();
    const out = await tempDir();
    await mkdir(join(out, jobPath), { recursive: true });
    await symlink(join(foreign.dir, 'result.json'), join(out, jobPath, 'result.json'));
    await symlink(join(foreign.dir, 'index.jsonl'), join(out, line.file));
    await symlink(join(foreign.dir, 'index.jsonl'), join(out, 'summary.json'));
    await exportBatch(base(out));
    expect(await foreign.unchanged()).toBe('');
    for (const path of [`${jobPath}/result.json`, line.file, 'summary.json']) {
      expect((await lstat(join(out, path))).isSymbolicLink(), path).toBe(false);
      expect((await readFile(join(out, path))).equals(cleanTree.get(path)!), path).toBe(true);
    }
  });
});

describe('exportBatch into a folder that already holds files', { timeout: 60_000 }, () => {
  it.each([
    ['summary.json', '{"mine": true}', 'is not the summary of an export'],
    ['classes.json', '{"classes": "mine"}', "is not an export's class table"],
    ['index.jsonl', 'my notes\n', "is not an export's index"],
  ])("refuses a %s of the user's (OUTPUT_TAKEN), changing nothing", async (name, text, says) => {
    const { base } = await simulated();
    const out = await tempDir();
    await writeFile(join(out, name), text);
    const error = await exportBatch(base(out)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'OutputPathError', code: 'OUTPUT_TAKEN' });
    expect((error as Error).message).toBe(`${join(out, name)} ${says}: the export would replace it`);
    expect(await readFile(join(out, name), 'utf8')).toBe(text);
    expect(await readdir(out)).toEqual([name]);
  });

  it('refuses an output path that is a file (OUTPUT_NOT_A_FOLDER), leaving it as it was', async () => {
    const { base } = await simulated();
    const file = join(await tempDir(), 'labels');
    await writeFile(file, 'mine');
    await expect(exportBatch(base(file))).rejects.toMatchObject({
      name: 'OutputPathError',
      code: 'OUTPUT_NOT_A_FOLDER',
      message: `${file} is not a folder`,
    });
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it("refuses another batch's export (OUTPUT_TAKEN) before any request, and takes its own again", async () => {
    const { base, simulator } = await simulated();
    const out = await tempDir();
    await exportBatch(base(out));
    const before = await readTree(out);
    const requests = simulator.stats.apiRequests;
    const other = exportBatch({ ...base(out), batchId: 'another-batch' });
    await expect(other).rejects.toMatchObject({
      code: 'OUTPUT_TAKEN',
      message: `${out} holds the export of batch "${simulator.batchId}" of project "${simulator.projectId}" (its summary.json): export batch "another-batch" into another folder`,
    });
    expect(simulator.stats.apiRequests).toBe(requests);
    expect(treeDifference(before, await readTree(out))).toBe('');
    // The same batch again (a resume, a refresh), beside a file of the user's that it leaves alone.
    await writeFile(join(out, 'notes.txt'), 'mine');
    await expect(exportBatch(base(out))).resolves.toMatchObject({ jobs: { listed: 3, failed: 0 } });
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('takes the class table and index a first run left without its summary, and refuses a folder named summary.json', async () => {
    const { base } = await simulated();
    const out = await tempDir();
    await exportBatch(base(out));
    const complete = await readTree(out);
    await rm(join(out, 'summary.json'));
    await exportBatch(base(out));
    expect(treeDifference(complete, await readTree(out))).toBe('');
    const folder = await tempDir();
    await mkdir(join(folder, 'summary.json'));
    await expect(exportBatch(base(folder))).rejects.toMatchObject({
      code: 'OUTPUT_TAKEN',
      message: `${join(folder, 'summary.json')} is not a file: the export writes one there`,
    });
  });
});

async function hostile(options: HostileOptions) {
  const server = await startHostileServer(options);
  const client = { retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 } };
  return { server, ...exportClient(server, { pool, client }) };
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A job with one good mask of `points` labels, served under `private://<id>/mask`. */
function plainJob(id: string, points = 100): { job: HostileOptions['jobs'][number]; files: [string, Reply][] } {
  const url = `private://${id}/mask`;
  return {
    job: { id, result: { body: resultText([{ frameId: '0', sensorId: 'lidar', url }], [{ key: 1, label: 'car' }]) } },
    files: [[url, { body: formatMaskText(Array.from({ length: points }, (_, i) => i % 3)) }]],
  };
}

describe('exportBatch against hostile servers', { timeout: 120_000 }, () => {
  it('fails alone a job whose reference_id nests 10^4 deep; the summary is written, and again on a rerun', async () => {
    const good = plainJob('good');
    // Depth where the result object itself is harmless: it is saved as fetched and only its masks are read.
    const deepResult = (good.job.result.body as string).replace(
      '"annotation_data":{',
      `"annotation_data":{"groups":${nested(10_000)},`,
    );
    const { base } = await hostile({
      jobs: [
        { id: 'deep', referenceIdJson: nested(10_000), result: good.job.result },
        { ...good.job, result: { body: deepResult } },
      ],
      files: new Map(good.files),
    });
    const out = await tempDir();
    for (const run of [1, 2]) {
      const summary = await exportBatch(base(out));
      expect(summary.jobs, `run ${run}`).toEqual({
        listed: 2,
        exported: 1,
        failed: 1,
        skipped: {},
        without_labels: 0,
        statuses: {},
      });
      expect(summary.failures).toEqual([
        {
          job_id: 'deep',
          reference_id: null,
          code: 'INVALID_RESULT',
          message: "the job's reference_id is not a string",
        },
      ]);
      expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    }
  });
});

const MiB = 1024 * 1024;

/** Job id -> failure code. */
function failedCodes(failures: { job_id: unknown; code: string }[]): Record<string, string> {
  return Object.fromEntries(failures.map((failure) => [String(failure.job_id), failure.code]));
}

/** `bomb0`... `bomb<count - 1>` -> `code`. */
function bombs(count: number, code: string): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`bomb${i}`, code]));
}

describe('exportBatch with bodies that inflate', { timeout: 180_000 }, () => {
  it('fails result objects inflating past maxResultBytes (default 64 MiB) alone: RESPONSE_TOO_LARGE', async () => {
    // As in the report: kilobytes of gzip decoding to "0,0,0,..."; here just over the default limit.
    const body = await compressedBomb('gzip', '{"annotation_data":{"masks":[]},"x":[', '0,', 64 * MiB + 2, '0]}');
    expect(body.length).toBeLessThan(MiB);
    const good = plainJob('good');
    const { base } = await hostile({
      jobs: [...[0, 1, 2, 3].map((i) => ({ id: `bomb${i}`, result: { body, encoding: 'gzip' } })), good.job],
      files: new Map(good.files),
    });
    const out = await tempDir();
    const summary = await exportBatch(base(out));
    expect(summary.jobs).toMatchObject({ listed: 5, exported: 1, failed: 4 });
    expect(failedCodes(summary.failures)).toEqual(bombs(4, 'RESPONSE_TOO_LARGE'));
    expect(EXPORT_DEFAULTS.maxResultBytes).toBe(64 * MiB);
    // A smaller limit of one's own applies the same way; a result object that is not an object is BAD_RESULT_OBJECT.
    const small = await hostile({
      jobs: [
        { id: 'large', result: { body: resultText([]).padEnd(4096, ' ') } },
        { id: 'array', result: { body: '[1, 2, 3]' } },
        { id: 'cut', result: { body: '{"annotation_data": {"masks": [' } },
      ],
    });
    const second = await exportBatch({ ...small.base(await tempDir()), maxResultBytes: 4000 });
    expect(failedCodes(second.failures)).toEqual({
      large: 'RESPONSE_TOO_LARGE',
      array: 'BAD_RESULT_OBJECT',
      cut: 'BAD_RESULT_OBJECT',
    });
    // The client's annotationResult reads a result object through the same parse: one fault, one code and class.
    for (const [id, message] of [
      ['array', 'the result object is not a JSON object'],
      ['cut', 'the result object is not JSON'],
    ]) {
      const error = await small.client.annotationResult(small.server.projectId, id!).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ResultObjectError);
      expect(error).toMatchObject({ code: 'BAD_RESULT_OBJECT', message });
      expect(second.failures.find((failure) => failure.job_id === id)?.message).toBe(message);
    }
  });

  it('fails masks inflating past maxMaskBytes (default 64 MiB) as RESPONSE_TOO_LARGE; the rest is exact', async () => {
    // Brotli, as in the report: a few hundred bytes per mask that decode to "0, 0, 0, ...".
    const body = await compressedBomb('br', '[', '0, ', 64 * MiB + 3, '0]');
    expect(body.length).toBeLessThan(64 * 1024);
    const good = plainJob('good', 3000);
    const jobs = [0, 1, 2].map((i) => {
      const url = `private://bomb${i}/mask`;
      return { id: `bomb${i}`, url, result: { body: resultText([{ frameId: '0', sensorId: 'l', url }]) } };
    });
    const { base } = await hostile({
      jobs: [...jobs, good.job],
      files: new Map([...good.files, ...jobs.map(({ url }): [string, Reply] => [url, { body, encoding: 'br' }])]),
    });
    const out = await tempDir();
    const summary = await exportBatch(base(out));
    expect(summary.jobs).toMatchObject({ listed: 4, exported: 1, failed: 3 });
    expect(failedCodes(summary.failures)).toEqual(bombs(3, 'RESPONSE_TOO_LARGE'));
    expect(summary.points).toBe(3000);
    expect(EXPORT_DEFAULTS.maxMaskBytes).toBe(64 * MiB);
  });

  it('holds no more body bytes at once than maxBytesInFlight, plus one piece of work, and still finishes', async () => {
    // 24 masks of about 100 KB (gzip on the wire) with 16 in flight, under a budget of 256 KiB.
    const jobs: HostileOptions['jobs'] = [];
    const files = new Map<string, Reply>();
    const points = 30_000;
    let largest = 0;
    for (let j = 0; j < 6; j++) {
      const masks = [0, 1, 2, 3].map((frame) => ({
        frameId: String(frame),
        sensorId: 'l',
        url: `private://j${j}/${frame}`,
      }));
      jobs.push({ id: `j${j}`, result: { body: resultText(masks, [{ key: 1, label: 'car' }]) } });
      for (const [frame, mask] of masks.entries()) {
        const text = formatMaskText(Array.from({ length: points }, (_, i) => (i * (frame + 1) + j) % 7));
        largest = Math.max(largest, text.length);
        files.set(mask.url, { body: gzipSync(text), encoding: 'gzip' });
      }
    }
    const { base } = await hostile({ jobs, files });
    const budget = 256 * 1024;
    const seen: ExportProgress[] = [];
    const summary = await exportBatch({
      ...base(await tempDir()),
      concurrency: 8,
      maxBytesInFlight: budget,
      onProgress: (progress) => seen.push(progress),
    });
    expect(summary.jobs).toMatchObject({ listed: 6, exported: 6, failed: 0 });
    expect(summary.points).toBe(24 * points);
    const last = seen.at(-1)!;
    // A piece of work holds at most its encoded bytes, its decoded chunks and their joined copy.
    expect(last.peakBytesInFlight).toBeGreaterThanOrEqual(largest);
    expect(last.peakBytesInFlight).toBeLessThanOrEqual(budget + 3 * largest);
    expect(last.bytesInFlight).toBe(0);
    // A budget below any single body still gets through: the oldest piece of work always goes ahead.
    const tiny = await exportBatch({ ...base(await tempDir()), concurrency: 8, maxBytesInFlight: 1 });
    expect(tiny.points).toBe(24 * points);
  });

  it("checks a point cloud's point count from its header before decompressing it (POINT_COUNT_MISMATCH)", async () => {
    // A valid LZF stream that expands to ~1 GiB, gzipped on the wire to a few kilobytes; and the same cut short,
    // which only a reader that looks at the data before the header's point count would notice.
    const pcd = lzfBombPcd();
    const cut = pcd.subarray(0, pcd.indexOf('DATA binary_compressed\n') + 23 + 8 + 1000);
    const body = gzipSync(pcd, { level: 9 });
    expect(body.length).toBeLessThan(64 * 1024);
    const labels = formatMaskText(Array.from({ length: 1500 }, (_, i) => i % 4));
    const jobs = ['bomb', 'cut'].map((id) => {
      const mask = { frameId: '0', sensorId: 'l', url: `private://${id}/mask`, pointCloudUrl: `private://${id}/pcd` };
      return { id, mask, result: { body: resultText([mask]) } };
    });
    const goodMask = { frameId: '0', sensorId: 'l', url: 'private://good/mask', pointCloudUrl: 'private://good/pcd' };
    const good = { id: 'good', mask: goodMask };
    const goodPcd = writePcd(lidarScan(1500), 1500, 'binary_compressed');
    const { base } = await hostile({
      jobs: [...jobs, { ...good, result: { body: resultText([good.mask]) } }],
      files: new Map<string, Reply>([
        ...[...jobs, good].map(({ mask }): [string, Reply] => [mask.url, { body: labels }]),
        ['private://bomb/pcd', { body, encoding: 'gzip' }],
        ['private://cut/pcd', { body: cut }],
        ['private://good/pcd', { body: goodPcd }],
      ]),
    });
    const summary = await exportBatch({ ...base(await tempDir()), withPoints: true });
    expect(failedCodes(summary.failures)).toEqual({ bomb: 'POINT_COUNT_MISMATCH', cut: 'POINT_COUNT_MISMATCH' });
    expect(summary.jobs.exported).toBe(1);
  });

  it.each([
    ['maxBytesInFlight', 0],
    ['maxResultBytes', 1.5],
    ['maxMaskBytes', -1],
    ['maxPointCloudBytes', '1' as unknown as number],
  ] as const)('validates options.%s', async (name, value) => {
    const { base } = await simulated();
    const error = await exportBatch({ ...base(await tempDir()), [name]: value }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(`options.${name} must be an integer >= 1`);
  });
});
