// Export of a whole batch: `playment-masks export` (dist/cli.js) against the vendor's sequential flow
// (vendor-sequential.mjs, a port of its reference script), both as child processes against the same simulator in
// this process, with 20 ms added to every answer. Wall time, speedup, and the child's peak RSS (VmHWM, read at exit
// by rss-probe.mjs) for three batch sizes, to show that memory does not grow with the batch. A whole export takes
// seconds, so each case runs in a few rounds (medians, see SIZES) rather than through benny's sampler.
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
  { jobs: 100, vendor: true, rounds: 5 },
  { jobs: 300, vendor: true, rounds: 3 },
  { jobs: 1000, vendor: false, rounds: 3 },
];
// The machine's speed drifts between levels over seconds, and the CLI (CPU-bound) follows it where the vendor flow
// (bound by its sequential round trips) does not: the runs are spread over rounds of 2 CLI runs and 1 vendor run,
// and the speedup is the median of the rounds' ratios (vendor / CLI median of the round). The smallest batch, whose
// second of CLI time is the most exposed to the drift, gets more rounds.
const CLI_RUNS_PER_ROUND = 2;
const resultsAt = process.argv.indexOf('--results');
const RESULTS_NAME = resultsAt === -1 ? 'export.json' : process.argv[resultsAt + 1];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Every run's output stays until the suite ends: on ext4 without a journal (this machine's disk), each new file skips,
// one by one, the inodes deleted within the last minute (five while their block is dirty), so a run that followed
// the deletion of the previous run's 500 files spent ~60% more system time than one that did not. (Up to 1.5 GB
// of outputs at 1,000 jobs.)
const outputs = mkdtempSync(join(tmpdir(), 'bench-export-'));
let outputCount = 0;
const freshOutput = () => {
  const dir = join(outputs, String(outputCount++));
  mkdirSync(dir);
  return dir;
};

const results = [];
try {
  for (const { jobs, vendor: withVendor, rounds } of SIZES) {
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
      const out = freshOutput();
      const measured = await measureChild([CLI, 'export', ...base, '--out', out], env);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      if (summary.masks !== jobs || summary.failures.length !== 0) throw new Error('incomplete export');
      return measured;
    };
    const vendorOnce = async () => {
      const out = freshOutput();
      const measured = await measureChild(
        [VENDOR, simulator.baseUrl, simulator.projectId, simulator.batchId, out],
        env,
      );
      const written = readdirSync(out).filter((name) => name.endsWith('.bin')).length;
      if (written !== jobs) throw new Error(`the vendor flow wrote ${written} masks of ${jobs}`);
      return measured;
    };
    await exportOnce(); // warm-up: fills the simulator's cache
    const cliRuns = [];
    const vendorRuns = [];
    const ratios = [];
    for (let round = 0; round < rounds; round++) {
      const roundRuns = [];
      for (let run = 0; run < CLI_RUNS_PER_ROUND; run++) roundRuns.push(await exportOnce());
      cliRuns.push(...roundRuns);
      if (!withVendor) continue;
      const vendor = await vendorOnce();
      vendorRuns.push(vendor);
      ratios.push(vendor.wallMs / median(roundRuns.map((r) => r.wallMs)));
    }
    await simulator.close();

    const cli = {
      wallMs: median(cliRuns.map((r) => r.wallMs)),
      peakRssMiB: Math.max(...cliRuns.map((r) => r.peakRssMiB)),
    };
    const vendor = withVendor && {
      wallMs: median(vendorRuns.map((r) => r.wallMs)),
      peakRssMiB: Math.max(...vendorRuns.map((r) => r.peakRssMiB)),
    };
    const row = {
      jobs,
      masks: jobs,
      pointsPerMask: POINTS,
      cli: {
        wallMs: Math.round(cli.wallMs),
        peakRssMiB: Math.round(cli.peakRssMiB),
        runsMs: cliRuns.map((r) => Math.round(r.wallMs)),
      },
      vendorSequential: vendor
        ? {
            wallMs: Math.round(vendor.wallMs),
            peakRssMiB: Math.round(vendor.peakRssMiB),
            runsMs: vendorRuns.map((r) => Math.round(r.wallMs)),
          }
        : undefined,
      speedup: vendor ? Number(median(ratios).toFixed(1)) : undefined,
      speedupRange: vendor ? [Math.min(...ratios), Math.max(...ratios)].map((r) => Number(r.toFixed(1))) : undefined,
    };
    results.push(row);
    console.log(
      `${jobs} jobs x 1 mask x ${POINTS} points, ${LATENCY_MS} ms latency: CLI ${row.cli.wallMs} ms (peak RSS ` +
        `${row.cli.peakRssMiB} MiB)` +
        (vendor
          ? `, vendor flow ${row.vendorSequential.wallMs} ms (${row.vendorSequential.peakRssMiB} MiB): ` +
            `${row.speedup}x (rounds ${row.speedupRange.join('-')}x)`
          : ''),
    );
  }
} finally {
  rmSync(outputs, { recursive: true, force: true });
}

const rss = results.map((row) => row.cli.peakRssMiB);
const compared = results.filter((row) => row.speedup !== undefined);
const report = {
  machine: machine(),
  latencyMs: LATENCY_MS,
  cliRunsPerRound: CLI_RUNS_PER_ROUND,
  results,
  cliPeakRssRangeMiB: [Math.min(...rss), Math.max(...rss)],
  bar: { speedupAtLeast: 10, peakRssBelowMiB: 250 },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', RESULTS_NAME), `${JSON.stringify(report, null, 2)}\n`);
console.log(`CLI peak RSS ${results.map((row) => `${row.cli.peakRssMiB} MiB at ${row.jobs} jobs`).join(', ')}`);
const largest = compared.at(-1);
if (largest.speedup < report.bar.speedupAtLeast || Math.max(...rss) >= report.bar.peakRssBelowMiB) process.exitCode = 1;
