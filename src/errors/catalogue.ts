// Every error `code` the package raises, in one table: the class that carries it, what it means, and whether the
// same call may succeed when made again unchanged. Each class takes its codes from here (ErrorCodeOf), so a code
// that is not in this table does not compile; docs/errors.md is checked against it (test/error-catalogue.test.ts).

/**
 * - `yes`: the fault can pass with time (a network fault, a rate limit, a busy folder): the same call made again may
 *   succeed. PlaymentClient retries TIMEOUT, TOO_SLOW, CONNECTION and BAD_ENCODING itself before it raises them.
 * - `by status`: as the HTTP status and the vendor's code say: 408, 429, 5xx and the vendor's transient codes
 *   (`FS_0000`, `FS_0008`, `api_error`) are retried by the client, the other statuses are final.
 * - `no`: the input, the options or the data must change first.
 */
export type Retryable = 'yes' | 'no' | 'by status';

interface CatalogueEntry {
  readonly code: string;
  readonly error: string;
  readonly retryable: Retryable;
  readonly meaning: string;
}

export const ERROR_CATALOGUE = [
  // Any layer: the caller's arguments and signal.
  {
    code: 'INVALID_ARGUMENT',
    error: 'InvalidArgumentError',
    retryable: 'no',
    meaning: 'an option or argument is not usable; the message names it',
  },
  {
    code: 'INVALID_ID',
    error: 'InvalidArgumentError',
    retryable: 'no',
    meaning: 'a project, batch or job id no URL path can carry (`.`, `..`, a lone surrogate)',
  },
  {
    code: 'DETACHED_BUFFER',
    error: 'InvalidArgumentError',
    retryable: 'no',
    meaning: 'the input buffer was transferred elsewhere and has no bytes',
  },
  {
    code: 'ABORTED',
    error: 'AbortError',
    retryable: 'no',
    meaning: "the caller's AbortSignal fired; `cause` is its reason",
  },

  // core: the WebAssembly module.
  {
    code: 'NOT_READY',
    error: 'NotReadyError',
    retryable: 'no',
    meaning: 'a decode in the browser before `ready()` resolved',
  },

  // decode: mask files. `offset` is the byte of the fault.
  { code: 'EMPTY_INPUT', error: 'MaskParseError', retryable: 'no', meaning: 'nothing but whitespace (and a BOM)' },
  { code: 'EXPECTED_ARRAY', error: 'MaskParseError', retryable: 'no', meaning: 'the first token is not `[`' },
  {
    code: 'EXPECTED_VALUE',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: 'no label where one must be (`[1,]`, `["1"]`, `[null]`)',
  },
  {
    code: 'EXPECTED_COMMA_OR_END',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: 'after a label, neither `,` nor `]`',
  },
  { code: 'VALUE_OUT_OF_RANGE', error: 'MaskParseError', retryable: 'no', meaning: 'a label over 65535' },
  { code: 'SIGNED_VALUE', error: 'MaskParseError', retryable: 'no', meaning: 'a label with `-` or `+`' },
  {
    code: 'NOT_AN_INTEGER',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: 'a label with a fraction or an exponent',
  },
  { code: 'LEADING_ZERO', error: 'MaskParseError', retryable: 'no', meaning: 'a label with a leading zero (`01`)' },
  { code: 'UNEXPECTED_END', error: 'MaskParseError', retryable: 'no', meaning: 'the mask ends before its closing `]`' },
  {
    code: 'TRAILING_DATA',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: 'bytes other than whitespace after the closing `]`',
  },
  {
    code: 'POINT_COUNT_MISMATCH',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: '`expectedPoints` is not the number of labels',
  },
  { code: 'TOO_LARGE', error: 'MaskParseError', retryable: 'no', meaning: 'a mask of 2 GiB or more' },
  {
    code: 'INVALID_LEGACY_MASK',
    error: 'MaskParseError',
    retryable: 'no',
    meaning: 'a legacy PCD mask that is not a readable PCD with one `label_key` field; `cause` is the PcdParseError',
  },

  // pcd: point cloud files. `offset` is the byte of the fault.
  {
    code: 'HEADER_UNTERMINATED',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'the header ends without a DATA line',
  },
  { code: 'UNKNOWN_KEYWORD', error: 'PcdParseError', retryable: 'no', meaning: 'a header keyword PCD does not define' },
  { code: 'DUPLICATE_KEYWORD', error: 'PcdParseError', retryable: 'no', meaning: 'a header keyword given twice' },
  { code: 'MISSING_KEYWORD', error: 'PcdParseError', retryable: 'no', meaning: 'a required header keyword is missing' },
  {
    code: 'INVALID_VALUE',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'a header value that is not valid for its keyword',
  },
  {
    code: 'FIELD_COUNT_MISMATCH',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'SIZE, TYPE and COUNT do not have one entry per field',
  },
  {
    code: 'UNSUPPORTED_TYPE',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'a SIZE/TYPE pair other than F4, F8, U1, U2, U4, U8, I1, I2, I4, I8',
  },
  { code: 'DUPLICATE_FIELD', error: 'PcdParseError', retryable: 'no', meaning: 'a field name given twice' },
  { code: 'POINTS_MISMATCH', error: 'PcdParseError', retryable: 'no', meaning: 'POINTS is not WIDTH x HEIGHT' },
  {
    code: 'UNSUPPORTED_DATA',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'DATA is not ascii, binary or binary_compressed',
  },
  { code: 'TOO_LARGE', error: 'PcdParseError', retryable: 'no', meaning: 'more than 1 GiB of point data' },
  { code: 'TRUNCATED_DATA', error: 'PcdParseError', retryable: 'no', meaning: 'the data ends before POINTS points' },
  {
    code: 'TRAILING_DATA',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'bytes other than padding after POINTS points (a lying POINTS)',
  },
  {
    code: 'WRONG_VALUE_COUNT',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'an ascii row without one value per field element',
  },
  { code: 'INVALID_NUMBER', error: 'PcdParseError', retryable: 'no', meaning: 'an ascii value that is not a number' },
  {
    code: 'VALUE_OUT_OF_RANGE',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'an ascii value that does not fit its field type',
  },
  {
    code: 'SIZE_MISMATCH',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'binary_compressed block sizes that do not match the header',
  },
  { code: 'LZF_INPUT_OVERRUN', error: 'PcdParseError', retryable: 'no', meaning: 'the LZF stream ends inside a token' },
  {
    code: 'LZF_OUTPUT_OVERRUN',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'the LZF stream writes past the declared size',
  },
  {
    code: 'LZF_BAD_BACKREFERENCE',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'an LZF back reference before the start of the data',
  },
  {
    code: 'LZF_SHORT_OUTPUT',
    error: 'PcdParseError',
    retryable: 'no',
    meaning: 'the LZF stream ends before the declared size',
  },
  {
    code: 'POINT_COUNT_MISMATCH',
    error: 'LabelJoinError',
    retryable: 'no',
    meaning: 'a mask and a point cloud with different numbers of points',
  },
  {
    code: 'MISSING_POSITION_FIELD',
    error: 'LabelJoinError',
    retryable: 'no',
    meaning: 'a point cloud without x, y and z (in any letter case)',
  },
  {
    code: 'INVALID_INTENSITY_FIELD',
    error: 'LabelJoinError',
    retryable: 'no',
    meaning: 'an intensity field with more than one value a point',
  },

  // pool: worker threads.
  {
    code: 'WORKER_FAILED',
    error: 'PoolError',
    retryable: 'yes',
    meaning: 'the worker decoding this mask died; it is replaced, and masks moved to it with this one fail too',
  },
  { code: 'POOL_CLOSED', error: 'PoolError', retryable: 'no', meaning: '`decode()` after `close()`' },

  // api: the Playment API and its storage host. Carries `url`, and `status`, `apiCode`, `attempts` where known.
  {
    code: 'HTTP_STATUS',
    error: 'ApiError',
    retryable: 'by status',
    meaning: "a non-2xx answer without the API's JSON error (a gateway page, a storage error)",
  },
  {
    code: 'API_ERROR',
    error: 'ApiError',
    retryable: 'by status',
    meaning: "the API's JSON error, any status; `apiCode` is the vendor's `error.code`",
  },
  {
    code: 'TIMEOUT',
    error: 'ApiError',
    retryable: 'yes',
    meaning: 'no headers or no next body chunk within `timeoutMs`, or an attempt longer than `requestTimeoutMs`',
  },
  {
    code: 'TOO_SLOW',
    error: 'ApiError',
    retryable: 'yes',
    meaning: 'a body arriving slower than `minBytesPerSecond` on average over `minSpeedWindowMs`',
  },
  {
    code: 'KEY_IN_URL',
    error: 'ApiError',
    retryable: 'no',
    meaning: "a URL from the server for another origin than the API's holds the API key: it is not requested",
  },
  {
    code: 'CONNECTION',
    error: 'ApiError',
    retryable: 'yes',
    meaning: 'the connection failed, was reset, or the body was cut off',
  },
  {
    code: 'REQUEST_FAILED',
    error: 'ApiError',
    retryable: 'no',
    meaning:
      'the request could not be made for a reason a retry would not change (a refused TLS certificate); see `cause`',
  },
  {
    code: 'RESPONSE_TOO_LARGE',
    error: 'ApiError',
    retryable: 'no',
    meaning: 'a body over its size limit, as announced or once decoded',
  },
  {
    code: 'BAD_ENCODING',
    error: 'ApiError',
    retryable: 'yes',
    meaning: 'an unknown Content-Encoding, or a compressed body that does not decode',
  },
  { code: 'BAD_JSON', error: 'ApiError', retryable: 'no', meaning: 'an API answer that is not JSON' },
  { code: 'BAD_RESPONSE', error: 'ApiError', retryable: 'no', meaning: 'JSON without the fields the API documents' },
  {
    code: 'BAD_REDIRECT',
    error: 'ApiError',
    retryable: 'no',
    meaning: 'the attachment endpoint did not redirect to a usable https URL',
  },
  {
    code: 'REPEATED_PAGE_TOKEN',
    error: 'ApiError',
    retryable: 'no',
    meaning: "the batch's pages loop back to a token already followed",
  },
  { code: 'TOO_MANY_PAGES', error: 'ApiError', retryable: 'no', meaning: 'the batch has more than `maxPages` pages' },
  { code: 'NO_RESULT', error: 'ApiError', retryable: 'no', meaning: 'the job has no result URL (it is not completed)' },
  {
    code: 'THROTTLED',
    error: 'ApiError',
    retryable: 'yes',
    meaning: 'refused for the rate limit for longer than `maxThrottledMs`; `cause` is the last refusal',
  },
  {
    code: 'ABORTED',
    error: 'ApiError',
    retryable: 'no',
    meaning: "the request's AbortSignal fired; `cause` is its reason",
  },

  // result: the vendor's result objects, in any of the three documented shapes.
  {
    code: 'BAD_RESULT_OBJECT',
    error: 'ResultObjectError',
    retryable: 'no',
    meaning:
      'a result object that is not JSON, not a JSON object, or of none of the documented shapes (the message names what it holds instead), or a mask without a URL',
  },
  {
    code: 'UNREADABLE_CLASS',
    error: 'ResultObjectError',
    retryable: 'no',
    meaning:
      'a label_key that an annotation or legend entry names without a class (no label, text, value nor class_id)',
  },
  {
    code: 'NO_POINT_CLOUD',
    error: 'ResultObjectError',
    retryable: 'no',
    meaning:
      'with points: no cloud for a mask, by its sensor id nor through sensor_meta; the message names what the frame lists and sensor_meta says',
  },

  // export: files, classes, the output folder.
  {
    code: 'INVALID_RESULT',
    error: 'InvalidResultError',
    retryable: 'no',
    meaning: 'a job that its batch page lists without a usable id or reference_id',
  },
  {
    code: 'TOO_MANY_CLASSES',
    error: 'ExportError',
    retryable: 'no',
    meaning: 'more classes than a class id can number (65535)',
  },
  {
    code: 'TOO_MANY_INSTANCES',
    error: 'ExportError',
    retryable: 'no',
    meaning: 'a job with more objects than an instance id can number (65535)',
  },
  {
    code: 'NO_LABELS',
    error: 'ExportError',
    retryable: 'no',
    meaning: 'with `--require-labels`: no point of the job has a class (every label_key is unnamed)',
  },
  {
    code: 'UNKNOWN_CLASS',
    error: 'UnknownClassError',
    retryable: 'no',
    meaning: 'a class of the batch that the `--classes` table lacks',
  },
  {
    code: 'INVALID_CLASS_TABLE',
    error: 'InvalidClassTableError',
    retryable: 'no',
    meaning: 'the `--classes` file (or an earlier classes.json) is not a class table',
  },
  {
    code: 'OUTPUT_LOCKED',
    error: 'OutputLockedError',
    retryable: 'yes',
    meaning: 'another export is writing to the folder; `lockFile` is the lock to delete if none is',
  },
  {
    code: 'OUTPUT_SYMLINK',
    error: 'OutputPathError',
    retryable: 'no',
    meaning: 'the `jobs` folder (or a job folder) is a symbolic link',
  },
  {
    code: 'OUTPUT_NOT_A_FOLDER',
    error: 'OutputPathError',
    retryable: 'no',
    meaning: 'the output folder or its `jobs` folder is a file',
  },
  {
    code: 'OUTPUT_TAKEN',
    error: 'OutputPathError',
    retryable: 'no',
    meaning:
      "the output folder's `summary.json`, `classes.json` or `index.jsonl` is another batch's export or not an export's: the export would replace it",
  },

  // dataset: building a SemanticKITTI tree from an export.
  {
    code: 'NOT_AN_EXPORT',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'the folder lacks a readable summary.json, classes.json or job file of an export',
  },
  {
    code: 'BAD_INDEX',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'a line of index.jsonl is not an index line; `message` gives its byte offset',
  },
  {
    code: 'NOT_KITTI',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'the export was not made with `--format kitti`',
  },
  {
    code: 'NOT_CLASS_LABELS',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'the export holds raw label keys (`--labels raw`)',
  },
  { code: 'NO_POINTS', error: 'DatasetError', retryable: 'no', meaning: 'the export was made without `--with-points`' },
  {
    code: 'MISALIGNED',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'a scan and its labels do not hold the same number of points',
  },
  {
    code: 'NO_POSE',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'a frame without a lidar `sensor_pose` nor an `ego_pose` with a heading and a position',
  },
  {
    code: 'OUT_NOT_EMPTY',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'the output folder is neither empty nor a tree this command built',
  },
  {
    code: 'WRONG_FORMAT',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'the export is in a `--format` the target does not read',
  },
  {
    code: 'TOO_MANY_CLASSES',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'nuscenes: more than 255 classes (lidarseg labels are uint8); map them down with `--classes`',
  },
  {
    code: 'TOO_MANY_INSTANCES',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'nuscenes: a job with more than 999 objects (panoptic labels are class * 1000 + instance)',
  },
  {
    code: 'ROW_GROUP_TOO_LARGE',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'parquet: over 250 million points in one file; use a smaller `--rows-per-file`',
  },
  {
    code: 'TOO_LARGE',
    error: 'DatasetError',
    retryable: 'no',
    meaning: 'nuscenes: a panoptic file over 4 GiB (ZIP32)',
  },
  {
    code: 'ENCODE_FAILED',
    error: 'DatasetError',
    retryable: 'no',
    meaning:
      'parquet: a file could not be encoded or written (the message names it and says why); nothing is left under its name',
  },

  // report: a static report of an export (and the viewer's reading of one).
  {
    code: 'NOT_AN_EXPORT',
    error: 'ReportError',
    retryable: 'no',
    meaning: 'the folder lacks a readable summary.json, classes.json or index.jsonl of an export',
  },
  {
    code: 'BAD_INDEX',
    error: 'ReportError',
    retryable: 'no',
    meaning: 'a line of index.jsonl is not an index line; `message` gives its byte offset',
  },
  {
    code: 'BAD_LABEL_FILE',
    error: 'ReportError',
    retryable: 'no',
    meaning: "a label file is not one the export's format writes",
  },
  {
    code: 'MISALIGNED',
    error: 'ReportError',
    retryable: 'no',
    meaning: 'a points file does not hold the points of its label file',
  },
  {
    code: 'RENDER_FAILED',
    error: 'ReportError',
    retryable: 'no',
    meaning: 'a frame could not be read, drawn or written (a file system error); the message says which and why',
  },
  {
    code: 'OUT_NOT_EMPTY',
    error: 'ReportError',
    retryable: 'no',
    meaning: 'the output folder is neither empty nor a report this command wrote',
  },

  // cli
  {
    code: 'USAGE',
    error: 'UsageError',
    retryable: 'no',
    meaning: 'a command line the CLI cannot run (exit code 2); the message names the flag or variable',
  },

  // summary.json only: a job failed with an error that carries no code of its own (a bug, or a Node.js error).
  {
    code: 'UNKNOWN',
    error: '(summary.json)',
    retryable: 'no',
    meaning: 'a job failed with an error that has no code; the message says what it was',
  },
] as const satisfies readonly CatalogueEntry[];

type Entry = (typeof ERROR_CATALOGUE)[number];

/** The name of an error class of the package (or the summary's stand-in for an error without a class). */
export type ErrorClassName = Entry['error'];

/** The codes an error class may carry. */
export type ErrorCodeOf<Name extends ErrorClassName> = Extract<Entry, { error: Name }>['code'];

/** Every code of the package. */
export type ErrorCode = Entry['code'];
