// What the simulated API knows: a project with one batch of jobs, its pages, and every job's result object and masks,
// all deterministic from a seed. No I/O here: the server (server.ts) serves it, tests use it as the expected answer.
import { InvalidArgumentError } from '../errors.js';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { jobAnnotations, simClasses, type JobAnnotations, type SimClass } from './annotations.js';
import { formatMaskText, generateMaskLabels, seededRandom } from './mask-text.js';
import { SIM_DATASET_OPTIONS } from './option-table.js';

/** The batch: the options of SIM_DATASET_OPTIONS (option-table.ts), and those only a program gives. */
export interface DatasetOptions extends OptionValues<typeof SIM_DATASET_OPTIONS> {
  /** The jobs' ids, in batch order: any strings, unique (for example hostile ones such as `../x` or `a/b`). */
  jobIds?: readonly string[];
  /** Job indices whose point clouds have one point more than their masks (to test the check). Default none. */
  mismatchedPointClouds?: readonly number[];
  /** Job indices whose results name no key at all: every point unnamed. Default none. */
  unnamedJobs?: readonly number[];
  /**
   * Job index -> status, for jobs not yet finished (e.g. 'in_progress', 'created'): the batch lists that status and
   * the job result has no result URL. Default: every job 'completed'.
   */
  jobStatuses?: Readonly<Record<number, string>>;
  /** Job indices whose masks label no point (all 0), although their annotations name classes. Default none. */
  unlabelledJobs?: readonly number[];
  /**
   * Job indices where one track (the job's first object, seen in every frame) is given another class from its second
   * frame on, as a labelling slip would. Default none.
   */
  classChangingTracks?: readonly number[];
}

/** The status of a finished job: the only one whose job result carries a result URL. */
export const COMPLETED = 'completed';
/** The spellings of a finished job's status the vendor uses (API pages, callbacks, batch details). */
const COMPLETED_SPELLINGS: ReadonlySet<string> = new Set([COMPLETED, 'COMPLETED', 'Complete']);

/** Whether the vendor would call a job of this status finished (and give its job result a result URL). */
export function isCompleted(status: string): boolean {
  return COMPLETED_SPELLINGS.has(status);
}

/** The documented shapes of a result object. */
export type SimShape = 'frames' | 'single-frame' | 'legacy';
const MIXED_SHAPES: readonly SimShape[] = ['frames', 'single-frame', 'legacy'];
const MIXED_STATUSES: readonly string[] = [...COMPLETED_SPELLINGS];
/** A key that masks hold with `unnamedKeys` and no annotation names (above every key annotations draw). */
export const UNNAMED_KEY = 9999;
/** What the legacy legend calls key 0 (a real class there, as in the vendor's example). */
export const LEGACY_KEY_ZERO = 'CROSSWALK';

export interface SimJob {
  /** Position in the batch, from 0: storage paths use it, so ids of any shape are safe there. */
  index: number;
  id: string;
  referenceId: string;
}

/** One mask the simulated API serves, as a test expects to find it after an export. */
export interface ExpectedMask {
  jobIndex: number;
  jobId: string;
  referenceId: string;
  /** Frame and sensor indexes, for maskLabels() and maskText(); a legacy job's one mask is frame 0, sensor 0. */
  frame: number;
  sensor: number;
  frameId: string;
  sensorId: string;
  maskId: string;
  /** Path of the mask file on the storage host (its private URL is the storage origin + this). */
  path: string;
  points: number;
}

export interface BatchPageData {
  jobs: SimJob[];
  /** Absent on the last page, '' on an empty last page. */
  nextToken?: string;
}

// Page tokens are consecutive integers around 1.6e18: above 2^53, so a client that turns one into a number gets a
// neighbour's token (or none) instead.
const TOKEN_BASE = 1_575_822_103_313_046_000n;

