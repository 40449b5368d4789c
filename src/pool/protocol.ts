// What crosses the thread boundary between MaskDecoderPool and its workers. Only plain records and whole
// ArrayBuffers cross it: piscina's structured clone would drop the custom properties of a thrown error.
import type { DecodedMask } from '../decode/types.js';
import { MaskParseError, type MaskErrorCode } from '../decode/mask-error.js';

/** The key under which the pool hands its compiled WebAssembly core to every worker (`workerData`). */
export const CORE_MODULE_KEY = 'playmentMasksCore';

export interface DecodeTask {
  /** A whole ArrayBuffer that belongs to the worker (transferred), or the mask text. */
  input: ArrayBuffer | string;
  expectedPoints: number | undefined;
}

/** Labels and histogram live in one ArrayBuffer, moved (not copied) to the caller. */
export interface DecodedReply {
  buffer: ArrayBuffer;
  pointCount: number;
  histogramOffset: number;
  histogramLength: number;
}

export interface ParseErrorReply {
  parseError: { code: MaskErrorCode; offset: number; message: string };
}

export type DecodeReply = DecodedReply | ParseErrorReply;

export function toReply(mask: DecodedMask): DecodedReply {
  return {
    buffer: mask.labels.buffer as ArrayBuffer,
    pointCount: mask.pointCount,
    histogramOffset: mask.histogram.byteOffset,
    histogramLength: mask.histogram.length,
  };
}

export function toErrorReply(error: MaskParseError): ParseErrorReply {
  return { parseError: { code: error.code, offset: error.offset, message: error.message } };
}

/** Rebuilds the worker's answer on the caller's side: views on the moved buffer, or the same MaskParseError. */
export function fromReply(reply: DecodeReply): DecodedMask {
  if ('parseError' in reply) {
    const { code, offset, message } = reply.parseError;
    const error = new MaskParseError(code, offset);
    error.message = message;
    throw error;
  }
  const { buffer, pointCount, histogramOffset, histogramLength } = reply;
  return {
    labels: new Uint16Array(buffer, 0, pointCount),
    histogram: new Uint32Array(buffer, histogramOffset, histogramLength),
    pointCount,
  };
}
