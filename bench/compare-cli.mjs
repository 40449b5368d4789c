import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { exportWithCli, machine } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const [baseline, candidate, jobsArg = '100', roundsArg = '7'] = process.argv.slice(2);
if (!baseline || !candidate) throw new Error('usage: compare-cli.mjs BASELINE_CLI CANDIDATE_CLI [jobs] [rounds]');
const sides = { baseline: resolve(baseline), candidate: resolve(candidate) };
const jobs = Number(jobsArg);
const rounds = Number(roundsArg);

const simulator = await startSimulator({
  jobs,
  frames: 1,
  points: 100_000,
  pageSize: 100,
  latencyMs: 20,
  cacheBytes: 1024 * 1024 * 1024,
});
simulator.preload();

// The runs' outputs stay until the end, as in export.bench.mjs: deleting one run's files before the next makes the
// next one's file creations slower, and more so for the side that creates more files.
const outputs = mkdtempSync(join(tmpdir(), 'compare-cli-'));
async function exportWith(cli) {
  const { summary, wallMs } = await exportWithCli(cli, simulator, outputs);
  if (summary.masks !== jobs) throw new Error('incomplete export');
  return wallMs;
}

// Warm-up: both read the CLI from disk and the simulator fills its cache.
for (const cli of Object.values(sides)) await exportWith(cli);
const results = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['candidate', 'baseline'] : ['baseline', 'candidate'];
  const wallMs = {};
  for (const side of order) wallMs[side] = await exportWith(sides[side]);
  const ratio = wallMs.candidate / wallMs.baseline;
  results.push({ baselineMs: Math.round(wallMs.baseline), candidateMs: Math.round(wallMs.candidate), ratio });
  console.log(
    `round ${round}: baseline ${results.at(-1).baselineMs} ms, candidate ${results.at(-1).candidateMs} ms, ${ratio.toFixed(3)}`,
  );
}
await simulator.close();
rmSync(outputs, { recursive: true, force: true });
const ratios = results.map((result) => result.ratio).sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)];
console.log(`${jobs} jobs: candidate / baseline, median of ${rounds} rounds: ${median.toFixed(3)}`);
mkdirSync(join(here, 'results'), { recursive: true });
// Each side as the commit its build came from (and whether tracked files other than the benchmarks' results differed
// from it), not as a path on this machine.
function buildOf(cli) {
  const git = (...args) => spawnSync('git', ['-C', dirname(cli), ...args], { encoding: 'utf8' });
  const commit = git('rev-parse', 'HEAD').stdout.trim();
  if (commit === '') return { commit: null };
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', ':/', ':(top,exclude)bench/results');
  return { commit, modified: changed.stdout.trim() !== '' };
}
const builds = { baseline: buildOf(sides.baseline), candidate: buildOf(sides.candidate) };
const report = { machine: machine(), jobs, builds, rounds: results, medianRatio: Number(median.toFixed(3)) };
writeFileSync(join(here, `results/compare-cli-${jobs}.json`), `${JSON.stringify(report, null, 2)}\n`);