export class SimDataset {
  readonly seed: number;
  readonly projectId: string;
  readonly batchId: string;
  readonly batchName: string;
  readonly frames: number;
  readonly sensors: number;
  readonly points: number;
  readonly pageSize: number;
  readonly jobs: readonly SimJob[];
  /** `sensorIds[s]`: the id of lidar sensor s in every frame. */
  readonly sensorIds: readonly string[];
  readonly mismatchedPointClouds: ReadonlySet<number>;
  readonly legacyMasks: boolean;
  readonly vendorSensors: boolean;
  readonly unnamedKeys: boolean;
  readonly #shape: SimShape | 'mixed';
  readonly #unnamed: ReadonlySet<number>;
  /** The project's classes (the same in every job); annotations name them by class_id, label and color. */
  readonly classes: readonly SimClass[];
  readonly #classesPerJob: { perJob: number; shared: boolean } | undefined;
  readonly #statuses: string[];
  readonly #revisions: number[];
  readonly #annotations = new Map<number, { revision: number; value: JobAnnotations }>();
  readonly pclPadding: boolean;
  readonly nanReturns: boolean;
  readonly unlabelledJobs: ReadonlySet<number>;
  readonly classChangingTracks: ReadonlySet<number>;
  readonly #pageTokens: readonly string[];
  readonly #jobsById: ReadonlyMap<string, SimJob>;
  readonly #tokenPages: ReadonlyMap<string, number>;

