// What crosses the thread boundary between MaskDecoderPool and its workers. Only plain records, shared regions and
// whole ArrayBuffers cross it: piscina's structured clone would drop the custom properties of a thrown error.
import type { DecodedMask } from '../decode/types.js';
import { isSystemError } from '../errors.js';
import { MaskParseError, type MaskErrorCode } from '../decode/mask-error.js';
import type { ExportFormat } from '../formats/index.js';
import { mapLabels, mappedViews } from './lookups.js';
import type { StagedBytes } from './staging.js';

/** The key under which the pool hands its compiled WebAssembly core to every worker (`workerData`). */
export const CORE_MODULE_KEY = 'playmentMasksCore';

export interface DecodeTask {
  /**
   * The mask: a whole ArrayBuffer that now belongs to the worker (transferred), the caller's bytes in a shared
   * region the worker reads in place, or the path of a file the worker reads itself.
   */
  input: ArrayBuffer | StagedBytes | { path: string };
  expectedPoints: number | undefined;
  /** Tables the labels are also mapped through (PoolDecodeOptions.lookups); copies of the caller's. */
  lookups: readonly Uint16Array[];
}

/**
 * Decodes handed to one worker in one message (the queue's waiting decodes, coalesced): one message each way for
 * the lot. `cancelled[i]` (shared memory, set by the caller's thread on abort) tells the worker to skip task `i`.
 */
export interface DecodeBatch {
  tasks: readonly DecodeTask[];
  cancelled: Int32Array | undefined;
}

/** What the pool's decode() resolves to: the mask, and its labels through each of the task's lookups. */
export interface PoolDecodedMask extends DecodedMask {
  /** `mapped[t][i]` is `lookups[t][labels[i]]` (0 past the table's end); empty without lookups. */
  mapped: Uint16Array[];
}

/** Labels and histogram live in one ArrayBuffer, the mapped labels in another: both moved, not copied. */
export interface DecodedReply {
  buffer: ArrayBuffer;
  pointCount: number;
  histogramOffset: number;
  histogramLength: number;
  mapped: ArrayBuffer | undefined;
  tables: number;
}

export interface ParseErrorReply {
  parseError: { code: MaskErrorCode; offset: number; message: string };
}

/** A file the worker could not read: Node's system error as plain data (its class does not survive the crossing). */
export interface FileErrorReply {
  fileError: { message: string; code: string; errno: number | undefined; syscall: string; path: string | undefined };
}

/** A task that threw what no mask should (a bug, the core's memory exhausted): it fails alone, the batch goes on. */
export interface WorkerErrorReply {
  workerError: { message: string };
}

/** A task aborted before the worker reached it: skipped. Its caller has had its AbortError already. */
export interface SkippedReply {
  skipped: true;
}

export type DecodeReply = DecodedReply | ParseErrorReply | FileErrorReply | WorkerErrorReply | SkippedReply;

/** Mask files a worker decodes into label files itself (MaskDecoderPool.writeLabelFiles). */
export interface LabelFilesTask {
  files: readonly { path: string; outPath: string }[];
  format: ExportFormat;
}

/** What became of one file of a LabelFilesTask. */
export type LabelFileReply = { pointCount: number; bytesWritten: number } | ParseErrorReply | FileErrorReply;

export function toReply(mask: DecodedMask, lookups: readonly Uint16Array[]): DecodedReply {
  return {
    buffer: mask.labels.buffer as ArrayBuffer,
    pointCount: mask.pointCount,
    histogramOffset: mask.histogram.byteOffset,
    histogramLength: mask.histogram.length,
    mapped: lookups.length === 0 ? undefined : mapLabels(mask.labels, lookups),
    tables: lookups.length,
  };
}

export function toErrorReply(error: MaskParseError): ParseErrorReply {
  return { parseError: { code: error.code, offset: error.offset, message: error.message } };
}

export function toFileErrorReply(error: NodeJS.ErrnoException & { code: string; syscall: string }): FileErrorReply {
  const { message, code, errno, syscall, path } = error;
  return { fileError: { message, code, errno, syscall, path } };
}

/** A mask that does not parse or a file that cannot be read or written, as plain data; anything else is a bug. */
export function toFailureReply(error: unknown): ParseErrorReply | FileErrorReply {
  if (error instanceof MaskParseError) return toErrorReply(error);
  if (isSystemError(error)) return toFileErrorReply(error);
  throw error;
}

/** The error a worker reported, rebuilt on the caller's side with its class and fields. */
export function errorOf(reply: ParseErrorReply | FileErrorReply): Error {
  if ('fileError' in reply) {
    const { message, ...fields } = reply.fileError;
    return Object.assign(new Error(message), fields);
  }
  const { code, offset, message } = reply.parseError;
  const error = new MaskParseError(code, offset);
  error.message = message;
  return error;
}

/**
 * Rebuilds the worker's answer on the caller's side: views on the moved buffer, or the error it threw. A worker
 * error comes back as the pool reports it (`workerFailure`); a skipped task never reaches here (it was aborted).
 */
export function fromReply(
  reply: Exclude<DecodeReply, SkippedReply>,
  workerFailure: (message: string) => Error,
): PoolDecodedMask {
  if ('workerError' in reply) throw workerFailure(reply.workerError.message);
  if ('fileError' in reply || 'parseError' in reply) throw errorOf(reply);
  const { buffer, pointCount, histogramOffset, histogramLength, mapped, tables } = reply;
  return {
    labels: new Uint16Array(buffer, 0, pointCount),
    histogram: new Uint32Array(buffer, histogramOffset, histogramLength),
    pointCount,
    mapped: mapped === undefined ? [] : mappedViews(mapped, pointCount, tables),
  };
}
