// `decode`: one mask's counts, or many masks into a folder on every core.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { decodeMask } from '../decode/mask.js';
import { writeFileAtomic } from '../export/files.js';
import { FORMATS } from '../formats/index.js';
import { UsageError, type DecodeCommand } from './args.js';
import { DECODE_PROGRESS, decodeFiles, type DecodeFilesSummary } from './decode-files.js';
import { fileIdentity } from './file-identity.js';
import { CliFailure, EXIT, type Io } from './io.js';
import { isSystemError } from '../errors.js';
import { describeSystemError, printable } from './messages.js';
import { ProgressView } from './progress.js';

export async function runDecode(command: DecodeCommand, io: Io): Promise<number> {
  if (await isBulkDecode(command, io.cwd)) return runDecodeFiles(command, io);
  const file = command.positionals[0]!;
  const fromStdin = file === '-';
  const path = resolve(io.cwd, file);
  const out = command.options.out;
  const outPath = out === undefined ? undefined : resolve(io.cwd, out);
  if (!fromStdin && outPath !== undefined) {
    const input = fileIdentity(path);
    if (input !== undefined && input === fileIdentity(outPath)) {
      throw new UsageError(`decode: --out ${out} is the input file: its labels would replace the mask`, 'decode');
    }
  }
  const input = fromStdin
    ? await readAll(io.stdin)
    : await readFile(path).catch((error: unknown) => {
        throw fileFailure(error, file, 'cannot read');
      });
  const mask = decodeMask(input);
  const counts: Record<string, number> = {};
  for (let key = 0; key < mask.histogram.length; key++)
    if (mask.histogram[key]! > 0) counts[key] = mask.histogram[key]!;
  if (out !== undefined && outPath !== undefined) {
    // The write goes through a temporary file next to `out`: an error names the file the user asked for.
    const chunks = FORMATS[command.options.format].encodeLabels(mask.labels);
    await writeFileAtomic(dirname(outPath), basename(outPath), chunks).catch((error: unknown) => {
      throw fileFailure(error, out, 'cannot write');
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
  const { positionals: files } = command;
  const { out } = command.options;
  if (files.includes('-')) {
    if (files.length > 1) throw new UsageError('decode: - (standard input) is for one mask only', 'decode');
    return false;
  }
  if (files.length > 1 || command.options.threads !== undefined || out?.endsWith('/') || out?.endsWith(sep))
    return true;
  const isFolder = (path: string) =>
    stat(resolve(cwd, path)).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
  return (await isFolder(files[0]!)) || (out !== undefined && (await isFolder(out)));
}

async function runDecodeFiles(command: DecodeCommand, io: Io): Promise<number> {
  if (command.options.out === undefined)
    throw new UsageError('decode: --out DIR is required for several files', 'decode');
  const outDir = resolve(io.cwd, command.options.out);
  const plain = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const stream = plain ? { write: (text: string) => io.stderr.write(text) } : io.stderr;
  const view = command.output.progress ? new ProgressView(stream, { format: DECODE_PROGRESS }) : undefined;
  let summary: DecodeFilesSummary;
  try {
    summary = await decodeFiles({
      args: command.positionals,
      cwd: io.cwd,
      outDir,
      format: command.options.format,
      threads: command.options.threads,
      signal: io.interrupted,
      onProgress: (progress) => view?.update(progress),
    });
  } catch (error) {
    throw isSystemError(error)
      ? new CliFailure(`decode: ${describeSystemError(error, { path: command.options.out })}`)
      : error;
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
