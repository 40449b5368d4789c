// `view --open`: the page opened in a browser by the command in BROWSER (as git, Python's webbrowser module and many
// CLIs read it), else by the platform's opener (open, start, xdg-open). Detached: the browser is the user's, and may
// outlive the viewer.
import { spawn } from 'node:child_process';

/**
 * The opener's command line for `url`. BROWSER is a command and its arguments, separated by spaces; `%s` in them
 * stands for the URL, which is otherwise added as the last argument.
 */
export function openerCommand(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const browser = env.BROWSER?.trim();
  if (browser) {
    const words = browser.split(/\s+/);
    return words.some((word) => word.includes('%s'))
      ? words.map((word) => word.replaceAll('%s', url))
      : [...words, url];
  }
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return ['xdg-open', url];
}

/**
 * Starts the opener with `env` as its environment. Rejects when it cannot start or exits with a failure; resolves
 * when it exits successfully; stays pending while it runs (a browser started by BROWSER itself).
 */
export function openInBrowser(url: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const [file, ...args] = openerCommand(url, env);
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { detached: true, stdio: 'ignore', env });
    child.once('error', (error) => reject(new Error(`${file}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${file} exited with ${signal ?? `code ${code}`}`));
    });
    child.unref();
  });
}
