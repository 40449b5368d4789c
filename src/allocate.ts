// Output buffers are overwritten in full right after allocation, so skip the zero fill where the platform allows.
type BufferLike = { allocUnsafeSlow(size: number): { buffer: ArrayBuffer } };
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** A fresh ArrayBuffer of exactly `size` bytes whose contents are unspecified. */
export function allocateUninitialized(size: number): ArrayBuffer {
  return NodeBuffer ? NodeBuffer.allocUnsafeSlow(size).buffer : new ArrayBuffer(size);
}
