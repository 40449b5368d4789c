// The counters exportBatch() reports to `onProgress` while it runs.
import type { RateStats } from '../api/index.js';

export interface ExportProgress {
  /** Distinct jobs seen in the batch pages so far. */
  jobsListed: number;
  /** All pages are read: `jobsListed` is the batch's total. */
  listingDone: boolean;
  /** Jobs exported by this run. */
  jobsDone: number;
  /** Jobs already complete in the output folder (an earlier run), skipped without a request. */
  jobsResumed: number;
  /** Jobs that failed after the client's retries. */
  jobsFailed: number;
  /** Jobs left out for their status (not finished), without a request. */
  jobsSkipped: number;
  /** Mask files written by this run. */
  masksDone: number;
  /** Points in those masks. */
  pointsDone: number;
  /** Attachment bytes downloaded (result objects and masks). */
  bytesDownloaded: number;
  /** Bytes of response bodies held now (see `maxBytesInFlight`). */
  bytesInFlight: number;
  /** The most bytes of response bodies held at once so far. */
  peakBytesInFlight: number;
  /** Requests this export sent to the API's origin, and how many of them the API refused for its rate limit. */
  apiRequests: number;
  apiThrottled: number;
  /** The request rate the client settled on under the API's rate limit (or --max-rps); null while none holds it. */
  apiRatePerSecond: number | null;
  elapsedMs: number;
}

/** Where the counters of bytes in flight come from (the export's ByteBudget). */
export interface BytesInFlight {
  readonly used: number;
  readonly peak: number;
}

/** Mutable counters plus the throttle-free notification of the caller. */
export class ProgressCounters {
  jobsListed = 0;
  listingDone = false;
  jobsDone = 0;
  jobsResumed = 0;
  jobsFailed = 0;
  jobsSkipped = 0;
  masksDone = 0;
  pointsDone = 0;
  bytesDownloaded = 0;
  readonly #started = performance.now();
  readonly #listener: ((progress: ExportProgress) => void) | undefined;
  readonly #apiStats: () => RateStats;
  readonly #apiBefore: RateStats;

  readonly #inFlight: BytesInFlight;

  /** `apiStats` reads the client's counters: the export reports what it added to them. */
  constructor(
    listener: ((progress: ExportProgress) => void) | undefined,
    inFlight: BytesInFlight,
    apiStats: () => RateStats,
  ) {
    this.#listener = listener;
    this.#inFlight = inFlight;
    this.#apiStats = apiStats;
    this.#apiBefore = apiStats();
  }

  /** Hands a snapshot to the listener. */
  emit(): void {
    this.#listener?.(this.snapshot());
  }

  snapshot(): ExportProgress {
    const api = this.#apiStats();
    return {
      jobsListed: this.jobsListed,
      listingDone: this.listingDone,
      jobsDone: this.jobsDone,
      jobsResumed: this.jobsResumed,
      jobsFailed: this.jobsFailed,
      jobsSkipped: this.jobsSkipped,
      masksDone: this.masksDone,
      pointsDone: this.pointsDone,
      bytesDownloaded: this.bytesDownloaded,
      bytesInFlight: this.#inFlight.used,
      peakBytesInFlight: this.#inFlight.peak,
      apiRequests: api.requests - this.#apiBefore.requests,
      apiThrottled: api.throttled - this.#apiBefore.throttled,
      apiRatePerSecond: api.ratePerSecond,
      elapsedMs: performance.now() - this.#started,
    };
  }
}
