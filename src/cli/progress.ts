// What the CLI shows while an export runs: a redrawn bar on a terminal, a plain line every few seconds otherwise.
import type { ExportProgress } from '../export/progress.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;
const BAR_WIDTH = 20;

/** How a kind of progress is drawn: a bar for a terminal, a line for a log. */
export interface ProgressFormat<P> {
  bar(progress: P): string;
  line(progress: P): string;
}

/**
 * Throttled rendering of progress snapshots (an export's by default) to a stream (stderr, so that stdout stays
 * clean for data).
 */
export class ProgressView<P extends { elapsedMs: number } = ExportProgress> {
  readonly #stream: ProgressStream;
  readonly #tty: boolean;
  readonly #everyMs: number;
  #lastDraw: number;
  #drawn = false;
  readonly #format: ProgressFormat<P>;

  constructor(stream: ProgressStream, options: { plainEveryMs?: number; format?: ProgressFormat<P> } = {}) {
    this.#stream = stream;
    this.#format = options.format ?? (EXPORT_FORMAT as unknown as ProgressFormat<P>);
    this.#tty = stream.isTTY === true;
    this.#everyMs = this.#tty ? TTY_REDRAW_MS : (options.plainEveryMs ?? PLAIN_EVERY_MS);
    // A bar appears at once; a log gets its first line after one interval (short exports stay quiet).
    this.#lastDraw = this.#tty ? Number.NEGATIVE_INFINITY : 0;
  }

  update(progress: P): void {
    if (progress.elapsedMs - this.#lastDraw < this.#everyMs) return;
    this.#lastDraw = progress.elapsedMs;
    if (this.#tty) {
      const line = this.#format.bar(progress);
      // A pseudo-terminal may report 0 columns: unknown, as good as none.
      const width = (this.#stream.columns || 80) - 1;
      this.#stream.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${this.#format.line(progress)}\n`);
    }
  }

  /** Clears the bar, so that what follows starts on a clean line. */
  end(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}

/** `[########............] 120/300 jobs  480 masks  52.3 MiB  12.1 MiB/s  API 9.8/s, 3 throttled  ETA 0:14` */
export function formatBar(progress: ExportProgress): string {
  const finished = finishedJobs(progress);
  const fraction = progress.listingDone && progress.jobsListed > 0 ? finished / progress.jobsListed : 0;
  return `${barOf(fraction)} ${counts(progress)}  ETA ${formatEta(progress)}`;
}

/** `[########............]` for a fraction done from 0 to 1. */
export function barOf(fraction: number): string {
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

/** `export: 120/300 jobs, 480 masks, 52.3 MiB, 12.1 MiB/s, API 9.8/s, 3 throttled, ETA 0:14` */
export function formatLine(progress: ExportProgress): string {
  return `export: ${counts(progress).replaceAll('  ', ', ')}, ETA ${formatEta(progress)}`;
}

const EXPORT_FORMAT: ProgressFormat<ExportProgress> = { bar: formatBar, line: formatLine };

function counts(progress: ExportProgress): string {
  const total = progress.listingDone ? String(progress.jobsListed) : `${progress.jobsListed}+`;
  const notes = [
    ...(progress.jobsFailed > 0 ? [`${progress.jobsFailed} failed`] : []),
    ...(progress.jobsSkipped > 0 ? [`${progress.jobsSkipped} skipped`] : []),
  ];
  const failed = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.bytesDownloaded / seconds : 0;
  return [
    `${finishedJobs(progress)}/${total} jobs${failed}`,
    `${progress.masksDone} masks`,
    formatBytes(progress.bytesDownloaded),
    `${formatBytes(rate)}/s`,
    formatApi(progress),
  ]
    .filter((part) => part !== '')
    .join('  ');
}

/**
 * The request rate the client settled on under the API's limit, and the requests refused for it so far; nothing
 * while no limit has shown up.
 */
export function formatApi(progress: ExportProgress): string {
  const rate = progress.apiRatePerSecond;
  if (rate === null && progress.apiThrottled === 0) return '';
  const shown = rate === null ? 'unlimited' : `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s`;
  return `API ${shown}, ${progress.apiThrottled} throttled`;
}

function finishedJobs(progress: ExportProgress): number {
  return progress.jobsDone + progress.jobsResumed + progress.jobsFailed + progress.jobsSkipped;
}

/** Remaining jobs at the rate of the jobs exported so far; unknown until the batch is fully listed. */
export function formatEta(progress: ExportProgress): string {
  const finished = finishedJobs(progress);
  const worked = progress.jobsDone + progress.jobsFailed;
  if (!progress.listingDone || worked === 0)
    return finished === progress.jobsListed && progress.listingDone ? '0:00' : '?';
  const remaining = progress.jobsListed - finished;
  return formatDuration((remaining * progress.elapsedMs) / worked);
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

const UNITS = [
  ['KiB', 1],
  ['MiB', 1],
  ['GiB', 2],
] as const;

/** Sizes in binary units, named as such (KiB, MiB, GiB: powers of 1024); never `1024.0 KiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes / 1024;
  let unit = 0;
  while (unit < UNITS.length - 1 && Number(value.toFixed(UNITS[unit]![1])) >= 1024) {
    value /= 1024;
    unit++;
  }
  const [name, digits] = UNITS[unit]!;
  return `${value.toFixed(digits)} ${name}`;
}
