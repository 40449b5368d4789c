// The piscina entry of MaskDecoderPool: decodes a batch of masks per task with this thread's instance of the core and
// moves the result buffers back to the caller; or decodes mask files into label files, start to end on this thread.
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { decodeMaskInPlace, ownCopy } from '../decode/mask.js';
import { decodeMaskFile } from '../decode/mask-file.js';
import { decodeSharedMask } from '../decode/shared-mask.js';
import { MaskParseError } from '../decode/mask-error.js';
import { useCoreModule } from '../core/wasm.js';
import { isSystemError } from '../errors.js';
import {
  CORE_MODULE_KEY,
  toFailureReply,
  toReply,
  type DecodeBatch,
  type DecodeReply,
  type DecodeTask,
  type LabelFileReply,
  type LabelFilesTask,
} from './protocol.js';
import { writeLabelFile } from './label-file.js';

// The module compiled once on the main thread; a caller's own Piscina without it makes each worker compile once.
const shared: unknown = (workerData as Record<string, unknown> | null | undefined)?.[CORE_MODULE_KEY];
if (shared instanceof WebAssembly.Module) useCoreModule(shared);

/**
 * Decodes a batch of masks, each as `decodeMask` would, in order; one reply per task, and every result buffer moved
 * back with the replies. A mask that fails gives its task an error reply: the others are unaffected.
 */
export default function decodeBatch(batch: DecodeBatch): Promise<DecodeReply[]> {
  return nextTurn(() => decodeAll(batch));
}

function decodeAll(batch: DecodeBatch): DecodeReply[] {
  const { tasks, cancelled } = batch;
  const transfer: ArrayBuffer[] = [];
  const replies = tasks.map((task, i): DecodeReply => {
    const { input } = task;
    // A moved-in input goes back whatever happens: this thread allocates almost no JS objects, so its V8 would keep
    // such external buffers until a rare collection, and the process's memory would grow with the masks decoded.
    if (input instanceof ArrayBuffer) transfer.push(input);
    if (cancelled && Atomics.load(cancelled, i) !== 0) return { skipped: true };
    const reply = decodeOne(task);
    if ('buffer' in reply) {
      if (reply.buffer !== input) transfer.push(reply.buffer);
      if (reply.mapped) transfer.push(reply.mapped);
    }
    return reply;
  });
  // piscina posts the replies with these buffers in the transfer list: moved to the caller, detached here.
  return move({ [transferableSymbol]: transfer, [valueSymbol]: replies }) as unknown as DecodeReply[];
}

function decodeOne(task: DecodeTask): DecodeReply {
  const { input, expectedPoints } = task;
  try {
    // A moved-in input is this thread's: once in the core's memory, its buffer takes the result, whose pages are
    // then warm, instead of a new buffer per mask (page faults on every first touch).
    const mask =
      input instanceof ArrayBuffer
        ? ownCopy(decodeMaskInPlace(input, expectedPoints), undefined, input)
        : 'path' in input
          ? decodeMaskFile(input.path, expectedPoints)
          : ownCopy(decodeSharedMask(input.buffer, input.offset, input.length, expectedPoints), undefined);
    return toReply(mask, task.lookups);
  } catch (error) {
    if (error instanceof MaskParseError || isSystemError(error)) return toFailureReply(error);
    return { workerError: { message: error instanceof Error ? error.message : String(error) } };
  }
}

/** Each file decoded into its label file on this thread (see label-file.ts): only a few numbers go back. */
export function writeLabelFiles(task: LabelFilesTask): Promise<LabelFileReply[]> {
  return nextTurn(() =>
    task.files.map(({ path, outPath }) => {
      try {
        return writeLabelFile(path, outPath, task.format);
      } catch (error) {
        return toFailureReply(error);
      }
    }),
  );
}

/**
 * Runs `work` on the event loop's next turn. piscina starts every task a worker holds (the pool keeps two there,
 * so that the next is at hand) in microtasks, and posts a task's reply in a microtask after its handler returns: the
 * second task's work would run before the first one's reply went out, and both replies would leave together, the
 * worker then idle until the caller's thread answered. Run from a macrotask, each task's reply goes out as soon as
 * it is done, and the caller's thread sends the next task while this one decodes the other.
 */
function nextTurn<T>(work: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    });
  });
}
