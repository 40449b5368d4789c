import { ResultObjectError } from './result-error.js';

/**
 * A result object's bytes, parsed: ResultObjectError `BAD_RESULT_OBJECT` when they are not JSON, or not a JSON
 * object. The one parse of a result object, whichever path fetched it (the client's annotationResult, the export).
 */
export function parseResultObject(bytes: Uint8Array): Record<string, unknown> {
  let result: unknown;
  try {
    result = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    // Not V8's message: it quotes the bytes around the fault, and with chosen offsets a server could spell out
    // anything there (the key, a few characters per job).
    throw new ResultObjectError('the result object is not JSON');
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new ResultObjectError('the result object is not a JSON object');
  }
  return result as Record<string, unknown>;
}
