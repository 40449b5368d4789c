// `report`: a static report of a simulated batch (with a planted all-unlabelled job and a track whose class changes)
// exported twice, two jobs re-labelled in between. Expected figures come from the export's own summary.json and
// classes.json and from the simulator's ground truth; PNGs are read back with a decoder written here from the PNG
// specification; the pages are opened from disk in headless Chromium.
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
// The report runs from the built package: its render threads start dist/report-worker.js.
import { buildReport, ReportError, type ReportOutcome } from '../dist/index.js';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { startSimulator, type SimDataset } from '../src/sim/index.js';
import { sharedChromium, skipWithoutChromium } from './browser-support.js';
import { killChildren, run } from './cli-support.js';
import { removeTempDirs, tempDir, tableIdOf, type TableEntry } from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
const chromium = sharedChromium();
afterAll(() => Promise.all([pool.close(), chromium.close(), removeTempDirs()]));

const SHAPE = { jobs: 6, frames: 3, points: 20_000, pageSize: 4, rateLimit: 0 };
const UNLABELLED_JOB = 2;
const CHANGING_TRACK_JOB = 4;
const RELABELLED = [1, 3];

interface Summary {
  points: number;
  classes: { id: number; name: string; points: number }[];
  jobs: { listed: number; exported: number; failed: number };
}

interface Fixture {
  dataset: SimDataset;
  jobIds: string[];
  current: string;
  noPoints: string;
  report: string;
  outcome: ReportOutcome;
  summary: Summary;
  table: TableEntry[];
  /** Per re-labelled job id: class id (this export) -> points whose class changed to it. */
  changedTo: Map<string, Map<number, number>>;
}

let built: Promise<Fixture> | undefined;

/** Built by the first test that needs it (never at collection time). */
function fixture(): Promise<Fixture> {
  built ??= build();
  return built;
}

async function build(): Promise<Fixture> {
  const simulator = await startSimulator({
    ...SHAPE,
    unlabelledJobs: [UNLABELLED_JOB],
    classChangingTracks: [CHANGING_TRACK_JOB],
  });
  const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
  const base = { client, projectId: simulator.projectId, batchId: simulator.batchId, pool };
  const [older, current, noPoints, report] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
  const dataset = simulator.dataset;
  try {
    await exportBatch({ ...base, outDir: older, withPoints: true, instances: true });
    const before = new Map(RELABELLED.map((job) => [job, framesOfClasses(dataset, job)]));
    for (const job of RELABELLED) simulator.relabel(job);
    await exportBatch({ ...base, outDir: current, withPoints: true, instances: true });
    await exportBatch({ ...base, outDir: noPoints, format: 'kitti' });
    const table = (JSON.parse(await readFile(join(current, 'classes.json'), 'utf8')) as { classes: TableEntry[] })
      .classes;
    const changedTo = new Map<string, Map<number, number>>();
    for (const job of RELABELLED) {
      const counts = new Map<number, number>();
      framesOfClasses(dataset, job).forEach((after, frame) => {
        const was = before.get(job)![frame]!;
        after.forEach((simClass, i) => {
          if (simClass === was[i]) return;
          const id = simClass === undefined ? 0 : tableIdOf(table, simClass);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        });
      });
      changedTo.set(dataset.jobs[job]!.id, counts);
    }
    const outcome = await buildReport({ from: current, out: report, against: older });
    const summary = JSON.parse(await readFile(join(current, 'summary.json'), 'utf8')) as Summary;
    const jobIds = dataset.jobs.map((job) => job.id);
    return { dataset, jobIds, current, noPoints, report, outcome, summary, table, changedTo };
  } finally {
    await client.close();
    await simulator.close();
  }
}

type SimClassOf = ReturnType<SimDataset['keyMeaning']>;

