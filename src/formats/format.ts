// What an output format is: how one mask's labels, instance ids and points are laid out in files. The export asks
// the format, never its name; adding a format is a module like npy.ts, a line in index.ts, and its tests.

/** One output format of the export. */
export interface OutputFormat {
  /** What its label files hold, for --help and the docs: `npy (${labelHelp})`. */
  readonly labelHelp: string;
  /** What its points files hold, for --help and the docs. */
  readonly pointsHelp: string;
  /** The label file's extension, with its dot. */
  readonly labelExtension: string;
  /**
   * The instance file's extension (instance ids written like labels, to a file of their own), or undefined where the
   * label file holds them (encodeLabels' `instances`).
   */
  readonly instancesExtension: string | undefined;
  /** The label file for `labels` (with `instances` where the label file holds them), as chunks to write in order. */
  encodeLabels(labels: Uint16Array, instances?: Uint16Array): Uint8Array[];
  /**
   * The labels of a file encodeLabels wrote, or undefined unless `bytes` are exactly such a file; `withInstances`:
   * the file may hold instance ids too (they are dropped). `into`: an array to write them to when it holds enough
   * values (the result is then a view of it), so that a reader of many files reuses one.
   */
  decodeLabels(bytes: Uint8Array, withInstances: boolean, into?: Uint16Array): Uint16Array | undefined;
  /**
   * The instance ids of a label file that holds them too (encodeLabels' `instances`); absent where instance ids go to
   * a file of their own (`instancesExtension`).
   */
  decodeInstances?(bytes: Uint8Array, into?: Uint16Array): Uint16Array;
  /**
   * Where a label file that holds instance ids too keeps each point's class id and instance id: uint16 LE at these
   * byte offsets of the point's `stride` bytes, so that a reader may take them where they lie instead of decoding them.
   * Absent where instance ids have a file of their own.
   */
  readonly idWords?: IdWords;
  /** The size in bytes of a complete label file of `points` labels: what resume checks. */
  labelFileSize(points: number): number;
  readonly points: PointsLayout;
}

/** The layout of class and instance ids that share a label file (OutputFormat.idWords). */
export interface IdWords {
  readonly stride: number;
  readonly classOffset: number;
  readonly instanceOffset: number;
}

/** How a points file lays out float32 values, little-endian, point after point. */
export interface PointsLayout {
  /** The points file's extension, with its dot. */
  readonly extension: string;
  /** x, y, z, and intensity when 4. */
  readonly valuesPerPoint: 3 | 4;
  /**
   * Whether points without a finite x, y and z are left out, their labels with them (index line `points_left_out`),
   * so that points and labels stay aligned for tools that cannot read NaN.
   */
  readonly dropsNonFinite: boolean;
  /** What precedes the values of `points` points. */
  header(points: number): Uint8Array[];
}
