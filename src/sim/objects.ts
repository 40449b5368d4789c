// The files on the simulated storage host: result objects, mask files and lidar point clouds, generated on first
// request and kept in a byte-bounded cache. A new kind of file is one more entry in KINDS.
import type { SimDataset } from './dataset.js';
import { legacyMaskFile, legacyResultObject } from './legacy.js';
import { pointCloudFile } from './point-cloud.js';
import { resultObject } from './result-object.js';

export interface StorageObject {
  bytes: Uint8Array;
  contentType: string;
}

interface Kind {
  pattern: RegExp;
  contentType: string;
  /** The file for the path's numbers (job index, then frame and sensor where the path has them). */
  generate(dataset: SimDataset, numbers: number[], storageOrigin: string): string | Uint8Array;
}

const KINDS: readonly Kind[] = [
  {
    pattern: /^\/results\/(\d+)\.json$/,
    contentType: 'application/json',
    generate: (dataset, [job], origin) =>
      JSON.stringify((dataset.legacyMasks ? legacyResultObject : resultObject)(dataset, dataset.jobs[job!]!, origin)),
  },
  {
    pattern: /^\/masks\/(\d+)\/(\d+)\/(\d+)\.txt$/,
    contentType: 'text/plain',
    generate: (dataset, [job, frame, sensor]) => dataset.maskText(job!, frame!, sensor!),
  },
  {
    pattern: /^\/pointclouds\/(\d+)\/(\d+)\/(\d+)\.pcd$/,
    contentType: 'application/octet-stream',
    generate: (dataset, [job, frame, sensor]) => pointCloudFile(dataset, job!, frame!, sensor!),
  },
  {
    pattern: /^\/legacy-masks\/(\d+)\/(\d+)\/(\d+)\.pcd$/,
    contentType: 'application/octet-stream',
    generate: (dataset, [job, frame, sensor]) => legacyMaskFile(dataset, job!, frame!, sensor!),
  },
];

const encoder = new TextEncoder();

export class StorageObjects {
  readonly #dataset: SimDataset;
  readonly #origin: string;
  readonly #cacheBytes: number;
  // Insertion order is recency order: a hit is moved to the end, eviction takes from the front.
  readonly #cache = new Map<string, StorageObject>();
  #cachedBytes = 0;
  /** Files generated so far (cache misses). */
  generated = 0;

  constructor(dataset: SimDataset, storageOrigin: string, cacheBytes: number) {
    this.#dataset = dataset;
    this.#origin = storageOrigin;
    this.#cacheBytes = cacheBytes;
  }

  /** Whether a file exists at `path`, without generating it. */
  has(path: string): boolean {
    return this.#match(path) !== undefined;
  }

  get(path: string): StorageObject | undefined {
    const cached = this.#cache.get(path);
    if (cached) {
      this.#cache.delete(path);
      this.#cache.set(path, cached);
      return cached;
    }
    const match = this.#match(path);
    if (!match) return undefined;
    const content = match.kind.generate(this.#dataset, match.numbers, this.#origin);
    this.generated++;
    const bytes = typeof content === 'string' ? encoder.encode(content) : content;
    const object = { bytes, contentType: match.kind.contentType };
    this.#remember(path, object);
    return object;
  }

  /** Drops the job's cached files (after it was re-labelled). */
  forgetJob(jobIndex: number): void {
    for (const [path, object] of this.#cache) {
      if (this.#match(path)?.numbers[0] !== jobIndex) continue;
      this.#cache.delete(path);
      this.#cachedBytes -= object.bytes.length;
    }
  }

  #match(path: string): { kind: Kind; numbers: number[] } | undefined {
    for (const kind of KINDS) {
      const found = kind.pattern.exec(path);
      if (!found) continue;
      const numbers = found.slice(1).map(Number);
      const [job, frame = 0, sensor = 0] = numbers;
      const dataset = this.#dataset;
      if (job! < dataset.jobs.length && frame < dataset.frames && sensor < dataset.sensors) return { kind, numbers };
    }
    return undefined;
  }

  #remember(path: string, object: StorageObject): void {
    if (object.bytes.length > this.#cacheBytes) return;
    this.#cache.set(path, object);
    this.#cachedBytes += object.bytes.length;
    for (const [oldest, old] of this.#cache) {
      if (this.#cachedBytes <= this.#cacheBytes) break;
      this.#cache.delete(oldest);
      this.#cachedBytes -= old.bytes.length;
    }
  }
}
