// Shared by the CLI tests: `node dist/cli.js` in a child process, its output collected, killed after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
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

export const run = (args: string[], env: Record<string, string> = {}, options: StartOptions = {}) =>
  start(args, env, [], options).done;

/** SIGKILLs every child still running (for afterEach). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
