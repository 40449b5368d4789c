// What decodeMask takes and gives, shared by the text and the legacy PCD decoders and the pool.

export interface DecodedMask {
  /** `labels[i]` is the label key of point i, in the frame's PCD point order. */
  labels: Uint16Array;
  /** `histogram[k]` counts the points labelled k; its length is the largest label + 1 (0 for an empty mask). */
  histogram: Uint32Array;
  pointCount: number;
}

export interface DecodeMaskOptions {
  /** Throw MaskParseError `POINT_COUNT_MISMATCH` unless the mask has exactly this many points. */
  expectedPoints?: number;
  /** Write the labels into this array (from index 0) instead of a new one; `labels` is then a view on it. */
  out?: Uint16Array;
}

export type MaskInput = Uint8Array | ArrayBuffer | string;
