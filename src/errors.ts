import type { ErrorCode, ErrorCodeOf } from './errors/catalogue.js';

/**
 * Base class of every error this library throws on purpose: a stable string `code` to switch on, one of
 * src/errors/catalogue.ts (docs/errors.md lists them).
 */
export class PlaymentMasksError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option object or argument the caller passed is not usable: code `INVALID_ARGUMENT`, or a narrower one
 * (`INVALID_ID` for an id no URL path can carry).
 */
export class InvalidArgumentError extends PlaymentMasksError {
  declare readonly code: ErrorCodeOf<'InvalidArgumentError'>;

  constructor(message: string, code: ErrorCodeOf<'InvalidArgumentError'> = 'INVALID_ARGUMENT') {
    super(code, message);
  }
}

/** The caller's AbortSignal fired before the operation finished; `cause` is the signal's reason. */
export class AbortError extends PlaymentMasksError {
  constructor(reason?: unknown) {
    super('ABORTED', 'the operation was aborted', { cause: reason });
  }
}

/** Node's system errors (fs, net): `code`, `syscall` and usually `path`; their message starts with the code. */
export interface SystemError extends Error {
  code: string;
  syscall: string;
  path?: string;
}

export function isSystemError(error: unknown): error is SystemError {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof code === 'string' && typeof syscall === 'string';
}

/**
 * What went wrong, for a message that names the file itself: a Node system error (fs, net) as its reason and code,
 * `no such file or directory (ENOENT)`, without the code, syscall and path its own message repeats; any other error
 * as its message.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!isSystemError(error)) return error.message;
  const { code, syscall } = error;
  // `ENOENT: no such file or directory, open '/x'`, `listen EADDRINUSE: address already in use 127.0.0.1:8080`.
  const reason = error.message
    .replace(new RegExp(`^(${syscall} )?${code}: `), '')
    .replace(new RegExp(`, ${syscall}\\b.*$`), '');
  return `${reason} (${code})`;
}
