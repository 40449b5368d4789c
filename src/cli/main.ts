#!/usr/bin/env node
// The playment-masks command. Everything above `main()` returns an exit code; only the last lines exit.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PlaymentClient } from '../api/index.js';
import { scrub } from '../api/errors.js';
import { InvalidArgumentError } from '../errors.js';
import { writeFileAtomic } from '../export/files.js';
import { encodeLabels } from '../export/formats.js';
import type { ExportSummary } from '../export/records.js';
import { exportBatch } from '../export/pipeline.js';
import type { ExportProgress } from '../export/progress.js';
import { decodeMask } from '../decode/mask.js';
import { startSimulator } from '../sim/index.js';
import {
  HELP,
  parseArgs,
  UsageError,
  type DecodeCommand,
  type DemoCommand,
  type ExportCommand,
  type SimulateCommand,
} from './args.js';
import { formatBytes, formatDuration, ProgressView, type ProgressStream } from './progress.js';

const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, interrupted: 130 });

interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks to stop (Ctrl-C). */
  interrupted: AbortSignal;
}

const VERSION = '0.1.0';
const API_KEY_VARIABLE = 'PLAYMENT_API_KEY';
// Several pages even for a small demo batch.
const DEMO_PAGE_SIZE = 10;

async function main(argv: readonly string[], io: Io): Promise<number> {
  let secret = '';
  try {
    const command = parseArgs(argv);
    switch (command.command) {
      case 'help':
        io.stdout.write(`${HELP[command.topic ?? 'main']}\n`);
        return EXIT.ok;
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return EXIT.ok;
      case 'export':
        secret = io.env[API_KEY_VARIABLE] ?? '';
        return await runExport(command, secret, io);
      case 'decode':
        return await runDecode(command, io);
      case 'simulate':
        return await runSimulate(command, io);
      case 'demo':
        return await runDemo(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidArgumentError) {
      io.stderr.write(`playment-masks: ${scrub(error.message, secret)}\n`);
      if (error instanceof UsageError) {
        const command = error.topic === undefined ? '' : `${error.topic} `;
        io.stderr.write(`Run "playment-masks ${command}--help" for usage.\n`);
      }
      return EXIT.usage;
    }
    if (io.interrupted.aborted) {
      io.stderr.write('playment-masks: interrupted; rerun the same command to resume\n');
      return EXIT.interrupted;
    }
    io.stderr.write(`playment-masks: ${printable(scrub(describe(error), secret))}\n`);
    return EXIT.failed;
  }
}

async function runExport(command: ExportCommand, apiKey: string, io: Io): Promise<number> {
  if (apiKey === '') throw new UsageError(`export: set ${API_KEY_VARIABLE} to your API key`, 'export');
  const client = new PlaymentClient({
    apiKey,
    ...(command.baseUrl === undefined ? {} : { baseUrl: command.baseUrl }),
    ...(command.maxRps === undefined ? {} : { maxRequestsPerSecond: command.maxRps }),
  });
  const outDir = resolve(command.out);
  const outcome = await exportWithProgress(io, {
    client,
    projectId: command.project,
    batchId: command.batch,
    outDir,
    format: command.format,
    withPoints: command.withPoints ?? false,
    ...(command.concurrency === undefined ? {} : { concurrency: command.concurrency }),
    ...(command.threads === undefined ? {} : { threads: command.threads }),
  }).finally(() => client.close());
  return report(outcome, outDir, io);
}

type ExportArgs = Omit<Parameters<typeof exportBatch>[0], 'onProgress' | 'signal'>;

async function exportWithProgress(io: Io, options: ExportArgs) {
  const view = new ProgressView(io.stderr);
  let last: ExportProgress | undefined;
  const started = performance.now();
  try {
    const summary = await exportBatch({
      ...options,
      signal: io.interrupted,
      onProgress: (progress) => {
        last = progress;
        view.update(progress);
      },
    });
    return { summary, last, elapsedMs: performance.now() - started };
  } finally {
    view.end();
  }
}

interface Outcome {
  summary: ExportSummary;
  last: ExportProgress | undefined;
  elapsedMs: number;
}

function report({ summary, last, elapsedMs }: Outcome, outDir: string, io: Io): number {
  const { jobs, masks, points, failures } = summary;
  const took = ` in ${formatDuration(elapsedMs)}`;
  const downloaded = last ? `, ${formatBytes(last.bytesDownloaded)} downloaded` : '';
  const resumed = last && last.jobsResumed > 0 ? ` (${last.jobsResumed} complete from an earlier run)` : '';
  io.stdout.write(
    `Exported ${jobs.exported}/${jobs.listed} jobs${resumed}, ${masks} masks, ${points} points${took}${downloaded}\n` +
      `Output: ${outDir} (index.jsonl, summary.json)\n`,
  );
  // Largest first (JSON objects list integer-like keys such as "0" first, whatever their count).
  const classes = Object.entries(summary.classes).sort(([, a], [, b]) => b - a);
  if (classes.length > 0) {
    const shown = classes.map(([name, count]) => `${printable(JSON.stringify(name))} ${count}`);
    io.stdout.write(`Classes: ${shown.join(', ')}\n`);
  }
  if (failures.length === 0) return EXIT.ok;
  io.stdout.write(`${failures.length} job(s) failed (see summary.json); rerun the same command to retry them:\n`);
  for (const failure of failures) {
    io.stdout.write(`  ${printable(JSON.stringify(failure.job_id))}: ${failure.code} ${printable(failure.message)}\n`);
  }
  return EXIT.failed;
}

async function runDecode(command: DecodeCommand, io: Io): Promise<number> {
  const mask = decodeMask(await readFile(command.file));
  const counts: Record<string, number> = {};
  for (let key = 0; key < mask.histogram.length; key++)
    if (mask.histogram[key]! > 0) counts[key] = mask.histogram[key]!;
  if (command.out !== undefined) {
    const out = resolve(command.out);
    await writeFileAtomic(dirname(out), basename(out), encodeLabels(mask.labels, 'npy'));
  }
  if (command.json) {
    io.stdout.write(`${JSON.stringify({ points: mask.pointCount, labels: counts })}\n`);
  } else {
    io.stdout.write(`${mask.pointCount} points\n`);
    for (const [key, count] of Object.entries(counts)) io.stdout.write(`  label ${key}: ${count}\n`);
  }
  return EXIT.ok;
}

async function runSimulate(command: SimulateCommand, io: Io): Promise<number> {
  const simulator = await startSimulator({
    port: command.port,
    jobs: command.jobs,
    frames: command.frames,
    points: command.points,
  });
  io.stdout.write(
    `Simulated Playment API at ${simulator.baseUrl}\n` +
      `  project ${simulator.projectId}, batch ${simulator.batchId}: ` +
      `${command.jobs} jobs x ${command.frames} frames x ${command.points} points\n` +
      `  API key: ${simulator.apiKey}\n` +
      `Try: ${API_KEY_VARIABLE}=${simulator.apiKey} playment-masks export --base-url ${simulator.baseUrl} ` +
      `--project ${simulator.projectId} --batch ${simulator.batchId} --out ./export\n` +
      'Ctrl-C to stop.\n',
  );
  await new Promise((done) => io.interrupted.addEventListener('abort', done, { once: true }));
  await simulator.close();
  return EXIT.ok;
}

async function runDemo(command: DemoCommand, io: Io): Promise<number> {
  const simulator = await startSimulator({
    port: 0,
    jobs: command.jobs,
    frames: command.frames,
    points: command.points,
    pageSize: DEMO_PAGE_SIZE,
  });
  const outDir = resolve(command.out ?? (await mkdtemp(join(tmpdir(), 'playment-masks-demo-'))));
  io.stdout.write(
    `Demo: a simulated batch of ${command.jobs} jobs x ${command.frames} frames x ${command.points} points ` +
      `at ${simulator.baseUrl}\n`,
  );
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  try {
    const outcome = await exportWithProgress(io, {
      client,
      projectId: simulator.projectId,
      batchId: simulator.batchId,
      outDir,
      format: command.format,
      withPoints: command.withPoints ?? false,
    });
    return report(outcome, outDir, io);
  } finally {
    await client.close();
    await simulator.close();
  }
}

// Messages and class names can quote what a server sent: no control characters (C0, DEL, C1), line separators or
// bidirectional overrides and isolates (which reorder what the terminal shows) reach the terminal.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function printable(text: string): string {
  return text.replace(UNPRINTABLE, ' ');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

// The outermost layer: the process, its signals, and its exit code.
const controller = new AbortController();
let interrupts = 0;
// The first Ctrl-C (or SIGTERM) stops gracefully, the export leaving a resumable folder; a second one exits at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error('interrupted'));
  });
}
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interrupted: controller.signal,
}).then((code) => process.stdout.write('', () => process.exit(code)));
