// How the user started this command, so that a command line we print for them runs as printed: `playment-masks`
// only where that name is on their PATH, `npx playment-masks` under npx, `node dist/cli.js` in a clone.
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';

export interface Invocation {
  /** The script Node runs (`process.argv[1]`): a bin link or the file itself. */
  script: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const BIN = 'playment-masks';

/** The words that start this program again from the same shell and folder, quoted for a POSIX shell. */
export function selfCommand({ script, env, cwd }: Invocation): string {
  if (env.npm_command === 'exec') return `npx ${BIN}`;
  const path = resolve(cwd, script);
  if (basename(path) === BIN) {
    const onPath = (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && resolve(cwd, dir) === dirname(path));
    if (onPath) return BIN;
    if (dirname(path) === join(cwd, 'node_modules', '.bin')) return `npx ${BIN}`;
    return shellQuote(path);
  }
  const inside = relative(cwd, path);
  const shown = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  return `node ${shellQuote(shown)}`;
}

/** The word as a POSIX shell reads it back: unquoted when it is safe so, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
