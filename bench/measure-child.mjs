// Runs `node --import rss-probe.mjs args...` and resolves to its exit code, wall milliseconds, peak RSS in MiB
// (VmHWM, see rss-probe.mjs), CPU milliseconds (user + system, all threads) and stderr; and the machine they ran on. Shared by the suites that measure a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

/** `okCodes`: the exit codes that count as a run (others reject, with the child's stderr). */
export function measureChild(args, env, okCodes = [0]) {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const rssFile = join(scratch, 'rss');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, ...args], {
      env: { ...process.env, ...env, RSS_PROBE_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      if (!okCodes.includes(code)) return reject(new Error(`${args[0]} exited ${code}: ${stderr}`));
      const [peakKiB, cpuMs] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code, wallMs, peakRssMiB: peakKiB / 1024, cpuMs, stderr });
    });
  });
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The machine, for a results file. */
export function machine() {
  return {
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: loadavg()[0],
  };
}

/** `cli export` of the simulator's batch into `out`, the key in the environment; stderr piped, stdout ignored. */
export function spawnExport(cli, simulator, out) {
  const args = [cli, 'export', '--base-url', simulator.baseUrl, '--project', simulator.projectId];
  args.push('--batch', simulator.batchId, '--out', out);
  return spawn(process.execPath, args, {
    env: { ...process.env, PLAYMENT_API_KEY: simulator.apiKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * `cli export` of the simulator's batch into a fresh temporary folder: resolves to the summary.json it wrote and the
 * wall milliseconds; rejects if it exits with another code than 0, with the end of its stderr. The folder is removed
 * after the run, or, with `keepIn`, made in that folder and left for the caller to remove (see export.bench.mjs: on
 * ext4 without a journal, files created soon after many deletions cost more). `okCodes`: the exit codes that count as
 * a run (1: some jobs failed).
 */
export function exportWithCli(cli, simulator, keepIn, okCodes = [0]) {
  const out = mkdtempSync(join(keepIn ?? tmpdir(), 'bench-export-'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawnExport(cli, simulator, out);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const summary = okCodes.includes(code) ? JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) : undefined;
      if (keepIn === undefined) rmSync(out, { recursive: true, force: true });
      if (summary) resolve({ summary, wallMs });
      else reject(new Error(`export exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}
