// Where each field lives: in a PCD record (binary), in the decompressed block (binary_compressed), in the result.
import type { PcdField, PcdHeader } from './header.js';

export type PcdFieldArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array;

type FieldArrayConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => PcdFieldArray;

const ARRAY_TYPES: Record<string, FieldArrayConstructor> = {
  F4: Float32Array,
  F8: Float64Array,
  U1: Uint8Array,
  U2: Uint16Array,
  U4: Uint32Array,
  I1: Int8Array,
  I2: Int16Array,
  I4: Int32Array,
  U8: BigUint64Array,
  I8: BigInt64Array,
};

export interface FieldSlot {
  field: PcdField;
  /** Bytes of this field per point: size x count. */
  width: number;
  /** Offset of the field inside one `binary` record. */
  recordOffset: number;
  /** Offset of the field's block in the `binary_compressed` data (blocks are field after field). */
  blockOffset: number;
  /** Offset of the field's array in the result buffer (8-byte aligned), -1 for padding. */
  resultOffset: number;
  /** Elements in the field's array: points x count. */
  length: number;
}

export interface FieldLayout {
  slots: FieldSlot[];
  /** Bytes of one `binary` record. */
  pointSize: number;
  /** Bytes of the result buffer that holds every field's array. */
  resultBytes: number;
}

export function fieldLayout(header: PcdHeader): FieldLayout {
  const { points } = header;
  const slots: FieldSlot[] = [];
  let recordOffset = 0;
  let resultBytes = 0;
  for (const field of header.fields) {
    const width = field.size * field.count;
    const padding = field.name === '_';
    slots.push({
      field,
      width,
      recordOffset,
      blockOffset: recordOffset * points,
      resultOffset: padding ? -1 : resultBytes,
      length: points * field.count,
    });
    recordOffset += width;
    if (!padding) resultBytes += align8(points * width);
  }
  return { slots, pointSize: recordOffset, resultBytes };
}

/** One typed array per field (padding skipped), each a view on `buffer` laid out by `layout`. */
export function fieldViews(layout: FieldLayout, buffer: ArrayBuffer): Record<string, PcdFieldArray> {
  const fields: Record<string, PcdFieldArray> = Object.create(null);
  for (const slot of layout.slots) {
    if (slot.resultOffset < 0) continue;
    const ArrayType = ARRAY_TYPES[`${slot.field.type}${slot.field.size}`]!;
    fields[slot.field.name] = new ArrayType(buffer, slot.resultOffset, slot.length);
  }
  return fields;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
