// `playment-masks dataset nuscenes` and `dataset parquet` (dist/cli.js, child processes) on an export of 300 frames of
// 100,000 points (kitti, --with-points --instances), against a plain copy of the same bytes (a child that reads and
// writes every label and points file of the export, as the targets read them). Rounds interleave copy and target, and
// the ratio (target / copy) is taken per round, then the median: the shared machine's speed drifts over seconds.
// Peak RSS (VmHWM, rss-probe.mjs) of each target at two export sizes, in the same rounds, shows whether memory grows
// with the export (the ratio of the two per round, then the median).
// CPU time (user + system, all threads) of each run too. The nuScenes tree's panoptic files are then compared with zlib
// levels 1 and 6 of the same .npy bytes.
// The targets run with their default threads (one per CPU, at most 4). Results in bench/results/dataset.json.
// COLD=1 (root only: it drops the page cache) measures against the disk instead of the page cache: before every run
// the page cache is flushed and dropped, so the export is read from the disk, and every run's time includes a `sync`
// of what it wrote. Results in bench/results/dataset-cold.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../dist/index.js';
import { startSimulator } from '../dist/sim.js';
import { machine, measureChild, median } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const POINTS = 100_000;
const FRAMES_PER_JOB = 4;
const SIZES = [60, 300]; // frames
const ROUNDS = Number(process.env.ROUNDS ?? 5); // ROUNDS, as the other benches; fewer for a quick look on a busy machine
// TARGETS=nuscenes (or parquet) runs one target only.
const TARGETS = process.env.TARGETS?.split(',') ?? ['nuscenes', 'parquet'];
const COLD = process.env.COLD === '1';

/** Writes dirty pages to the disk and, when `drop`, empties the page cache (root only). Returns the time taken. */
function flushPageCache(drop) {
  const start = performance.now();
  execFileSync('sync');
  if (drop) writeFileSync('/proc/sys/vm/drop_caches', '3');
  return performance.now() - start;
}

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

/**
 * The DEFLATE streams of the tree's panoptic .npz files, per frame (mean), against zlib level 1 and level 6 (the
 * default) of the same .npy bytes, and the .npy bytes.
 */
function panopticSizes(folder) {
  const sum = { npy: 0, written: 0, zlibLevel1: 0, zlibLevel6: 0 };
  const files = readdirSync(folder);
  for (const name of files) {
    const zip = readFileSync(join(folder, name));
    // The local header (30 bytes, then the name and the extra field) holds the compressed size at offset 18.
    const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    const stream = zip.subarray(start, start + zip.readUInt32LE(18));
    const npy = inflateRawSync(stream);
    sum.npy += npy.length;
    sum.written += stream.length;
    sum.zlibLevel1 += deflateRawSync(npy, { level: 1 }).length;
    sum.zlibLevel6 += deflateRawSync(npy).length;
  }
  return Object.fromEntries(Object.entries(sum).map(([key, bytes]) => [key, Math.round(bytes / files.length)]));
}

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

async function run(side, from, scratch, keep = false) {
  const out = join(scratch, `out-${side}`);
  rmSync(out, { recursive: true, force: true });
  const args = side === 'copy' ? ['-e', COPY, from, out] : [CLI, 'dataset', side, '--from', from, '--out', out];
  if (COLD) flushPageCache(true);
  const result = await measureChild(args, {});
  // Until its files are on the disk, a run's writes are in memory only.
  const syncMs = COLD ? flushPageCache(false) : 0;
  if (!keep) rmSync(out, { recursive: true, force: true });
  return { wallMs: result.wallMs + syncMs, peakRssMiB: result.peakRssMiB, cpuMs: result.cpuMs };
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-dataset-'));
const results = {
  machine: machine(),
  date: new Date().toISOString(),
  points: POINTS,
  rounds: ROUNDS,
  sizes: SIZES,
  pageCache: COLD ? 'dropped before every run; writes synced' : 'warm',
};
try {
  const exports = {};
  for (const frames of SIZES) exports[frames] = await makeExport(frames, scratch);
  const [small, large] = SIZES;
  // Each round: the copy and the target on the large export (the time ratio), and the target on the small one (peak
  // memory at two sizes, measured in the same round so that both see the same load).
  const runs = { copy: [], nuscenes: { [small]: [], [large]: [] }, parquet: { [small]: [], [large]: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of TARGETS) {
      const copy = await run('copy', exports[large], scratch);
      runs.copy.push(copy);
      runs[target][large].push(await run(target, exports[large], scratch));
      runs[target][small].push(await run(target, exports[small], scratch));
    }
  }
  results.copy = {
    medianWallMs: Math.round(median(runs.copy.map((r) => r.wallMs))),
    medianPeakRssMiB: Math.round(median(runs.copy.map((r) => r.peakRssMiB))),
    medianCpuMs: Math.round(median(runs.copy.map((r) => r.cpuMs))),
  };
  for (const target of TARGETS) {
    const copies = runs.copy.filter((_, i) => i % TARGETS.length === TARGETS.indexOf(target));
    const ratios = runs[target][large].map((r, i) => r.wallMs / copies[i].wallMs);
    const growth = runs[target][large].map((r, i) => r.peakRssMiB / runs[target][small][i].peakRssMiB);
    results[target] = {
      medianWallMs: Math.round(median(runs[target][large].map((r) => r.wallMs))),
      medianRatioToCopy: Number(median(ratios).toFixed(2)),
      medianCpuMs: Math.round(median(runs[target][large].map((r) => r.cpuMs))),
      ratios: ratios.map((ratio) => Number(ratio.toFixed(2))),
      medianPeakRssMiB: Object.fromEntries(
        SIZES.map((frames) => [frames, Math.round(median(runs[target][frames].map((r) => r.peakRssMiB)))]),
      ),
      medianPeakGrowth: Number(median(growth).toFixed(3)),
    };
    console.log(target, JSON.stringify(results[target]));
  }
  if (TARGETS.includes('nuscenes')) {
    await run('nuscenes', exports[small], scratch, true);
    results.nuscenes.panopticBytes = panopticSizes(join(scratch, 'out-nuscenes', 'panoptic', 'v1.0-playment'));
    console.log('panoptic .npz DEFLATE bytes per frame', JSON.stringify(results.nuscenes.panopticBytes));
  }
  console.log('copy', JSON.stringify(results.copy));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
results.loadAverageAfter = loadavg()[0];
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', COLD ? 'dataset-cold.json' : 'dataset.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(JSON.stringify(results.machine), 'load after', results.loadAverageAfter);
