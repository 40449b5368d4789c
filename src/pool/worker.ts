// The piscina entry of MaskDecoderPool: decodes one mask per task with this thread's instance of the core and
// moves the result buffer back to the caller.
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { decodeMask } from '../decode/mask.js';
import { MaskParseError } from '../decode/mask-error.js';
import { useCoreModule } from '../core/wasm.js';
import { CORE_MODULE_KEY, toErrorReply, toReply, type DecodeReply, type DecodeTask } from './protocol.js';

// The module compiled once on the main thread; a caller's own Piscina without it makes each worker compile once.
const shared: unknown = (workerData as Record<string, unknown> | null | undefined)?.[CORE_MODULE_KEY];
if (shared instanceof WebAssembly.Module) useCoreModule(shared);

export default function decodeTask(task: DecodeTask): DecodeReply {
  let reply;
  try {
    reply = toReply(decodeMask(task.input, { expectedPoints: task.expectedPoints }), task.lookups);
  } catch (error) {
    if (error instanceof MaskParseError) return toErrorReply(error);
    throw error;
  }
  // piscina posts `reply` with its buffers in the transfer list: moved to the caller, detached here. The spent
  // input goes along too: this thread allocates almost no JS objects, so its V8 would keep such external buffers
  // until a rare collection, and the process's memory would grow with the number of masks decoded.
  const transfer = [reply.buffer, ...(reply.mapped ? [reply.mapped] : [])];
  if (task.input instanceof ArrayBuffer) transfer.push(task.input);
  return move({ [transferableSymbol]: transfer, [valueSymbol]: reply }) as unknown as DecodeReply;
}
