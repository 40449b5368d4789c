// The playment-masks command as a function: arguments, environment and streams in, an exit code out. It never
// exits the process nor touches its signals: bin.ts does, so that tests can run commands in-process.
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PlaymentClient, type RetryEvent } from '../api/index.js';
import { redact } from '../api/redact.js';
import { InvalidArgumentError } from '../errors.js';
import { buildNuScenes } from '../dataset/nuscenes.js';
import { buildParquet } from '../dataset/parquet.js';
import { buildSemanticKitti } from '../dataset/semantickitti.js';
import { CLASSES_NAME, readClassTable } from '../export/classes.js';
import { writeFileAtomic } from '../export/files.js';
import { FORMATS } from '../formats/index.js';
import type { ExportSummary } from '../export/records.js';
import { exportBatch } from '../export/pipeline.js';
import { messageSource } from '../export/redaction.js';
import type { ExportProgress } from '../export/progress.js';
import { decodeMask } from '../decode/mask.js';
import type { Simulator } from '../sim/index.js';
import {
  parseArgs,
  readApiKey,
  UsageError,
  type DatasetCommand,
  type DecodeCommand,
  type DemoCommand,
  type ReportCommand,
  type ViewCommand,
  type ExportCommand,
  type Output,
  type SimulateCommand,
} from './args.js';
import { DECODE_PROGRESS, decodeFiles, type DecodeFilesSummary } from './decode-files.js';
import { helpText, usageText } from './help.js';
import { selfCommand, shellQuote } from './invocation.js';
import { listingHint, type ListingTarget } from './export-hint.js';
import { describeError, describeSystemError, inCliTerms, isSystemError, printable } from './messages.js';
import { formatBytes, formatDuration, ProgressView, type ProgressStream } from './progress.js';
import { API_KEY_VARIABLE, type CommandName } from './spec.js';
import { editDistance } from './suggest.js';

export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, interrupted: 130 });

export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  stdin: AsyncIterable<Uint8Array>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** The script Node runs (process.argv[1]), to print command lines that run as printed. */
  script: string;
  version: string;
  /** Resolves when the user asks to stop (Ctrl-C). */
  interrupted: AbortSignal;
}

/** A failure already put in words for the terminal (exit 1). */
class CliFailure extends Error {}

