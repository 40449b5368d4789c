// What the export saves and the CLI prints passes through the client's redaction (PlaymentClient.redact).
import type { TextSource } from '../api/index.js';
import { MaskParseError } from '../decode/mask-error.js';
import { PlaymentMasksError } from '../errors.js';
import { PcdParseError } from '../pcd/pcd-error.js';

export type Redaction = (text: string, source?: TextSource) => string;

/** The client's redaction; a client of the caller's own without one is trusted with its errors. */
export function redactionOf(client: object): Redaction {
  const redact = (client as { redact?: unknown }).redact;
  return typeof redact === 'function' ? (text, source) => String(redact.call(client, text, source)) : (text) => text;
}

/**
 * How an error's message is to be redacted: the library's own errors compose their messages from redacted pieces,
 * except the parse errors, which quote the bytes they could not read. Any other error is taken as server text.
 */
export function messageSource(error: unknown): TextSource {
  const quotesInput = error instanceof MaskParseError || error instanceof PcdParseError;
  return error instanceof PlaymentMasksError && !quotesInput ? 'composed' : 'server';
}
