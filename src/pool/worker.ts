// The piscina entry of MaskDecoderPool: decodes one mask per task with this thread's instance of the core and
// moves the result buffer back to the caller.
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { decodeMask } from '../decode/mask.js';
import { decodeMaskFile } from '../decode/mask-file.js';
import { MaskParseError } from '../decode/mask-error.js';
import { useCoreModule } from '../core/wasm.js';
import {
  CORE_MODULE_KEY,
  toErrorReply,
  toFileErrorReply,
  toReply,
  type DecodeReply,
  type DecodeTask,
} from './protocol.js';

// The module compiled once on the main thread; a caller's own Piscina without it makes each worker compile once.
const shared: unknown = (workerData as Record<string, unknown> | null | undefined)?.[CORE_MODULE_KEY];
if (shared instanceof WebAssembly.Module) useCoreModule(shared);

export default function decodeTask(task: DecodeTask): DecodeReply {
  const { input, expectedPoints } = task;
  let reply;
  try {
    const mask =
      input instanceof ArrayBuffer
        ? decodeMask(input, { expectedPoints })
        : 'path' in input
          ? decodeMaskFile(input.path, expectedPoints)
          : decodeMask(new Uint8Array(input.buffer, 0, input.length), { expectedPoints });
    reply = toReply(mask, task.lookups);
  } catch (error) {
    if (error instanceof MaskParseError) return toErrorReply(error);
    if (isSystemError(error)) return toFileErrorReply(error);
    throw error;
  }
  // piscina posts `reply` with its buffers in the transfer list: moved to the caller, detached here. A moved-in
  // input goes along too: this thread allocates almost no JS objects, so its V8 would keep such external buffers
  // until a rare collection, and the process's memory would grow with the number of masks decoded.
  const transfer = [reply.buffer, ...(reply.mapped ? [reply.mapped] : [])];
  if (input instanceof ArrayBuffer) transfer.push(input);
  return move({ [transferableSymbol]: transfer, [valueSymbol]: reply }) as unknown as DecodeReply;
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string; syscall: string } {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof code === 'string' && typeof syscall === 'string';
}