/** Per frame, per point: the simulated class of its annotation (undefined for none). */
function framesOfClasses(dataset: SimDataset, job: number): (NonNullable<SimClassOf>['class'] | undefined)[][] {
  return Array.from({ length: dataset.frames }, (_, frame) =>
    Array.from(dataset.maskLabels(job, frame, 0), (key) => dataset.keyMeaning(job, key)?.class),
  );
}

/** Elements of `html` with attribute `attr`, as their attribute maps. */
function elements(html: string, tag: string, attr: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of html.matchAll(new RegExp(`<${tag}\\s([^>]*${attr}[^>]*)>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const [, name, value] of match[1]!.matchAll(/([a-z-]+)="([^"]*)"/g)) attrs[name!] = unescapeHtml(value!);
    found.push(attrs);
  }
  return found;
}

function unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!,
  );
}

/** A PNG read as the specification says: chunks with CRCs unchecked, IHDR, PLTE, IDAT inflated, rows unfiltered. */
function readPng(bytes: Buffer): { width: number; height: number; palette: number[][]; pixels: Uint8Array } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  let palette: number[][] = [];
  const data: Buffer[] = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]]).toEqual([8, 3, 0]); // 8-bit indexed, not interlaced
    } else if (type === 'PLTE') {
      palette = Array.from({ length: length / 3 }, (_, i) => [body[i * 3]!, body[i * 3 + 1]!, body[i * 3 + 2]!]);
    } else if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0); // filter type None
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, palette, pixels };
}

const hex = (rgb: number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

describe('report', () => {
  it('lists every class of classes.json with the points summary.json gives it', async () => {
    const { report, summary, table } = await fixture();
    const rows = elements(await readFile(join(report, 'index.html'), 'utf8'), 'tr', 'data-points');
    const points = new Map(summary.classes.map((entry) => [entry.id, entry.points]));
    expect(rows.map((row) => Number(row['data-class-id'])).sort((a, b) => a - b)).toEqual(
      table.map((entry) => entry.id),
    );
    for (const row of rows) expect(Number(row['data-points'])).toBe(points.get(Number(row['data-class-id'])) ?? 0);
    expect(rows.reduce((sum, row) => sum + Number(row['data-points']), 0)).toBe(summary.points);
  });

  it('flags the all-unlabelled job and the track whose class changes, and nothing about the other jobs', async () => {
    const { report, jobIds, dataset } = await fixture();
    const flags = elements(await readFile(join(report, 'index.html'), 'utf8'), 'li', 'data-flag');
    const unlabelled = jobIds[UNLABELLED_JOB]!;
    expect(flags.filter((flag) => flag['data-flag'] === 'ALL_UNLABELLED').map((flag) => flag['data-job-id'])).toEqual([
      unlabelled,
    ]);
    const shares = flags.filter((flag) => flag['data-flag'] === 'UNLABELLED_SHARE');
    expect(shares.map((flag) => [flag['data-job-id'], flag['data-frame-id']])).toEqual(
      Array.from({ length: dataset.frames }, (_, frame) => [unlabelled, String(frame)]),
    );
    // The planted track is the job's road, in every frame, with another class from frame 1 on: one change, at 1.
    const changes = flags.filter((flag) => flag['data-flag'] === 'TRACK_CLASS_CHANGE');
    expect(changes.map((flag) => [flag['data-job-id'], flag['data-frame-id']])).toEqual([
      [jobIds[CHANGING_TRACK_JOB], '1'],
    ]);
    const others = flags.filter(
      (flag) => flag['data-job-id'] !== unlabelled && flag['data-job-id'] !== jobIds[CHANGING_TRACK_JOB],
    );
    expect(others).toEqual([]);
  });

  it('flags rare classes and far points at the thresholds given', async () => {
    const { current } = await fixture();
    const out = await tempDir();
    const outcome = await buildReport({ from: current, out, thresholds: { rareClassPoints: 1e12, farMetres: 10 } });
    const index = JSON.parse(await readFile(join(current, 'summary.json'), 'utf8')) as Summary;
    const lines = (await readFile(join(current, 'index.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { job_id: string; frame_id: string; histogram: { id: number; points: number }[] },
      );
    // Every class present in a frame is rare against a huge threshold: one flag per (frame, class).
    const expected = lines.reduce(
      (sum, line) => sum + line.histogram.filter((h) => h.id !== 0 && h.points > 0).length,
      0,
    );
    expect(outcome.flags.filter((flag) => flag.code === 'RARE_CLASS')).toHaveLength(expected);
    // The simulated lidar sees 8 to 18 m: beyond 10 m holds points in every frame.
    expect(outcome.flags.filter((flag) => flag.code === 'FAR_POINTS')).toHaveLength(lines.length);
    expect(index.points).toBeGreaterThan(0);
  });

  it("draws every frame with class colours, the background and the marker only, and shows each class with >= 2% of the frame's points", async () => {
    const { report, current, table } = await fixture();
    const index = await readFile(join(report, 'index.html'), 'utf8');
    const colours = new Map(elements(index, 'tr', 'data-points').map((row) => [Number(row['data-class-id']), '']));
    const jobPages = (await readdir(join(report, 'jobs'))).sort();
    const lines = (await readFile(join(current, 'index.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            job_id: string;
            frame_id: string;
            sensor_id: string;
            points: number;
            histogram: { id: number; points: number }[];
          },
      );
    const classColour = await classColours(report, table);
    const [, background, marker] = /<body data-background="(#[0-9a-f]{6})" data-marker="(#[0-9a-f]{6})">/.exec(index)!;
    const allowed = new Set([...classColour.values(), background!, marker!]);
    let images = 0;
    for (const name of jobPages) {
      const html = await readFile(join(report, 'jobs', name), 'utf8');
      for (const img of elements(html, 'img', 'data-job-id')) {
        const line = lines.find(
          (l) =>
            l.job_id === img['data-job-id'] &&
            String(l.frame_id) === img['data-frame-id'] &&
            String(l.sensor_id) === img['data-sensor-id'],
        )!;
        expect(line).toBeDefined();
        const png = readPng(await readFile(join(report, 'jobs', img.src!)));
        expect([png.width, png.height]).toEqual([640, 640]);
        const used = new Set(png.pixels);
        for (const index of used) expect(allowed).toContain(hex(png.palette[index]!));
        const shown = new Set([...used].map((index) => hex(png.palette[index]!)));
        for (const { id, points } of line.histogram) {
          if (points >= 0.02 * line.points) expect(shown, `class ${id} in ${img.src}`).toContain(classColour.get(id));
        }
        images++;
      }
    }
    expect(images).toBe(lines.length);
    expect(colours.size).toBe(table.length);
  });

  it('lists exactly the re-labelled jobs, with the points changed per class', async () => {
    const { report, outcome, changedTo, jobIds } = await fixture();
    const relabelled = RELABELLED.map((job) => jobIds[job]!);
    expect([...outcome.relabelledJobs].sort()).toEqual([...relabelled].sort());
    const rows = elements(await readFile(join(report, 'index.html'), 'utf8'), 'tr', 'data-changed');
    for (const jobId of relabelled) {
      const shown = new Map(
        rows
          .filter((row) => row['data-job-id'] === jobId)
          .map((row) => [Number(row['data-class-id']), Number(row['data-changed'])]),
      );
      expect(shown).toEqual(changedTo.get(jobId));
    }
    expect(new Set(rows.map((row) => row['data-job-id']))).toEqual(new Set(relabelled));
    const diff = await readFile(join(report, 'diff.html'), 'utf8');
    expect(elements(diff, 'img', 'src').length).toBe(RELABELLED.length * SHAPE.frames * 3);
  });

  it('reports an export made without points with statistics and flags, and says that views need points', async () => {
    const { noPoints, summary, jobIds } = await fixture();
    const out = await tempDir();
    const outcome = await buildReport({ from: noPoints, out });
    const index = await readFile(join(out, 'index.html'), 'utf8');
    expect(index).toContain('id="no-points"');
    expect(outcome.images).toBe(0);
    const rows = elements(index, 'tr', 'data-points');
    expect(rows.reduce((sum, row) => sum + Number(row['data-points']), 0)).toBe(summary.points);
    expect(elements(index, 'li', 'data-flag').some((flag) => flag['data-job-id'] === jobIds[UNLABELLED_JOB])).toBe(
      true,
    );
    expect(await readdir(join(out, 'img'))).toEqual([]);
  });

  it('refuses an output folder that holds something else, with OUT_NOT_EMPTY', async () => {
    const { current } = await fixture();
    const out = await tempDir();
    await writeFile(join(out, 'notes.txt'), 'mine');
    await expect(buildReport({ from: current, out })).rejects.toMatchObject({ code: 'OUT_NOT_EMPTY' });
    await expect(buildReport({ from: out, out: await tempDir() })).rejects.toMatchObject({ code: 'NOT_AN_EXPORT' });
  });
});

describe('report: reading the export', () => {
  it('reads an export of raw label keys, and refuses a broken index line with ReportError at its byte offset', async () => {
    const simulator = await startSimulator({ jobs: 2, frames: 2, points: 3000, rateLimit: 0 });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
    const raw = await tempDir();
    try {
      const base = { client, projectId: simulator.projectId, batchId: simulator.batchId, pool };
      await exportBatch({ ...base, outDir: raw, labels: 'raw' });
    } finally {
      await client.close();
      await simulator.close();
    }
    const outcome = await buildReport({ from: raw, out: await tempDir() });
    expect(outcome.frames).toBe(4);
    // Every key the simulator writes is one an annotation names.
    expect(outcome.flags.filter((flag) => flag.code === 'UNNAMED_KEYS')).toEqual([]);

    const lines = (await readFile(join(raw, 'index.jsonl'), 'utf8')).split('\n');
    await writeFile(join(raw, 'index.jsonl'), [lines[0], '{"job_id": ', ...lines.slice(1)].join('\n'));
    const offset = Buffer.byteLength(lines[0]!) + 1;
    const refused = buildReport({ from: raw, out: await tempDir() });
    await expect(refused).rejects.toBeInstanceOf(ReportError);
    await expect(refused).rejects.toMatchObject({
      code: 'BAD_INDEX',
      message: expect.stringContaining(`index.jsonl at byte ${offset}:`),
    });
    // A line whose points are no count: refused at its offset before any buffer is sized by it.
    for (const points of [-1, 1.5, 2 ** 31, '100']) {
      const line = JSON.stringify({ ...JSON.parse(lines[0]!), points });
      await writeFile(join(raw, 'index.jsonl'), [line, ...lines.slice(1)].join('\n'));
      await expect(buildReport({ from: raw, out: await tempDir() })).rejects.toMatchObject({
        code: 'BAD_INDEX',
        message: expect.stringContaining('index.jsonl at byte 0: not an index line'),
      });
    }
  });
});

describe('playment-masks report', () => {
  afterEach(killChildren);

  it('writes the report with the thresholds and view given, and prints where to open it', async () => {
    const { current, jobIds } = await fixture();
    const out = await tempDir();
    const result = await run([
      'report',
      '--from',
      current,
      '--out',
      out,
      '--unlabelled-share',
      '0.1',
      '--view-size',
      '200',
      '--threads',
      '1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Open: ${join(out, 'index.html')}`);
    const index = await readFile(join(out, 'index.html'), 'utf8');
    // At 10% every simulated frame (about 13-16% unlabelled) is flagged, not only the planted job's.
    const flagged = new Set(
      elements(index, 'li', 'data-flag')
        .filter((f) => f['data-flag'] === 'UNLABELLED_SHARE')
        .map((f) => f['data-job-id']),
    );
    expect(flagged).toEqual(new Set(jobIds));
    expect(readPng(await readFile(join(out, 'img', '0001', '0001.png'))).width).toBe(200);
  });

  it('refuses a threshold out of range with a usage error', async () => {
    const result = await run(['report', '--from', 'a', '--out', 'b', '--unlabelled-share', '1.5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--unlabelled-share');
  });
});