  constructor(options: DatasetOptions = {}) {
    const settings = resolveOptions(SIM_DATASET_OPTIONS, options);
    const { seed } = settings;
    const random = seededRandom(seed);
    this.seed = seed;
    this.projectId = settings.projectId ?? uuid(random);
    this.batchId = settings.batchId ?? uuid(random);
    this.batchName = `Batch ${seed}`;
    this.frames = settings.frames;
    this.sensors = settings.sensors;
    this.points = settings.points;
    this.pageSize = settings.pageSize;
    const ids = options.jobIds ?? Array.from({ length: settings.jobs }, () => uuid(random));
    if (new Set(ids).size !== ids.length || ids.some((id) => typeof id !== 'string' || id === '')) {
      throw new InvalidArgumentError('options.jobIds must be distinct non-empty strings');
    }
    this.jobs = ids.map((id, index) => ({ index, id, referenceId: String(index + 1).padStart(3, '0') }));
    this.mismatchedPointClouds = new Set(options.mismatchedPointClouds ?? []);
    this.legacyMasks = settings.legacyMasks;
    this.#shape = settings.shape;
    const mixed = this.#shape === 'mixed';
    this.vendorSensors = settings.vendorSensors ?? mixed;
    this.unnamedKeys = settings.unnamedKeys ?? mixed;
    this.#unnamed = new Set(options.unnamedJobs ?? []);
    const { classesPerJob: perJob, sharedClasses: shared } = settings;
    if (perJob !== undefined) {
      this.#classesPerJob = { perJob, shared };
      this.classes = simClasses(seed, uuid, shared ? perJob : perJob * this.jobs.length);
    } else {
      this.classes = simClasses(seed, uuid);
    }
    this.#statuses = this.jobs.map(
      (job) => options.jobStatuses?.[job.index] ?? (mixed ? MIXED_STATUSES[job.index % 3]! : COMPLETED),
    );
    this.#revisions = this.jobs.map(() => 0);
    this.pclPadding = settings.pclPadding;
    this.nanReturns = settings.nanReturns;
    this.unlabelledJobs = new Set(options.unlabelledJobs ?? []);
    this.classChangingTracks = new Set(options.classChangingTracks ?? []);
    this.sensorIds = Array.from({ length: this.sensors }, (_, s) => String(18_158_562 + s * 1_117));
    const pages = Math.max(1, Math.ceil(this.jobs.length / this.pageSize)) + (settings.emptyLastPage ? 1 : 0);
    const firstToken = TOKEN_BASE + BigInt(seed) * 1_000_000n;
    this.#pageTokens = Array.from({ length: pages }, (_, page) =>
      page === 0 ? '' : String(firstToken + BigInt(page)),
    );
    this.#jobsById = new Map(this.jobs.map((job) => [job.id, job]));
    this.#tokenPages = new Map(this.#pageTokens.map((token, page) => [token, page]));
  }

  get pageCount(): number {
    return this.#pageTokens.length;
  }

  /** The token that asks for page `page` ('' for the first). */
  pageToken(page: number): string {
    return this.#pageTokens[page] ?? '';
  }

  /** The page a token asks for, or undefined for a token the batch never issued. */
  pageOfToken(token: string): number | undefined {
    return this.#tokenPages.get(token);
  }

  page(page: number): BatchPageData {
    const jobs = this.jobs.slice(page * this.pageSize, (page + 1) * this.pageSize);
    if (page + 1 < this.pageCount) return { jobs, nextToken: this.pageToken(page + 1) };
    return jobs.length === 0 && page > 0 ? { jobs, nextToken: '' } : { jobs };
  }

  job(id: string): SimJob | undefined {
    return this.#jobsById.get(id);
  }

  /** The shape of the job's result object. */
  shapeOf(jobIndex: number): SimShape {
    return this.#shape === 'mixed' ? MIXED_SHAPES[jobIndex % 3]! : this.#shape;
  }

  /** Whether the job's result names no key at all. */
  namesNoKey(jobIndex: number): boolean {
    return this.#unnamed.has(jobIndex);
  }

  /** The job's masks as (frame, sensor) indexes: every frame and sensor, the first frame's only, or (legacy) one. */
  masksOf(jobIndex: number): { frame: number; sensor: number }[] {
    const shape = this.shapeOf(jobIndex);
    if (shape === 'legacy') return [{ frame: 0, sensor: 0 }];
    const frames = shape === 'single-frame' ? 1 : this.frames;
    return Array.from({ length: frames * this.sensors }, (_, i) => ({
      frame: Math.floor(i / this.sensors),
      sensor: i % this.sensors,
    }));
  }

  /**
   * The class an exporter must find for `key` in the job, as the result names it (legacy: the legend's text without
   * its instance suffix, and key 0 a class), with the legacy legend's instance number; undefined for an unnamed key.
   */
  expectedClass(jobIndex: number, key: number): { name: string; classId?: string; instance?: number } | undefined {
    if (this.namesNoKey(jobIndex)) return undefined;
    if (this.shapeOf(jobIndex) === 'legacy') {
      if (key === 0) return { name: LEGACY_KEY_ZERO };
      const entry = this.legacyLegend(jobIndex).find((candidate) => candidate.key === key);
      return entry && { name: entry.className, instance: entry.instance };
    }
    const meaning = this.keyMeaning(jobIndex, key);
    if (!meaning) return undefined;
    const { label, classId } = meaning.class;
    return classId === undefined ? { name: label } : { name: label, classId };
  }

  /** The legacy legend's objects: those of frame 0, numbered per class in object order. */
  legacyLegend(jobIndex: number): { key: number; className: string; instance: number; color: string }[] {
    const { objects, annotations } = this.annotations(jobIndex);
    const perClass = new Map<string, number>();
    return annotations
      .filter((annotation) => annotation.frame === 0)
      .map(({ key, object }) => {
        const { label, color } = this.classes[objects[object]!.classIndex]!;
        const className = label.toUpperCase();
        const instance = (perClass.get(className) ?? 0) + 1;
        perClass.set(className, instance);
        return { key, className, instance, color };
      });
  }

  /** The job's status as the batch lists it ('completed' unless `jobStatuses` or setStatus() said otherwise). */
  status(jobIndex: number): string {
    return this.#statuses[jobIndex]!;
  }

  setStatus(jobIndex: number, status: string): void {
    this.#job(jobIndex);
    this.#statuses[jobIndex] = status;
  }

  /** How many times the job was re-labelled (relabel()). */
  revision(jobIndex: number): number {
    return this.#revisions[jobIndex]!;
  }

  /** The job is labelled again: new objects, keys and masks, so a new result object. */
  relabel(jobIndex: number): void {
    this.#job(jobIndex);
    this.#revisions[jobIndex]!++;
  }

  /** The job's objects and their annotations (one per object and frame it is seen in). */
  annotations(jobIndex: number): JobAnnotations {
    const revision = this.revision(jobIndex);
    const cached = this.#annotations.get(jobIndex);
    if (cached?.revision === revision) return cached.value;
    const seed = (this.#jobSeed(jobIndex) ^ 0x1b873593) >>> 0;
    const value = jobAnnotations(seed, this.frames, this.classes.length, uuid, this.#objectClasses(jobIndex));
    if (this.classChangingTracks.has(jobIndex)) changeTrackClass(value, this.classes.length);
    this.#annotations.set(jobIndex, { revision, value });
    return value;
  }

  /** The class of each of the job's objects, with `classesPerJob`. */
  #objectClasses(jobIndex: number): number[] | undefined {
    if (!this.#classesPerJob) return undefined;
    const { perJob, shared } = this.#classesPerJob;
    const first = shared ? 0 : jobIndex * perJob;
    return Array.from({ length: perJob }, (_, i) => first + i);
  }

  /** The class and track an annotation of the job gives `key`, or undefined where none names it (such as 0). */
  keyMeaning(jobIndex: number, key: number): { class: SimClass; trackId: string } | undefined {
    const { objects, annotations } = this.annotations(jobIndex);
    const annotation = annotations.find((candidate) => candidate.key === key);
    if (!annotation) return undefined;
    const object = objects[annotation.object]!;
    return { class: this.classes[annotation.classIndex ?? object.classIndex]!, trackId: object.trackId };
  }

  /**
   * The mask of job `jobIndex`, frame `frame`, sensor `sensor`: its labels, from the shared realistic generator,
   * drawn from the keys of the frame's annotations and 0 (points of no object).
   */
  maskLabels(jobIndex: number, frame: number, sensor: number): Uint16Array {
    if (this.unlabelledJobs.has(jobIndex)) return new Uint16Array(this.points);
    const seed = this.#maskSeed(jobIndex, frame, sensor);
    const keys = this.annotations(jobIndex)
      .annotations.filter((annotation) => annotation.frame === frame)
      .map((annotation) => annotation.key);
    const unnamed = this.unnamedKeys ? [UNNAMED_KEY] : [];
    return generateMaskLabels({ points: this.points, seed, classes: [0, ...keys, ...unnamed] });
  }

  /** The mask file's text, as the storage host serves it. */
  maskText(jobIndex: number, frame: number, sensor: number): string {
    return formatMaskText(this.maskLabels(jobIndex, frame, sensor));
  }

  maskId(jobIndex: number, frame: number, sensor: number): string {
    return uuid(seededRandom(this.#maskSeed(jobIndex, frame, sensor) ^ 0x5bd1e995));
  }

  /** Every mask of the batch's completed jobs, job by job, frame by frame, sensor by sensor. */
  *expectedMasks(): Generator<ExpectedMask> {
    for (const job of this.jobs) {
      if (!isCompleted(this.status(job.index))) continue;
      const legacy = this.shapeOf(job.index) === 'legacy';
      for (const { frame, sensor } of this.masksOf(job.index)) {
        yield {
          jobIndex: job.index,
          jobId: job.id,
          referenceId: job.referenceId,
          frame,
          sensor,
          frameId: String(frame),
          sensorId: legacy ? '' : this.sensorIds[sensor]!,
          maskId: legacy ? '' : this.maskId(job.index, frame, sensor),
          path: legacy ? legacyMaskPath(job.index, frame, sensor) : maskPath(job.index, frame, sensor),
          points: this.points,
        };
      }
    }
  }

  /** A caller's job index, checked: relabel() and setStatus() take one. */
  #job(jobIndex: number): SimJob {
    const job = this.jobs[jobIndex];
    if (!job)
      throw new InvalidArgumentError(`job index ${jobIndex} is no job of the batch (it has ${this.jobs.length})`);
    return job;
  }

  #jobSeed(jobIndex: number): number {
    const revision = Math.imul(this.revision(jobIndex), 0xcc9e2d51);
    return (Math.imul(this.seed + 1, 0x9e3779b1) ^ Math.imul(jobIndex + 1, 0x85ebca6b) ^ revision) >>> 0;
  }

  #maskSeed(jobIndex: number, frame: number, sensor: number): number {
    const mixed = this.#jobSeed(jobIndex) ^ Math.imul(frame + 1, 0xc2b2ae35) ^ Math.imul(sensor + 1, 0x27d4eb2f);
    return mixed >>> 0;
  }
}

/** The job's first object (a road, seen in every frame) takes the next class of the taxonomy after its first frame. */
function changeTrackClass(job: JobAnnotations, classCount: number): void {
  const changed = (job.objects[0]!.classIndex + 1) % classCount;
  for (const annotation of job.annotations) {
    if (annotation.object === 0 && annotation.frame > 0) annotation.classIndex = changed;
  }
}

/** Storage path of a job's result object. */
export function resultPath(jobIndex: number): string {
  return `/results/${jobIndex}.json`;
}

/** Storage path of a legacy PCD mask. */
export function legacyMaskPath(jobIndex: number, frame: number, sensor: number): string {
  return `/legacy-masks/${jobIndex}/${frame}/${sensor}.pcd`;
}

/** Storage path of a mask file. */
export function maskPath(jobIndex: number, frame: number, sensor: number): string {
  return `/masks/${jobIndex}/${frame}/${sensor}.txt`;
}

/** Storage path of a frame's point cloud as one lidar sees it. */
export function pointCloudPath(jobIndex: number, frame: number, sensor: number): string {
  return `/pointclouds/${jobIndex}/${frame}/${sensor}.pcd`;
}

/** A version-4 UUID drawn from `random`. */
export function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
