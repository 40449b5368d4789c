// Reference implementations for the decodeMask tests: the mask grammar written plainly in JS (same codes and offsets
// as the WebAssembly core must give), and JSON.parse as an independent oracle for valid masks.
import { expect } from 'vitest';
import { type DecodedMask, decodeMask, MaskParseError } from '../src/index.js';

export type Outcome = { labels: Uint16Array } | { code: string; offset: number };

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isWhitespace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The accepted language, byte by byte: a JSON array of integers 0..65535, JSON whitespace, an optional BOM. */
export function referenceDecode(bytes: Uint8Array): Outcome {
  const end = bytes.length;
  const labels: number[] = [];
  const fail = (code: string, offset: number): Outcome => ({ code, offset });
  const skip = (p: number): number => {
    while (p < end && isWhitespace(bytes[p])) p++;
    return p;
  };
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  p = skip(p);
  if (p === end) return fail('EMPTY_INPUT', p);
  if (bytes[p] !== 0x5b) return fail('EXPECTED_ARRAY', p);
  p = skip(p + 1);
  if (bytes[p] === 0x5d) {
    p++;
  } else {
    for (;;) {
      if (p === end) return fail('UNEXPECTED_END', p);
      const c = bytes[p]!;
      if (c === 0x2d || c === 0x2b) return fail('SIGNED_VALUE', p);
      if (!isDigit(c)) return fail('EXPECTED_VALUE', p);
      const start = p;
      if (c === 0x30 && isDigit(bytes[p + 1])) return fail('LEADING_ZERO', p);
      let value = 0;
      while (isDigit(bytes[p])) {
        value = value * 10 + bytes[p]! - 0x30;
        if (value > 0xffff) return fail('VALUE_OUT_OF_RANGE', start);
        p++;
      }
      if (bytes[p] === 0x2e || bytes[p] === 0x65 || bytes[p] === 0x45) return fail('NOT_AN_INTEGER', p);
      labels.push(value);
      p = skip(p);
      if (p === end) return fail('UNEXPECTED_END', p);
      if (bytes[p] === 0x5d) {
        p++;
        break;
      }
      if (bytes[p] !== 0x2c) return fail('EXPECTED_COMMA_OR_END', p);
      p = skip(p + 1);
    }
  }
  p = skip(p);
  if (p !== end) return fail('TRAILING_DATA', p);
  return { labels: Uint16Array.from(labels) };
}

/** What decodeMask gives for `input`: its labels, or the code and offset of its MaskParseError. */
export function decodeOutcome(input: Uint8Array | string): Outcome {
  try {
    return { labels: decodeMask(input).labels };
  } catch (error) {
    if (!(error instanceof MaskParseError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

/** Expects decodeMask to give referenceDecode's outcome for `bytes`: the same labels, or the same code and offset. */
export function expectLikeReference(bytes: Uint8Array): void {
  const expected = referenceDecode(bytes);
  const actual = decodeOutcome(bytes);
  if ('labels' in expected) {
    expect('labels' in actual && bytesOf(actual.labels).equals(bytesOf(expected.labels))).toBe(true);
  } else {
    expect(actual).toEqual(expected);
  }
}

/** JSON.parse as the oracle: the labels of a mask it accepts, or undefined if it rejects it or a value is no label. */
export function jsonParseLabels(text: string): Uint16Array | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const ok = parsed.every((value) => Number.isInteger(value) && value >= 0 && value <= 0xffff && !Object.is(value, -0));
  return ok ? Uint16Array.from(parsed as number[]) : undefined;
}

/** histogram[k] counts the labels equal to k; its length is the largest label + 1. */
export function referenceHistogram(labels: ArrayLike<number>): Uint32Array {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > max) max = labels[i]!;
  const histogram = new Uint32Array(max + 1);
  for (let i = 0; i < labels.length; i++) histogram[labels[i]!]!++;
  return histogram;
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Exact equality of a decoded mask with the expected labels, fast on millions of labels. */
export function sameMask(mask: DecodedMask, labels: Uint16Array): boolean {
  const histogram = referenceHistogram(labels);
  return (
    mask.pointCount === labels.length &&
    bytesOf(mask.labels).equals(bytesOf(labels)) &&
    mask.histogram.length === histogram.length &&
    bytesOf(mask.histogram).equals(bytesOf(histogram))
  );
}

/** True when decodeMask treats the bytes as a legacy PCD mask (src/decode/legacy-mask.ts): outside the text grammar. */
export function startsLikePcd(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  return /^(\xef\xbb\xbf)?[ \t\r\n]*(#|VERSION|FIELDS)/.test(head);
}
