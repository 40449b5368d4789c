// Export of a whole batch: `playment-masks export` (dist/cli.js) against the vendor's sequential flow
// (vendor-sequential.mjs, a port of its reference script), both as child processes against the same simulator in
// this process, with 20 ms added to every answer. Wall time, speedup, and the child's peak RSS (resourceUsage().
// maxRSS, read at exit by rss-probe.mjs) for two batch sizes, to show that memory does not grow with the batch.
// A whole export takes seconds, so each case runs a few times (median) rather than through benny's sampler.
// Results in bench/results/export.json, or the file `--results NAME` names (for a run under another Node.js: the
// children run on the Node.js that runs this file).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { machine, measureChild } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const VENDOR = join(here, 'vendor-sequential.mjs');
const LATENCY_MS = 20;
const POINTS = 100_000;
// The vendor flow takes ~0.12 s per job: it runs on the two smaller batches; the largest shows the CLI's flat memory.
const SIZES = [
  { jobs: 100, vendor: true },
  { jobs: 300, vendor: true },
  { jobs: 1000, vendor: false },
];
// The machine's speed drifts between runs of a second: the median of 5 is steadier than that of 3.
const CLI_ROUNDS = 5;
const resultsAt = process.argv.indexOf('--results');
const RESULTS_NAME = resultsAt === -1 ? 'export.json' : process.argv[resultsAt + 1];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const measure = (args, env) => measureChild(args, env);

const results = [];
for (const { jobs, vendor: withVendor } of SIZES) {
  const simulator = await startSimulator({
    jobs,
    frames: 1,
    points: POINTS,
    pageSize: 100,
    latencyMs: LATENCY_MS,
    // Every generated file stays cached: both flows are served the same way, generation is not timed.
    cacheBytes: 1024 * 1024 * 1024,
  });
  const env = { PLAYMENT_API_KEY: simulator.apiKey };
  const base = ['--base-url', simulator.baseUrl, '--project', simulator.projectId, '--batch', simulator.batchId];
  const exportOnce = async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-export-'));
    const measured = await measure([CLI, 'export', ...base, '--out', out], env);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    if (summary.masks !== jobs || summary.failures.length !== 0) throw new Error('incomplete export');
    rmSync(out, { recursive: true, force: true });
    return measured;
  };
  await exportOnce(); // warm-up: fills the simulator's cache
  const cliRuns = [];
  for (let round = 0; round < CLI_ROUNDS; round++) cliRuns.push(await exportOnce());

  let vendor;
  if (withVendor) {
    const vendorOut = mkdtempSync(join(tmpdir(), 'bench-vendor-'));
    vendor = await measure([VENDOR, simulator.baseUrl, simulator.projectId, simulator.batchId, vendorOut], env);
    const written = readdirSync(vendorOut).filter((name) => name.endsWith('.bin')).length;
    rmSync(vendorOut, { recursive: true, force: true });
    if (written !== jobs) throw new Error(`the vendor flow wrote ${written} masks of ${jobs}`);
  }
  await simulator.close();

  const cli = {
    wallMs: median(cliRuns.map((r) => r.wallMs)),
    peakRssMiB: Math.max(...cliRuns.map((r) => r.peakRssMiB)),
  };
  const row = {
    jobs,
    masks: jobs,
    pointsPerMask: POINTS,
    cli: { wallMs: Math.round(cli.wallMs), peakRssMiB: Math.round(cli.peakRssMiB) },
    vendorSequential: vendor && { wallMs: Math.round(vendor.wallMs), peakRssMiB: Math.round(vendor.peakRssMiB) },
    speedup: vendor && Number((vendor.wallMs / cli.wallMs).toFixed(1)),
  };
  results.push(row);
  console.log(
    `${jobs} jobs x 1 mask x ${POINTS} points, ${LATENCY_MS} ms latency: CLI ${row.cli.wallMs} ms (peak RSS ` +
      `${row.cli.peakRssMiB} MiB)` +
      (vendor
        ? `, vendor flow ${row.vendorSequential.wallMs} ms (${row.vendorSequential.peakRssMiB} MiB): ${row.speedup}x`
        : ''),
  );
}

const rss = results.map((row) => row.cli.peakRssMiB);
const compared = results.filter((row) => row.speedup !== undefined);
const report = {
  machine: machine(),
  latencyMs: LATENCY_MS,
  cliRounds: CLI_ROUNDS,
  results,
  cliPeakRssRangeMiB: [Math.min(...rss), Math.max(...rss)],
  bar: { speedupAtLeast: 10, peakRssBelowMiB: 250 },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', RESULTS_NAME), `${JSON.stringify(report, null, 2)}\n`);
console.log(`CLI peak RSS ${results.map((row) => `${row.cli.peakRssMiB} MiB at ${row.jobs} jobs`).join(', ')}`);
const largest = compared.at(-1);
if (largest.speedup < report.bar.speedupAtLeast || Math.max(...rss) >= report.bar.peakRssBelowMiB) process.exitCode = 1;
