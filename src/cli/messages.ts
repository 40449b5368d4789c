// Errors as the person at the terminal needs them: the flag or variable they typed rather than the library option it
// set, a file error's path and reason once (not `ENOENT: ENOENT: ...`), and never a control character.
import { isSystemError, PlaymentMasksError, reasonOf, type SystemError } from '../errors.js';
import { CLIENT_OPTIONS } from '../api/option-table.js';
import { SPECS, type CommandName } from './spec.js';

/**
 * A library InvalidArgumentError message in the CLI's words: `options.concurrency must be ...` becomes
 * `export: --concurrency must be ...`, `options.apiKey` becomes `PLAYMENT_API_KEY`. Names no flag sets stay as they are.
 */
export function inCliTerms(message: string, command: CommandName | undefined): string {
  const flags = new Map<string, string>([['apiKey', CLIENT_OPTIONS.apiKey.env]]);
  if (command !== undefined) {
    for (const [flag, option] of Object.entries(SPECS[command].options)) flags.set(option.library, `--${flag}`);
  }
  // The longest name a flag sets: `options.view.size` is --view-size, not --view.size.
  const translated = message.replace(/\boptions\.([A-Za-z]+)(\.[A-Za-z]+)?/g, (text, name: string, member = '') => {
    const flag = flags.get(name + member);
    if (flag !== undefined) return flag;
    const named = flags.get(name);
    return named === undefined ? text : named + member;
  });
  return command === undefined ? translated : `${command}: ${translated}`;
}

const ACTIONS: Readonly<Record<string, string>> = {
  open: 'cannot open',
  read: 'cannot read',
  write: 'cannot write',
  mkdir: 'cannot create',
  scandir: 'cannot list',
  rename: 'cannot rename',
  unlink: 'cannot delete',
  rmdir: 'cannot delete',
  stat: 'cannot find',
  lstat: 'cannot find',
};

/**
 * `cannot open missing.txt: no such file or directory (ENOENT)`. `as` names the file as the user knows it (the
 * error's own path may be a temporary file next to it) and what was being done to it.
 */
export function describeSystemError(error: SystemError, as: { path?: string; action?: string } = {}): string {
  const path = as.path ?? error.path;
  const action = as.action ?? ACTIONS[error.syscall] ?? `${error.syscall} failed for`;
  return path === undefined ? `${error.syscall}: ${reasonOf(error)}` : `${action} ${path}: ${reasonOf(error)}`;
}

/** One line for any error: `CODE: message` for the library's, the path and reason for a system error. */
export function describeError(error: unknown): string {
  if (isSystemError(error)) return describeSystemError(error);
  if (error instanceof PlaymentMasksError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

// Messages and class names can quote what a server sent: no control characters (C0, DEL, C1), line separators or
// bidirectional overrides and isolates (which reorder what the terminal shows) reach the terminal.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, ' ');
}
