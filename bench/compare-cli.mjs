// Two builds of the CLI on one unlimited batch, interleaved: `node bench/compare-cli.mjs OLD/dist/cli.js dist/cli.js
// [jobs] [rounds]`. Each round exports the batch once with each (the order alternating between rounds), against the
// simulator of this build with 20 ms added to every answer, as bench/export.bench.mjs does; the ratio is taken per
// round, so a machine whose speed drifts touches both sides alike. Not part of `npm run bench` (it needs a second
// build); results in bench/results/compare-cli-JOBS.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../dist/sim.js';
import { machine } from './measure-child.mjs';

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

function exportWith(cli) {
  const out = mkdtempSync(join(tmpdir(), 'bench-compare-'));
  const args = [cli, 'export', '--base-url', simulator.baseUrl, '--project', simulator.projectId];
  args.push('--batch', simulator.batchId, '--out', out);
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, PLAYMENT_API_KEY: simulator.apiKey },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const summary = code === 0 ? JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) : undefined;
      rmSync(out, { recursive: true, force: true });
      if (!summary) reject(new Error(`export exited ${code}: ${stderr.slice(-2000)}`));
      else if (summary.masks !== jobs) reject(new Error('incomplete export'));
      else resolveRun(wallMs);
    });
  });
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
const ratios = results.map((result) => result.ratio).sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)];
console.log(`${jobs} jobs: candidate / baseline, median of ${rounds} rounds: ${median.toFixed(3)}`);
mkdirSync(join(here, 'results'), { recursive: true });
const report = { machine: machine(), jobs, sides, rounds: results, medianRatio: Number(median.toFixed(3)) };
writeFileSync(join(here, `results/compare-cli-${jobs}.json`), `${JSON.stringify(report, null, 2)}\n`);
