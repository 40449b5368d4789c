// PCD `DATA ascii`: parsed by the WebAssembly core where it can, by the JS reference parser (ascii-js.ts) otherwise.
import { allocateUninitialized } from '../core/allocate.js';
import { wasmCore } from '../core/wasm.js';
import { convertToken, isWhitespace, parseAsciiData } from './ascii-js.js';
import type { PcdHeader } from './header.js';
import { fieldViews, type FieldLayout } from './layout.js';
import { align64, pcdScratchStart } from './scratch.js';

// Element type codes of the WebAssembly parser's table (assembly/pcd-ascii.ts); padding is SKIP.
const TYPE_CODES: Record<string, number> = { F4: 0, F8: 1, U1: 2, U2: 3, U4: 4, I1: 5, I2: 6, I4: 7, U8: 9, I8: 10 };
const TYPE_SKIP = 8;
const TABLE_ENTRY_BYTES = 12;
const EXCEPTION_BYTES = 8;
// Number tokens the core may leave to JS (more than 19 significant digits) before it gives the data up.
const MAX_EXCEPTIONS = 1 << 22;
// Larger ascii data is parsed in JS, so that WebAssembly memory (4 GiB at most, never returned) stays moderate.
const MAX_CORE_INPUT_BYTES = 2 ** 30;
// The core's table holds one entry per value of a row. With no points COUNT is bounded by nothing (a 90-byte file
// may declare 10^8 values a row), so longer rows go to JS, whose cost does not depend on the row length.
const MAX_CORE_ROW_VALUES = 1 << 16;

/**
 * Parses the ascii rows into one buffer laid out by `layout`. The WebAssembly core parses the rows and the numbers
 * straight into that layout (copied out once); JS parses the rare numbers it leaves (more than 19 significant
 * digits). Where the core gives up (a malformed row or number, a value out of range, too many such numbers),
 * the data is parsed again here in JS, which throws the PcdParseError with its code and offset.
 */
export function readAsciiData(bytes: Uint8Array, header: PcdHeader, layout: FieldLayout): ArrayBuffer {
  return readWithCore(bytes, header, layout) ?? readInJs(bytes, header, layout);
}

function readInJs(bytes: Uint8Array, header: PcdHeader, layout: FieldLayout): ArrayBuffer {
  const buffer = allocateUninitialized(layout.resultBytes);
  parseAsciiData(bytes, header, layout, fieldViews(layout, buffer));
  return buffer;
}

function readWithCore(bytes: Uint8Array, header: PcdHeader, layout: FieldLayout): ArrayBuffer | undefined {
  const data = bytes.subarray(header.dataOffset);
  if (data.length > MAX_CORE_INPUT_BYTES) return undefined;
  if (layout.slots.reduce((sum, slot) => sum + slot.field.count, 0) > MAX_CORE_ROW_VALUES) return undefined;
  // Value j of a row: its field's slot and element.
  const values = layout.slots.flatMap((slot) => Array.from({ length: slot.field.count }, (_, k) => ({ slot, k })));
  const core = wasmCore();
  const inPtr = pcdScratchStart(core);
  const tablePtr = inPtr + align64(data.length);
  const exceptionPtr = tablePtr + align64(values.length * TABLE_ENTRY_BYTES);
  const exceptionCapacity = Math.min(header.points * values.length, MAX_EXCEPTIONS);
  const outPtr = exceptionPtr + align64(exceptionCapacity * EXCEPTION_BYTES);
  core.reserve(outPtr + layout.resultBytes);
  core.u8.set(data, inPtr);
  const table = new Uint32Array(core.buffer, tablePtr, values.length * 3);
  values.forEach(({ slot, k }, j) => {
    const padding = slot.resultOffset < 0;
    table[j * 3] = padding ? 0 : outPtr + slot.resultOffset + k * slot.field.size;
    table[j * 3 + 1] = slot.width;
    table[j * 3 + 2] = padding ? TYPE_SKIP : TYPE_CODES[`${slot.field.type}${slot.field.size}`]!;
  });
  const status = core.exports.parseAscii(
    inPtr,
    data.length,
    header.points,
    values.length,
    tablePtr,
    exceptionPtr,
    exceptionCapacity,
  );
  if (status !== 0) return undefined;
  const exceptions = new Uint32Array(
    core.buffer.slice(exceptionPtr, exceptionPtr + core.exports.asciiExceptions() * EXCEPTION_BYTES),
  );
  const buffer = core.buffer.slice(outPtr, outPtr + layout.resultBytes);
  const fields = fieldViews(layout, buffer);
  for (let e = 0; e < exceptions.length; e += 2) {
    const start = exceptions[e]!;
    const point = Math.floor(exceptions[e + 1]! / values.length);
    const { slot, k } = values[exceptions[e + 1]! % values.length]!;
    let end = start;
    while (end < data.length && !isWhitespace(data[end]!)) end++;
    const value = convertToken(data, start, end, `${slot.field.type}${slot.field.size}`);
    if (typeof value === 'string') return undefined;
    if (slot.resultOffset >= 0) fields[slot.field.name]![point * slot.field.count + k] = value as never;
  }
  return buffer;
}
