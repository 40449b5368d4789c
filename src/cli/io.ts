// What a command runs with: the streams, environment and working folder of the process, and its exit codes.
import type { ProgressStream } from './progress.js';

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
export class CliFailure extends Error {}
