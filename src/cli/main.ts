// The playment-masks command as a function: arguments, environment and streams in, an exit code out. It never
// exits the process nor touches its signals: bin.ts does, so that tests can run commands in-process. Each command's
// code is imported when that command runs: `decode` need not load the API client (undici), the report or the
// simulator before it starts its workers, nor `--version` anything.
import { redact } from '../api/redact.js';
import { InvalidArgumentError } from '../errors.js';
import { messageSource } from '../export/redaction.js';
import { parseArgs, readApiKey, UsageError } from './args.js';
import { helpText, usageText } from './help.js';
import { listingHint, type ListingTarget } from './export-hint.js';
import { CliFailure, EXIT, type Io } from './io.js';
import { describeError, inCliTerms, printable } from './messages.js';
import { API_KEY_VARIABLE, type CommandName } from './spec.js';

export { EXIT, type Io };

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
        target = command.options;
        return await (await import('./run-export.js')).runExport(command, readApiKey(io.env), io);
      case 'decode':
        topic = command.command;
        return await (await import('./run-decode.js')).runDecode(command, io);
      case 'simulate':
        topic = command.command;
        return await (await import('./run-simulator.js')).runSimulate(command, io);
      case 'demo':
        topic = command.command;
        return await (await import('./run-simulator.js')).runDemo(command, io);
      case 'dataset':
        topic = command.command;
        return await (await import('./run-readers.js')).runDataset(command, io);
      case 'report':
        topic = command.command;
        return await (await import('./run-readers.js')).runReport(command, io);
      case 'view':
        topic = command.command;
        return await (await import('./run-readers.js')).runView(command, io);
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
