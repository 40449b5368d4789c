// `playment-masks dataset nuscenes` and `dataset parquet` (dist/cli.js, child processes) on an export of 300 frames of
// 100,000 points (kitti, --with-points --instances), against a plain copy of the same bytes (a child that reads and
// writes every label and points file of the export, as the targets read them). Rounds interleave copy and target, and
// the ratio (target / copy) is taken per round, then the median: the shared machine's speed drifts over seconds.
// Peak RSS (VmHWM, rss-probe.mjs) of each target at two export sizes shows whether memory grows with the export.
// Results in bench/results/dataset.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../dist/index.js';
import { startSimulator } from '../dist/sim.js';
import { machine, measureChild } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const POINTS = 100_000;
const FRAMES_PER_JOB = 4;
const SIZES = [60, 300]; // frames
const ROUNDS = 3;
const TARGETS = ['nuscenes', 'parquet'];

// The baseline: every file the targets read (labels, points), read whole and written to a new folder.
const COPY = `
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');
const [from, out] = process.argv.slice(1);
for (const line of readFileSync(join(from, 'index.jsonl'), 'utf8').split('\\n').filter(Boolean)) {
  const { file, points_file } = JSON.parse(line);
  for (const name of [file, points_file]) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), readFileSync(join(from, name)));
  }
}
`;

async function makeExport(frames, scratch) {
  const simulator = await startSimulator({ jobs: frames / FRAMES_PER_JOB, frames: FRAMES_PER_JOB, points: POINTS });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const pool = new MaskDecoderPool({ threads: 2 });
  const out = join(scratch, `export-${frames}`);
  try {
    const options = { client, projectId: simulator.projectId, batchId: simulator.batchId, outDir: out, pool };
    await exportBatch({ ...options, format: 'kitti', withPoints: true, instances: true });
  } finally {
    await pool.close();
    await client.close();
    await simulator.close();
  }
  return out;
}

async function run(side, from, scratch) {
  const out = join(scratch, `out-${side}`);
  rmSync(out, { recursive: true, force: true });
  const args = side === 'copy' ? ['-e', COPY, from, out] : [CLI, 'dataset', side, '--from', from, '--out', out];
  const result = await measureChild(args, {});
  rmSync(out, { recursive: true, force: true });
  return { wallMs: result.wallMs, peakRssMiB: result.peakRssMiB };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const scratch = mkdtempSync(join(tmpdir(), 'bench-dataset-'));
const results = { machine: machine(), date: new Date().toISOString(), points: POINTS, sizes: {} };
try {
  for (const frames of SIZES) {
    const from = await makeExport(frames, scratch);
    const runs = { copy: [], nuscenes: [], parquet: [] };
    const ratios = { nuscenes: [], parquet: [] };
    const rounds = frames === SIZES.at(-1) ? ROUNDS : 1;
    for (let round = 0; round < rounds; round++) {
      for (const target of TARGETS) {
        const copy = await run('copy', from, scratch);
        const built = await run(target, from, scratch);
        runs.copy.push(copy);
        runs[target].push(built);
        ratios[target].push(built.wallMs / copy.wallMs);
      }
    }
    const summary = {};
    for (const side of ['copy', ...TARGETS]) {
      summary[side] = {
        medianWallMs: Math.round(median(runs[side].map((r) => r.wallMs))),
        maxPeakRssMiB: Math.round(Math.max(...runs[side].map((r) => r.peakRssMiB))),
      };
      if (side !== 'copy') summary[side].medianRatioToCopy = Number(median(ratios[side]).toFixed(2));
    }
    results.sizes[frames] = { rounds, ...summary, ratios };
    console.log(frames, 'frames', JSON.stringify(summary));
    rmSync(from, { recursive: true, force: true });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'dataset.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results.machine));
