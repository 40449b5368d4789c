// A transferred ArrayBuffer (pool.decode with transfer: true, postMessage...) is detached: length 0, and any copy
// out of it throws a bare TypeError. Inputs are checked up front so that callers get a typed error instead.
import { InvalidArgumentError } from '../errors.js';

/** Throws InvalidArgumentError `DETACHED_BUFFER` when `input` (an ArrayBuffer or a view) has lost its bytes. */
export function assertAttached(input: unknown, name: string): void {
  const buffer = input instanceof ArrayBuffer ? input : ArrayBuffer.isView(input) ? input.buffer : undefined;
  if (buffer instanceof ArrayBuffer && isDetached(buffer)) {
    throw new InvalidArgumentError(`${name} is a detached ArrayBuffer (its bytes were transferred)`, 'DETACHED_BUFFER');
  }
}

function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength !== 0) return false;
  // ArrayBuffer.prototype.detached (Node 22+, recent browsers); before it, only a detached buffer refuses slice().
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  try {
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}
