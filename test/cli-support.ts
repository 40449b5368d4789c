// Shared by the CLI tests: `node dist/cli.js` in a child process, its output collected, killed after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const children = new Set<ChildProcess>();

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the command with `args` and only PATH plus `env` in its environment; `nodeArgs` go before the script. */
export function start(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

export const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

/** SIGKILLs every child still running (for afterEach). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
