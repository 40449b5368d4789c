// What crosses the thread boundary between MaskDecoderPool and its workers. Only plain records and whole
// ArrayBuffers cross it: piscina's structured clone would drop the custom properties of a thrown error.
import type { DecodedMask } from '../decode/types.js';
import { MaskParseError, type MaskErrorCode } from '../decode/mask-error.js';
import { mapLabels, mappedViews } from './lookups.js';

/** The key under which the pool hands its compiled WebAssembly core to every worker (`workerData`). */
export const CORE_MODULE_KEY = 'playmentMasksCore';

export interface DecodeTask {
  /** A whole ArrayBuffer that belongs to the worker (transferred), or the mask text. */
  input: ArrayBuffer | string;
  expectedPoints: number | undefined;
  /** Tables the labels are also mapped through (PoolDecodeOptions.lookups); copies of the caller's. */
  lookups: readonly Uint16Array[];
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

export type DecodeReply = DecodedReply | ParseErrorReply;

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

/** Rebuilds the worker's answer on the caller's side: views on the moved buffer, or the same MaskParseError. */
export function fromReply(reply: DecodeReply): PoolDecodedMask {
  if ('parseError' in reply) {
    const { code, offset, message } = reply.parseError;
    const error = new MaskParseError(code, offset);
    error.message = message;
    throw error;
  }
  const { buffer, pointCount, histogramOffset, histogramLength, mapped, tables } = reply;
  return {
    labels: new Uint16Array(buffer, 0, pointCount),
    histogram: new Uint32Array(buffer, histogramOffset, histogramLength),
    pointCount,
    mapped: mapped === undefined ? [] : mappedViews(mapped, pointCount, tables),
  };
}
