// `simulate` serves a simulated batch until Ctrl-C; `demo` exports one, offline.
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PlaymentClient } from '../api/index.js';
import type { Simulator } from '../sim/index.js';
import type { DemoCommand, SimulateCommand } from './args.js';
import { selfCommand, shellQuote } from './invocation.js';
import { CliFailure, EXIT, type Io } from './io.js';
import { isSystemError } from '../errors.js';
import { formatBytes } from './progress.js';
import { exportWithProgress, failuresReport, summaryLines, type Outcome } from './run-export.js';
import { API_KEY_VARIABLE } from './spec.js';

// Loaded by the two commands that run it, so that every other command starts without the simulator's code (~8 ms).
function loadSimulator(): Promise<typeof import('../sim/index.js')> {
  return import('../sim/index.js');
}

export async function runSimulate(command: SimulateCommand, io: Io): Promise<number> {
  const { startSimulator } = await loadSimulator();
  const simulator = await startSimulator(command.options).catch((error: unknown) => {
    if (isSystemError(error) && error.code === 'EADDRINUSE') {
      throw new CliFailure(
        `simulate: --port ${command.options.port} is in use: choose another, or --port 0 for a free one`,
      );
    }
    throw error;
  });
  const exportLine = [
    `${API_KEY_VARIABLE}=${shellQuote(simulator.apiKey)}`,
    selfCommand({ script: io.script, env: io.env, cwd: io.cwd }),
    'export',
    `--base-url ${shellQuote(simulator.baseUrl)}`,
    `--project ${shellQuote(simulator.projectId)}`,
    `--batch ${shellQuote(simulator.batchId)}`,
    '--out ./export',
  ].join(' ');
  io.stdout.write(
    `Simulated Playment API at ${simulator.baseUrl}\n${describeBatch(simulator)}` +
      `  API key: ${simulator.apiKey}\n` +
      `Try: ${exportLine}\n` +
      'Ctrl-C to stop.\n',
  );
  await new Promise((done) => io.interrupted.addEventListener('abort', done, { once: true }));
  await simulator.close();
  return EXIT.ok;
}

function describeBatch(simulator: Simulator): string {
  const { dataset, faults } = simulator;
  const sensors = dataset.sensors > 1 ? ` x ${dataset.sensors} sensors` : '';
  let text =
    `  project ${dataset.projectId}, batch ${dataset.batchId}: ` +
    `${dataset.jobs.length} jobs x ${dataset.frames} frames${sensors} x ${dataset.points} points, ` +
    `${dataset.pageCount} page(s)\n`;
  if (faults.rate > 0) text += `  faults: ${faults.rate * 100}% of requests\n`;
  if (simulator.rateLimit > 0) {
    text += `  rate limit: ${simulator.rateLimit} requests/s per key (429 with Retry-After beyond it)\n`;
  }
  return text;
}

export async function runDemo(command: DemoCommand, io: Io): Promise<number> {
  const { startSimulator } = await loadSimulator();
  const { out, keep, format, withPoints, ...simulated } = command.options;
  const simulator = await startSimulator({ ...simulated, port: 0 });
  const temporary = out === undefined;
  const outDir =
    out === undefined ? await mkdtemp(join(temporaryRoot(io.env), 'playment-masks-demo-')) : resolve(io.cwd, out);
  io.stdout.write(`Demo: a simulated batch at ${simulator.baseUrl}\n${describeBatch(simulator)}`);
  if (simulator.rateLimit > 0) {
    io.stdout.write(
      '  (its own: the vendor publishes no figure): that limit, not the download or the decoding, bounds how fast\n' +
        '  the batch exports. The client finds it by itself, probing past it now and then (those requests are\n' +
        '  refused, counted as throttled, and sent again)\n',
    );
  }
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  let outcome: Outcome | undefined;
  try {
    outcome = await exportWithProgress(io, command.output, {
      client,
      projectId: simulator.projectId,
      batchId: simulator.batchId,
      outDir,
      format,
      withPoints,
    });
    io.stdout.write(summaryLines(outcome));
  } finally {
    await client.close();
    await simulator.close();
    // A temporary folder is gone after the run unless asked for (a demo run each day must not fill the disk), or
    // unless the failures listed below point into it.
    const size = formatBytes(await folderSize(outDir));
    const failed = outcome !== undefined && outcome.summary.failures.length > 0;
    if (!temporary) io.stdout.write(`Output: ${outDir} (${size}: index.jsonl, summary.json)\n`);
    else if (keep || failed) {
      const why = keep ? '' : ' for its summary.json of the failures';
      io.stdout.write(`Output: ${outDir} (${size}), kept${why}: remove it when done\n`);
    } else {
      await rm(outDir, { recursive: true, force: true });
      io.stdout.write(`Output: removed ${outDir} (${size}); --keep or --out DIR keeps it\n`);
    }
  }
  return failuresReport(outcome.summary, io.stdout, 'none');
}

/** Where temporary folders go: $TMPDIR of the environment given, else the system's. */
function temporaryRoot(env: Io['env']): string {
  return env.TMPDIR || tmpdir();
}

/** Bytes of the files under `dir` (0 when it does not exist). */
async function folderSize(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await folderSize(path) : (await lstat(path)).size;
  }
  return total;
}