/** Runs one command line; resolves to its exit code (never rejects). */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  streams: Omit<Io, 'env'>,
): Promise<number> {
  const io: Io = { ...streams, env };
  const secret = io.env[API_KEY_VARIABLE] ?? '';
  let topic: CommandName | undefined;
  let target: ListingTarget | undefined;
  try {
    const command = parseArgs(argv);
    switch (command.command) {
      case 'help':
        io.stdout.write(`${helpText(command.topic)}\n`);
        return EXIT.ok;
      case 'usage':
        io.stderr.write(`${usageText()}\n`);
        return EXIT.usage;
      case 'version':
        io.stdout.write(`${io.version}\n`);
        return EXIT.ok;
      case 'export':
        topic = command.command;
        target = command;
        return await runExport(command, readApiKey(io.env), io);
      case 'decode':
        topic = command.command;
        return await runDecode(command, io);
      case 'simulate':
        topic = command.command;
        return await runSimulate(command, io);
      case 'demo':
        topic = command.command;
        return await runDemo(command, io);
      case 'dataset':
        topic = command.command;
        return await runDataset(command, io);
      case 'report':
        topic = command.command;
        return await runReport(command, io);
      case 'view':
        topic = command.command;
        return await runView(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`playment-masks: ${redact(error.message, secret, 'composed')}\n`);
      const command = error.topic === undefined ? '' : `${error.topic} `;
      io.stderr.write(`Run "playment-masks ${command}--help" for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof InvalidArgumentError) {
      io.stderr.write(`playment-masks: ${redact(inCliTerms(error.message, topic), secret, 'composed')}\n`);
      return EXIT.usage;
    }
    if (io.interrupted.aborted) {
      // Only an export into a folder the user named can be resumed.
      const resume = topic === 'export' ? '; rerun the same command to resume' : '';
      io.stderr.write(`playment-masks: interrupted${resume}\n`);
      return EXIT.interrupted;
    }
    const message = error instanceof CliFailure ? error.message : describeError(error);
    const source = error instanceof CliFailure ? 'composed' : messageSource(error);
    io.stderr.write(`playment-masks: ${printable(redact(message, secret, source))}\n`);
    const hint = target && listingHint(error, target);
    if (hint) io.stderr.write(`playment-masks: ${printable(redact(hint, secret, 'composed'))}\n`);
    return EXIT.failed;
  }
}

async function runExport(command: ExportCommand, apiKey: string, io: Io): Promise<number> {
  const { output } = command;
  const client = new PlaymentClient({
    apiKey,
    ...(output.verbose ? { onRetry: (event: RetryEvent) => io.stderr.write(`${retryLine(event, apiKey)}\n`) } : {}),
    ...(command.baseUrl === undefined ? {} : { baseUrl: command.baseUrl }),
    ...(command.maxRps === undefined ? {} : { maxRequestsPerSecond: command.maxRps }),
    ...(command.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: command.requestTimeoutMs }),
    ...(command.minBytesPerSecond === undefined ? {} : { minBytesPerSecond: command.minBytesPerSecond }),
    ...(command.minSpeedWindowMs === undefined ? {} : { minSpeedWindowMs: command.minSpeedWindowMs }),
    ...(command.maxPages === undefined ? {} : { maxPages: command.maxPages }),
  });
  const outDir = resolve(io.cwd, command.out);
  const outcome = await exportWithProgress(io, output, {
    client,
    projectId: command.project,
    batchId: command.batch,
    outDir,
    format: command.format,
    withPoints: command.withPoints ?? false,
    labels: command.labels,
    instances: command.instances ?? false,
    ...(command.classes === undefined ? {} : { classes: await readClassTable(resolve(io.cwd, command.classes)) }),
    unknownClasses: command.unknownClasses,
    statuses: command.statuses,
    refresh: command.refresh ?? false,
    requireLabels: command.requireLabels ?? false,
    ...(command.concurrency === undefined ? {} : { concurrency: command.concurrency }),
    ...(command.threads === undefined ? {} : { threads: command.threads }),
    ...command.sizes,
  }).finally(() => client.close());
  // With --json, stdout gets summary.json as written and nothing else; the words go to stderr.
  const words = output.json ? io.stderr : io.stdout;
  if (output.json) io.stdout.write(await readFile(join(outDir, 'summary.json'), 'utf8'));
  if (!output.quiet) {
    words.write(`${summaryLines(outcome)}Output: ${outDir} (classes.json, index.jsonl, summary.json)\n`);
  }
  const failed = failuresReport(outcome.summary, output.json || output.quiet ? io.stderr : io.stdout, 'rerun');
  return (command.statusGiven && unmatchedStatuses(outcome.summary, io)) || failed;
}

/** `retry: HTTP 503 ... (attempt 1, again in 0.5 s)`, for --verbose. */
function retryLine({ error, attempt, delayMs, throttled }: RetryEvent, apiKey: string): string {
  const why = throttled ? 'throttled' : 'retry';
  const message = printable(redact(describeError(error), apiKey, messageSource(error)));
  return `${why}: ${message} (attempt ${attempt}, again in ${(delayMs / 1000).toFixed(1)} s)`;
}

/** --status values that no listed job has: the statuses the batch has instead, and EXIT.usage. */
function unmatchedStatuses({ jobs }: ExportSummary, io: Io): number | undefined {
  const unmatched = jobs.unmatched_statuses ?? [];
  if (unmatched.length === 0) return undefined;
  const listed = Object.entries(jobs.statuses);
  const has =
    listed.map(([status, count]) => `${count} ${printable(JSON.stringify(status))}`).join(', ') || 'no status';
  for (const status of unmatched) {
    const near = nearestStatus(
      status,
      listed.map(([listedStatus]) => listedStatus),
    );
    const hint = near === undefined ? '' : `; the closest: ${printable(JSON.stringify(near))}`;
    io.stderr.write(
      `playment-masks: export: --status ${printable(JSON.stringify(status))} matches no job of the batch, whose statuses are: ${has}${hint}\n`,
    );
  }
  return EXIT.usage;
}

function nearestStatus(status: string, listed: readonly string[]): string | undefined {
  const typed = status.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of listed) {
    const distance = editDistance(typed, candidate.trim().toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

type ExportArgs = Omit<Parameters<typeof exportBatch>[0], 'onProgress' | 'signal'>;

async function exportWithProgress(io: Io, output: Pick<Output, 'progress'>, options: ExportArgs): Promise<Outcome> {
  // NO_COLOR (any value): no terminal escape sequences, so plain lines instead of a redrawn bar.
  const plain = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const view = output.progress
    ? new ProgressView(plain ? { write: (text) => io.stderr.write(text) } : io.stderr)
    : undefined;
  let last: ExportProgress | undefined;
  const started = performance.now();
  try {
    const summary = await exportBatch({
      ...options,
      signal: io.interrupted,
      onProgress: (progress) => {
        last = progress;
        view?.update(progress);
      },
    });
    return { summary, last, elapsedMs: performance.now() - started };
  } finally {
    view?.end();
  }
}

interface Outcome {
  summary: ExportSummary;
  last: ExportProgress | undefined;
  elapsedMs: number;
}

/** How many classes the closing lines name; classes.json has them all. */
const SHOWN_CLASSES = 10;
const MAX_NAME_CHARS = 60;

/** A class name as the closing lines quote it: printable, and cut short (classes.json has it whole). */
function shortName(name: string): string {
  const quoted = printable(JSON.stringify(name));
  return quoted.length <= MAX_NAME_CHARS ? quoted : `${quoted.slice(0, MAX_NAME_CHARS - 2)}…"`;
}

function summaryLines({ summary, last, elapsedMs }: Outcome): string {
  const { jobs, masks, points } = summary;
  const took = ` in ${formatDuration(elapsedMs)}`;
  const downloaded = last ? `, ${formatBytes(last.bytesDownloaded)} downloaded` : '';
  const resumed = last && last.jobsResumed > 0 ? ` (${last.jobsResumed} complete from an earlier run)` : '';
  let text = `Exported ${jobs.exported}/${jobs.listed} jobs${resumed}, ${masks} masks, ${points} points${took}${downloaded}\n`;
  const skipped = Object.entries(jobs.skipped);
  if (skipped.length > 0) {
    const shown = skipped.map(([status, count]) => `${count} ${printable(status)}`);
    text += `Skipped (not finished): ${shown.join(', ')}; rerun later to export them\n`;
  }
  if (summary.classes.length > 0) {
    // The most common classes (summary.classes comes sorted by points): a batch can have thousands.
    const top = summary.classes.slice(0, SHOWN_CLASSES);
    const shown = top.map(({ id, name, points: n }) => `${id} ${shortName(name)} ${n}`);
    const rest = summary.classes.length - top.length;
    const more = rest > 0 ? `, ... and ${rest} more (${CLASSES_NAME})` : '';
    text += `Classes (id name points): ${shown.join(', ')}${more}\n`;
  }
  if (summary.unnamed_points > 0) {
    text +=
      `Unnamed: ${summary.unnamed_points} of ${points} points have a label_key that no annotation or legend names ` +
      '(class 0; unnamed_points in index.jsonl and summary.json)\n';
  }
  if (jobs.without_labels > 0) {
    text +=
      `Warning: ${jobs.without_labels} exported job(s) have no point with a class (jobs.without_labels in ` +
      'summary.json); --require-labels fails such jobs\n';
  }
  const { requests, throttled, rate_per_s: rate } = summary.api;
  // The pace the client held at the end: it probes past the limit now and then (the throttled requests), so it
  // can read above the limit itself.
  const settled = rate === null ? 'no rate limit met' : `paced at ${rate} requests/s at the end`;
  text += `API: ${requests} requests, ${throttled} throttled by its rate limit (sent again); ${settled}\n`;
  return text;
}

/** Lists the failed jobs; `rerun`: the same command retries them (an export, not a demo's new simulated batch). */
function failuresReport({ failures }: ExportSummary, stream: ProgressStream, advice: 'rerun' | 'none'): number {
  if (failures.length === 0) return EXIT.ok;
  const rerun = advice === 'rerun' ? '; rerun the same command to retry them' : '';
  stream.write(`${failures.length} job(s) failed (see summary.json)${rerun}:\n`);
  for (const failure of failures) {
    stream.write(`  ${printable(JSON.stringify(failure.job_id))}: ${failure.code} ${printable(failure.message)}\n`);
  }
  return EXIT.failed;
}

async function runDecode(command: DecodeCommand, io: Io): Promise<number> {
  if (await isBulkDecode(command, io.cwd)) return runDecodeFiles(command, io);
  const file = command.files[0]!;
  const fromStdin = file === '-';
  const input = fromStdin
    ? await readAll(io.stdin)
    : await readFile(resolve(io.cwd, file)).catch((error: unknown) => {
        throw fileFailure(error, file, 'cannot read');
      });
  const mask = decodeMask(input);
  const counts: Record<string, number> = {};
  for (let key = 0; key < mask.histogram.length; key++)
    if (mask.histogram[key]! > 0) counts[key] = mask.histogram[key]!;
  if (command.out !== undefined) {
    const out = resolve(io.cwd, command.out);
    // The write goes through a temporary file next to `out`: an error names the file the user asked for.
    const chunks = FORMATS[command.format ?? 'npy'].encodeLabels(mask.labels);
    await writeFileAtomic(dirname(out), basename(out), chunks).catch((error: unknown) => {
      throw fileFailure(error, command.out!, 'cannot write');
    });
  }
  if (command.output.json) {
    io.stdout.write(`${JSON.stringify({ points: mask.pointCount, labels: counts })}\n`);
  } else {
    io.stdout.write(`${mask.pointCount} points\n`);
    for (const [key, count] of Object.entries(counts)) io.stdout.write(`  label ${key}: ${count}\n`);
  }
  return EXIT.ok;
}

/**
 * Many files into a folder, rather than one file's counts: several files, a folder among them, --threads, or --out
 * naming a folder (an existing one, or a path ending in a separator).
 */
async function isBulkDecode(command: DecodeCommand, cwd: string): Promise<boolean> {
  const { files, out } = command;
  if (files.includes('-')) {
    if (files.length > 1) throw new UsageError('decode: - (standard input) is for one mask only', 'decode');
    return false;
  }
  if (files.length > 1 || command.threads !== undefined || out?.endsWith('/') || out?.endsWith(sep)) return true;
  const isFolder = (path: string) =>
    stat(resolve(cwd, path)).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
  return (await isFolder(files[0]!)) || (out !== undefined && (await isFolder(out)));
}

async function runDecodeFiles(command: DecodeCommand, io: Io): Promise<number> {
  if (command.out === undefined) throw new UsageError('decode: --out DIR is required for several files', 'decode');
  const outDir = resolve(io.cwd, command.out);
  const plain = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const stream = plain ? { write: (text: string) => io.stderr.write(text) } : io.stderr;
  const view = command.output.progress ? new ProgressView(stream, { format: DECODE_PROGRESS }) : undefined;
  let summary: DecodeFilesSummary;
  try {
    summary = await decodeFiles({
      args: command.files,
      cwd: io.cwd,
      outDir,
      format: command.format ?? 'npy',
      threads: command.threads,
      signal: io.interrupted,
      onProgress: (progress) => view?.update(progress),
    });
  } catch (error) {
    throw isSystemError(error) ? new CliFailure(`decode: ${describeSystemError(error, { path: command.out })}`) : error;
  } finally {
    view?.end();
  }
  const { failures } = summary;
  if (command.output.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const rate = summary.seconds > 0 ? ` (${Math.round(summary.decoded / summary.seconds)} files/s)` : '';
    io.stdout.write(
      `Decoded ${summary.decoded}/${summary.files} files, ${summary.points} points, in ` +
        `${summary.seconds.toFixed(1)} s${rate}\nOutput: ${outDir}\n`,
    );
    if (failures.length > 0) io.stdout.write(`${failures.length} file(s) failed:\n`);
    for (const failure of failures) {
      io.stdout.write(`  ${printable(failure.file)}: ${failure.code} ${printable(failure.message)}\n`);
    }
  }
  return failures.length === 0 ? EXIT.ok : EXIT.failed;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function fileFailure(error: unknown, path: string, action: string): unknown {
  return isSystemError(error) ? new CliFailure(`decode: ${describeSystemError(error, { path, action })}`) : error;
}

async function runReport(command: ReportCommand, io: Io): Promise<number> {
  const { buildReport } = await import('../report/report.js');
  const started = performance.now();
  const outcome = await buildReport({
    from: resolve(io.cwd, command.from),
    out: resolve(io.cwd, command.out),
    ...(command.against === undefined ? {} : { against: resolve(io.cwd, command.against) }),
    thresholds: command.thresholds,
    view: command.view,
    ...(command.threads === undefined ? {} : { threads: command.threads }),
  });
  const relabelled =
    command.against === undefined ? '' : `, ${outcome.relabelledJobs.length} job(s) re-labelled since the older export`;
  io.stdout.write(
    `Report of ${outcome.frames} frames (${outcome.images} images, ${outcome.flags.length} flags${relabelled}) ` +
      `in ${formatDuration(performance.now() - started)}\nOpen: ${outcome.index}\n`,
  );
  return EXIT.ok;
}

async function runView(command: ViewCommand, io: Io): Promise<number> {
  const { startViewer } = await import('../viewer/server.js');
  const viewer = await startViewer({ from: resolve(io.cwd, command.from), port: command.port }).catch(
    (error: unknown) => {
      if (isSystemError(error) && error.code === 'EADDRINUSE') {
        throw new CliFailure(`view: --port ${command.port} is in use: choose another, or leave it out for a free one`);
      }
      throw error;
    },
  );
  io.stdout.write(`Viewer at ${viewer.url} (127.0.0.1 only)\nCtrl-C to stop.\n`);
  if (command.open) openInBrowser(viewer.url);
  await new Promise((done) => io.interrupted.addEventListener('abort', done, { once: true }));
  await viewer.close();
  return EXIT.ok;
}

/** The platform's opener, detached; a machine without one leaves the URL printed above. */
function openInBrowser(url: string): void {
  const [file, ...args] =
    process.platform === 'darwin'
      ? ['open']
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""']
        : ['xdg-open'];
  const child = spawn(file!, [...args, url], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}

// Loaded by the two commands that run it, so that every other command starts without the simulator's code (~8 ms).
function loadSimulator(): Promise<typeof import('../sim/index.js')> {
  return import('../sim/index.js');
}

async function runSimulate(command: SimulateCommand, io: Io): Promise<number> {
  const { startSimulator } = await loadSimulator();
  const simulator = await startSimulator(command.simulator).catch((error: unknown) => {
    if (isSystemError(error) && error.code === 'EADDRINUSE') {
      throw new CliFailure(
        `simulate: --port ${command.simulator.port} is in use: choose another, or --port 0 for a free one`,
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

async function runDemo(command: DemoCommand, io: Io): Promise<number> {
  const { startSimulator } = await loadSimulator();
  const simulator = await startSimulator({ ...command.simulator, port: 0 });
  const temporary = command.out === undefined;
  const outDir =
    command.out === undefined
      ? await mkdtemp(join(temporaryRoot(io.env), 'playment-masks-demo-'))
      : resolve(io.cwd, command.out);
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
      format: command.format,
      withPoints: command.withPoints ?? false,
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
    else if (command.keep || failed) {
      const why = command.keep ? '' : ' for its summary.json of the failures';
      io.stdout.write(`Output: ${outDir} (${size}), kept${why}: remove it when done\n`);
    } else {
      await rm(outDir, { recursive: true, force: true });
      io.stdout.write(`Output: removed ${outDir} (${size}); --keep or --out DIR keeps it\n`);
    }
  }
  return failuresReport(outcome.summary, io.stdout, 'none');
}

async function runDataset(command: DatasetCommand, io: Io): Promise<number> {
  const out = resolve(io.cwd, command.out);
  const from = resolve(io.cwd, command.from);
  let json: Record<string, unknown>;
  let line: string;
  switch (command.layout) {
    case 'semantickitti': {
      const sequences = await buildSemanticKitti({ from, out });
      const frames = Object.values(sequences).reduce((sum, sequence) => sum + sequence.frames.length, 0);
      const count = Object.keys(sequences).length;
      json = { out, sequences: count, scans: frames };
      line = `SemanticKITTI tree: ${count} sequences, ${frames} scans in ${out}`;
      break;
    }
    case 'nuscenes': {
      const scenes = await buildNuScenes({
        from,
        out,
        ...(command.version !== undefined && { version: command.version }),
      });
      const samples = scenes.reduce((sum, scene) => sum + scene.frames.length, 0);
      json = { out, scenes: scenes.length, samples };
      line = `nuScenes tree: ${scenes.length} scenes, ${samples} samples in ${out}`;
      break;
    }
    case 'parquet': {
      const summary = await buildParquet({
        from,
        out,
        ...(command.rowsPerFile !== undefined && { rowsPerFile: command.rowsPerFile }),
      });
      json = { out, rows: summary.rows, files: summary.files.length };
      line = `Parquet: ${summary.rows} rows in ${summary.files.length} files in ${join(out, 'data')}`;
      break;
    }
  }
  if (command.output.json) io.stdout.write(`${JSON.stringify(json)}\n`);
  else if (!command.output.quiet) io.stdout.write(`${line}\n`);
  return EXIT.ok;
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
