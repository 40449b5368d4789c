// Ids no URL can carry as one path segment: `.` and `..` (dot segments, which RFC 3986 / WHATWG servers resolve even
// percent-encoded) and ids with a lone surrogate (no UTF-8 form). Refused with a typed error before any request.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportBatch, InvalidArgumentError, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { startSimulator } from '../src/sim/index.js';
import { json, serve, type Origin } from './hostile-support.js';
import { indexLines, readTree, removeTempDirs, tempDir } from './export-support.js';

const closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});
afterAll(removeTempDirs);

const KEY = 'key-for-the-dot-segment-server';
const FAST_RETRY = { retries: 1, minDelayMs: 1, maxDelayMs: 1 };

/** An API that routes by the WHATWG-resolved path, as many frameworks do: `/jobs/%2E%2E` is `/v1/projects/P/`. */
async function resolvingServer(): Promise<{ api: Origin; resolved: string[] }> {
  const resolved: string[] = [];
  const api = await serve('127.0.0.1', (req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    resolved.push(path);
    const job = /^\/v1\/projects\/P\/jobs\/([^/]+)$/.exec(path);
    if (job) return json(res, 200, { success: true, data: { job_id: decodeURIComponent(job[1]!), status: 'done' } });
    // Anything else the key can reach: the project itself, its listing...
    json(res, 200, { success: true, data: { project: 'P', secrets: 'all of them' } });
  });
  closing.push(api);
  return { api, resolved };
}

describe('dot-segment ids', () => {
  it('sent as %2E they reach another endpoint of a resolving server (the flaw), so they are refused', async () => {
    const { api, resolved } = await resolvingServer();
    // The flaw itself, shown with the encoding the client used to send.
    await fetch(`${api.url}/v1/projects/P/jobs/%2E%2E`);
    expect(resolved).toEqual(['/v1/projects/P/']);
    resolved.length = 0;

    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST_RETRY });
    closing.push(client);
    for (const id of ['.', '..']) {
      const error = await client.jobResult('P', id).then(
        () => expect.unreachable(`job ${id} should be refused`),
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: 'INVALID_ID' });
      expect((error as Error).message).toMatch(/dot segment/);
    }
    for (const id of ['.', '..']) {
      await expect(client.batchJobs(id, 'b').next()).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(client.batchJobs('P', id).next()).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(client.annotationResult(id, 'j')).rejects.toMatchObject({ code: 'INVALID_ID' });
    }
    expect(resolved).toEqual([]);
    // Ids that only look like dots stay in their segment.
    for (const id of ['...', '.a', '%2e%2e', '..%2f', '. .']) {
      expect((await client.jobResult('P', id)).job_id).toBe(id);
    }
    expect(resolved.every((path) => path.startsWith('/v1/projects/P/jobs/'))).toBe(true);
  });

  it('lone-surrogate ids fail as INVALID_ID, not as a bare URIError', async () => {
    const { api, resolved } = await resolvingServer();
    const client = new PlaymentClient({ apiKey: KEY, baseUrl: api.url, retry: FAST_RETRY });
    closing.push(client);
    for (const id of ['\ud800', 'a\udfffb', '\udc00\ud800']) {
      const error = await client.jobResult('P', id).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: 'INVALID_ID' });
      await expect(client.batchJobs(id, 'b').next()).rejects.toMatchObject({ code: 'INVALID_ID' });
    }
    // A well-formed pair is fine.
    expect((await client.jobResult('P', 'a\ud83d\ude00')).job_id).toBe('a\ud83d\ude00');
    expect(resolved).toHaveLength(1);
  });

  it('in an export, such a job fails alone with INVALID_ID and the rest of the batch is exported', async () => {
    const jobIds = ['..', 'good-1', '.', '\ud800lone', 'good-2'];
    const simulator = await startSimulator({ jobIds, frames: 1, sensors: 1, points: 20, pageSize: 2 });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl, retry: FAST_RETRY });
    const pool = new MaskDecoderPool({ threads: 1 });
    closing.push(client, simulator, pool);
    const out = await tempDir();
    const summary = await exportBatch({
      client,
      pool,
      projectId: simulator.projectId,
      batchId: simulator.batchId,
      outDir: out,
    });
    expect(summary.jobs).toMatchObject({ listed: 5, exported: 2, failed: 3 });
    expect(summary.failures.map((failure) => [failure.job_id, failure.code])).toEqual([
      ['.', 'INVALID_ID'],
      ['..', 'INVALID_ID'],
      ['\ud800lone', 'INVALID_ID'],
    ]);
    const lines = indexLines(await readTree(out));
    expect(lines.map((line) => line.job_id)).toEqual(['good-1', 'good-2']);
    // The simulator saw no request for them.
    expect(simulator.stats.routes.unknown ?? 0).toBe(0);
  });
});
