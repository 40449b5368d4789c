/** Base class of every error this library throws on purpose: a stable string `code` to switch on. */
export class PlaymentMasksError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option object or argument the caller passed is not usable. */
export class InvalidArgumentError extends PlaymentMasksError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The caller's AbortSignal fired before the operation finished; `cause` is the signal's reason. */
export class AbortError extends PlaymentMasksError {
  constructor(reason?: unknown) {
    super('ABORTED', 'the operation was aborted', { cause: reason });
  }
}
