// `report`: frames per second of a report of 300 frames of 100k points (an export of the simulated batch made with
// --with-points: 30 jobs x 10 frames), on every core against one render thread (the baseline, same run). The two
// sides alternate in rounds and the ratio is taken per round (median), since the shared machine's speed drifts.
// Results in bench/results/report.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, exportBatch, MaskDecoderPool, PlaymentClient } from '../dist/index.js';
import { startSimulator } from '../dist/sim.js';

const SHAPE = { jobs: 30, frames: 10, points: 100_000, pageSize: 10, rateLimit: 0 };
const ROUNDS = 5;
const THREADS = availableParallelism();
const exportDir = join(tmpdir(), 'playment-masks-bench-report-export');
const outDir = join(tmpdir(), 'playment-masks-bench-report-out');

/** The export, made once and kept between runs (an interrupted one resumes: complete jobs are kept). */
async function ensureExport() {
  const summaryPath = join(exportDir, 'summary.json');
  if (existsSync(summaryPath) && JSON.parse(readFileSync(summaryPath, 'utf8')).masks === SHAPE.jobs * SHAPE.frames)
    return;
  const simulator = await startSimulator(SHAPE);
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const pool = new MaskDecoderPool();
  try {
    const base = { client, projectId: simulator.projectId, batchId: simulator.batchId, pool };
    await exportBatch({ ...base, outDir: exportDir, withPoints: true, instances: true });
  } finally {
    await Promise.all([client.close(), pool.close()]);
    await simulator.close();
  }
}

await ensureExport();
const frames = SHAPE.jobs * SHAPE.frames;
const sides = [
  { name: `${THREADS} render threads`, threads: THREADS },
  { name: '1 render thread', threads: 1 },
];
const samples = sides.map(() => []);
const loadStart = loadavg()[0];
for (let round = 0; round <= ROUNDS; round++) {
  for (const [i, side] of sides.entries()) {
    const start = performance.now();
    const outcome = await buildReport({ from: exportDir, out: outDir, threads: side.threads });
    const ms = performance.now() - start;
    if (outcome.frames !== frames || outcome.images !== frames) throw new Error('the report missed frames');
    if (round > 0) samples[i].push(ms); // round 0 warms up (and fills the page cache)
    console.log(`round ${round} ${side.name}: ${ms.toFixed(0)} ms, ${((frames * 1000) / ms).toFixed(1)} frames/s`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ratios = samples[1].map((oneThread, round) => oneThread / samples[0][round]);
const result = {
  suite: 'report',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: THREADS, node: process.version },
  // The machine is shared: its load during the run says how much of the two cores the report could have.
  loadAverage1m: { start: loadStart, end: loadavg()[0] },
  export: { ...SHAPE, masks: frames, format: 'npy', withPoints: true, instances: true },
  view: '640 x 640 px at 0.1 m/px, indexed PNG (zlib, run-length strategy)',
  sides: sides.map((side, i) => ({
    ...side,
    medianMs: median(samples[i]),
    bestMs: Math.min(...samples[i]),
    framesPerSecond: (frames * 1000) / median(samples[i]),
  })),
  speedupVsOneThreadMedian: median(ratios),
  rounds: ROUNDS,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/report.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
