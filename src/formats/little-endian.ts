// Arrays as little-endian bytes, whatever the machine's byte order: without a copy where it is little-endian.
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** The bytes of `values` as uint16 LE: a view on them on a little-endian machine, else a swapped copy. */
export function uint16LE(values: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const view = new DataView(swapped.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i]!, true);
  return swapped;
}

/** `length` values: the start of `into` when it holds that many, else an array of their own. */
export function uint16Array(length: number, into: Uint16Array | undefined): Uint16Array {
  return into && into.length >= length ? into.subarray(0, length) : new Uint16Array(length);
}

/** The uint16 LE values of `bytes` (an even number of them), in `into` when it holds them, else an array of their own. */
export function fromUint16LE(bytes: Uint8Array, into?: Uint16Array): Uint16Array {
  const values = uint16Array(bytes.length / 2, into);
  if (LITTLE_ENDIAN) new Uint8Array(values.buffer, values.byteOffset, values.byteLength).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getUint16(i * 2, true);
  }
  return values;
}

/** `labels` as uint32 LE words, with `instances` (when given) in the high 16 bits of each. */
export function uint32LE(labels: Uint16Array, instances: Uint16Array | undefined): Uint8Array {
  const words = new Uint32Array(labels.length);
  if (LITTLE_ENDIAN && !instances) {
    words.set(labels);
    return new Uint8Array(words.buffer);
  }
  const view = new DataView(words.buffer);
  for (let i = 0; i < labels.length; i++)
    view.setUint32(i * 4, (((instances?.[i] ?? 0) << 16) | labels[i]!) >>> 0, true);
  return new Uint8Array(words.buffer);
}

/** The bytes of `values` as float32 LE: its own buffer on a little-endian machine, else a copy. */
export function float32LE(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}
