/** Base class of every error this library throws on purpose: a stable string `code` to switch on. */
export class PlaymentMasksError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
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
  constructor(message: string, code = 'INVALID_ARGUMENT') {
    super(code, message);
  }
}

/** The caller's AbortSignal fired before the operation finished; `cause` is the signal's reason. */
export class AbortError extends PlaymentMasksError {
  constructor(reason?: unknown) {
    super('ABORTED', 'the operation was aborted', { cause: reason });
  }
}
