// Shared by the CLI tests: the command run in this process (main() of dist/cli-main.js), or `node dist/cli.js` in a
// child process where the test needs a process of its own (signals, exit codes, a shell), its output collected.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// Typed from the source, loaded from the build (whose worker and core files the export needs).
const CLI_MAIN = new URL('../dist/cli-main.js', import.meta.url).href;
type Main = typeof import('../src/cli/main.js').main;
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const children = new Set<ChildProcess>();

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  cwd?: string;
  /** Written to the child's standard input (otherwise it reads nothing). */
  input?: string;
  /** What runs instead of `node dist/cli.js` (then without `nodeArgs`): a command and its first arguments. */
  command?: [string, ...string[]];
  /** In-process only: stderr says it is a terminal (80 columns). */
  tty?: boolean;
}

/** Starts the command with `args` and only PATH plus `env` in its environment; `nodeArgs` go before the script. */
export function start(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  options: StartOptions = {},
): { child: ChildProcess; done: Promise<Run> } {
  const [file, ...first] = options.command ?? [process.execPath, ...nodeArgs, CLI];
  const child = spawn(file, [...first, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

/**
 * Runs the command with `args` and only PATH plus `env` as its environment: in this process, or with
 * `options.command` in a child process.
 */
export async function run(args: string[], env: Record<string, string> = {}, options: StartOptions = {}): Promise<Run> {
  if (options.command !== undefined) return start(args, env, [], options).done;
  const { main } = (await import(CLI_MAIN)) as { main: Main };
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    { PATH: process.env.PATH ?? '', ...env },
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: options.tty === true, columns: 80 },
      stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
      cwd: options.cwd ?? process.cwd(),
      script: CLI,
      version,
      interrupted: new AbortController().signal,
    },
  );
  return { code, signal: null, stdout, stderr };
}

/** SIGKILLs every child still running (for afterEach). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
