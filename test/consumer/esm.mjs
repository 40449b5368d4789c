// A user's ES module, run in a fresh project where the packed tarball is installed: decoding, typed errors, a worker
// pool, the client against the simulator, and one set of classes and one compiled core shared with require().
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as library from 'playment-masks';
import {
  decodeMask,
  exportBatch,
  MaskDecoderPool,
  MaskParseError,
  masksOf,
  PlaymentClient,
  PlaymentMasksError,
} from 'playment-masks';
import { startSimulator } from 'playment-masks/sim';
import checkBasics from './basics.cjs';

await checkBasics(library);

const sim = await startSimulator({ jobs: 2, frames: 2, points: 500 });
const client = new PlaymentClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
const expected = [...sim.dataset.expectedMasks()];
let masks = 0;
for await (const job of client.batchJobs(sim.projectId, sim.batchId)) {
  for (const ref of masksOf(await client.annotationResult(sim.projectId, job.id))) {
    const want = expected.find((one) => one.jobId === job.id && one.frameId === ref.frameId);
    assert.ok(want, `an expected mask for job ${job.id} frame ${ref.frameId}`);
    const { labels } = decodeMask(await client.attachment(ref.labelUrl));
    assert.deepEqual(labels, sim.dataset.maskLabels(want.jobIndex, want.frame, want.sensor));
    masks++;
  }
}
assert.equal(masks, expected.length);
// exportBatch() loads the export's modules on its first call, from the installed package's own files.
const out = await mkdtemp(join(tmpdir(), 'consumer-export-'));
const summary = await exportBatch({ client, projectId: sim.projectId, batchId: sim.batchId, outDir: out });
assert.equal(summary.jobs.exported, 2);
assert.equal(summary.masks, expected.length);
assert.ok((await readdir(out)).includes('summary.json'));
await rm(out, { recursive: true });
await client.close();
await sim.close();

// The same package through require(): the same classes, the same compiled WebAssembly module.
const required = createRequire(import.meta.url)('playment-masks');
assert.equal(required.MaskParseError, MaskParseError);
assert.throws(() => required.decodeMask('[x]'), MaskParseError);
assert.throws(() => required.decodeMask('[x]'), PlaymentMasksError);
const [core] = Object.values(MaskDecoderPool.workerData());
assert.ok(core instanceof WebAssembly.Module);
assert.equal(Object.values(required.MaskDecoderPool.workerData())[0], core);

console.log(`esm.mjs on Node ${process.version}: ok (${masks} masks from the simulator)`);