/** Class id -> its colour as the report's class table shows it (the swatch). */
async function classColours(report: string, table: readonly TableEntry[]): Promise<Map<number, string>> {
  const index = await readFile(join(report, 'index.html'), 'utf8');
  const colours = new Map<number, string>();
  for (const row of elements(index, 'tr', 'data-points')) {
    // The swatch shows the colour the row names.
    expect(index).toContain(
      `data-color="${row['data-color']}"><td>${row['data-class-id']}</td><td><span class="swatch" style="background:${row['data-color']}">`,
    );
    colours.set(Number(row['data-class-id']), row['data-color']!);
  }
  for (const entry of table) if (entry.color !== undefined) expect(colours.get(entry.id)).toBe(entry.color);
  return colours;
}

describe.skipIf(skipWithoutChromium('test/report.test.ts'))('the report in headless Chromium', () => {
  it('opens from disk with no console error and no request beyond file://, every image loading', async () => {
    const { report, summary } = await fixture();
    const browser = await chromium.browser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file://') ? route.continue() : route.abort(),
    );
    const pages = ['index.html', 'diff.html', ...(await readdir(join(report, 'jobs'))).map((name) => `jobs/${name}`)];
    let images = 0;
    for (const name of pages) {
      await page.goto(pathToFileURL(join(report, name)).href);
      // Lazy images load as they scroll into view: make them all load now, then wait for each.
      const loaded = await page.evaluate(async () => {
        const all = Array.from(document.images);
        for (const img of all) img.loading = 'eager';
        const settled = (img: HTMLImageElement) =>
          new Promise((done) => {
            img.addEventListener('load', done);
            img.addEventListener('error', done);
          });
        await Promise.all(all.map((img) => (img.complete ? undefined : settled(img))));
        return all.map((img) => img.naturalWidth);
      });
      expect(
        loaded.every((width) => width === 640),
        name,
      ).toBe(true);
      images += loaded.length;
      if (name === 'index.html') {
        const rows = await page.$$eval('tr[data-class-id][data-points]', (trs) =>
          trs.map((tr) => [Number(tr.getAttribute('data-class-id')), Number(tr.getAttribute('data-points'))] as const),
        );
        const expected = new Map(summary.classes.map((entry) => [entry.id, entry.points]));
        expect(rows.filter(([, points]) => points > 0)).toEqual([...expected].filter(([, points]) => points > 0));
        const totals = await page.$$eval('[data-total]', (dds) =>
          dds.map((dd) => [dd.getAttribute('data-total'), dd.textContent]),
        );
        expect(Object.fromEntries(totals)).toMatchObject({
          points: summary.points.toLocaleString('en-US'),
          'jobs-exported': String(summary.jobs.exported),
          'jobs-listed': String(summary.jobs.listed),
          'jobs-failed': String(summary.jobs.failed),
        });
        await page.screenshot({ path: join(report, 'screenshot-index.png'), fullPage: true });
      }
      if (name === 'jobs/0001.html') await page.screenshot({ path: join(report, 'screenshot-job.png') });
    }
    expect(images).toBe(SHAPE.jobs * SHAPE.frames + RELABELLED.length * SHAPE.frames * 3);
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    // REPORT_KEEP=DIR: a copy of the report and its screenshots, for a person to look at.
    if (process.env.REPORT_KEEP) await cp(report, process.env.REPORT_KEEP, { recursive: true });
  });
});
