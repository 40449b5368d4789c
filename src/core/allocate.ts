// Output buffers are overwritten in full right after allocation, so skip the zero fill where the platform allows.
type BufferLike = { allocUnsafeSlow(size: number): { buffer: ArrayBuffer } };
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/**
 * A fresh ArrayBuffer of exactly `size` bytes whose contents are unspecified. Most of its cost is page faults on first
 * touch; `new ArrayBuffer` and a slice of the core's memory fault as much and measured 1.0-1.6x the time of this plus
 * a copy (labels of 100k and 2M points, Node 20 and 24).
 */
export function allocateUninitialized(size: number): ArrayBuffer {
  return NodeBuffer ? NodeBuffer.allocUnsafeSlow(size).buffer : new ArrayBuffer(size);
}

/**
 * The arrays of a DecodedMask, contents unspecified: labels and histogram as views on one buffer, so that a worker
 * can hand the whole result over in one transfer; with `out`, labels are a view on the caller's array instead. That
 * buffer is `into` when it has room (a buffer already in use costs no page faults), else a new one of their size.
 */
export function allocateMaskResult(
  pointCount: number,
  histogramLength: number,
  out: Uint16Array | undefined,
  into?: ArrayBuffer,
): { labels: Uint16Array; histogram: Uint32Array } {
  if (out) {
    return {
      labels: out.subarray(0, pointCount),
      histogram: new Uint32Array(allocateUninitialized(histogramLength * 4)),
    };
  }
  // Labels padded to 4 bytes for the histogram after them. Plain arithmetic: a mask of 2^31 - 1 bytes has 2^30 - 1
  // points, whose label bytes overflow the 32 bits of `(n * 2 + 3) & ~3`.
  const labelBytes = pointCount * 2 + (pointCount % 2) * 2;
  const size = labelBytes + histogramLength * 4;
  const buffer = into && into.byteLength >= size ? into : allocateUninitialized(size);
  return {
    labels: new Uint16Array(buffer, 0, pointCount),
    histogram: new Uint32Array(buffer, labelBytes, histogramLength),
  };
}
