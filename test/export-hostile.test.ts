// exportBatch against hostile folders and hostile servers: planted links, bombs, oversized and malformed results.
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportBatch, MaskDecoderPool, PlaymentClient, type ExportOptions } from '../dist/index.js';
import { formatMaskText, startSimulator, type Simulator } from '../dist/sim.js';
import { indexLines, readTree, removeTempDirs, tempDir, treeDifference } from './export-support.js';
import { resultText, startHostileServer, type HostileOptions, type Reply } from './hostile-server.js';

const pool = new MaskDecoderPool({ threads: 2 });
const closing: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});
afterAll(async () => {
  await pool.close();
  await removeTempDirs();
});

/** The export options for a batch of `server`, given the output folder. */
function optionsFor(client: PlaymentClient, server: { projectId: string; batchId: string }) {
  const { projectId, batchId } = server;
  return (outDir: string): ExportOptions => ({ client, projectId, batchId, outDir, pool });
}

async function simulated(): Promise<{ simulator: Simulator; base: (outDir: string) => ExportOptions }> {
  const simulator = await startSimulator({ jobs: 3, frames: 2, sensors: 1, points: 500, pageSize: 2 });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  closing.push(client, simulator);
  return { simulator, base: optionsFor(client, simulator) };
}

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

  it("fails a job whose folder is a link alone, and touches nothing behind it; the rest is exported", async () => {
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
    expect(summary.jobs).toEqual({ listed: 3, exported: 2, failed: 1, skipped: {} });
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

type ClientOptions = ConstructorParameters<typeof PlaymentClient>[0];

async function hostile(options: HostileOptions, clientOptions: Partial<ClientOptions> = {}) {
  const server = await startHostileServer(options);
  const client = new PlaymentClient({
    apiKey: server.apiKey,
    baseUrl: server.baseUrl,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 5 },
    ...clientOptions,
  });
  closing.push(client, server);
  return { server, base: optionsFor(client, server) };
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
      expect(summary.jobs, `run ${run}`).toEqual({ listed: 2, exported: 1, failed: 1, skipped: {} });
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
