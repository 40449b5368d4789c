// `view`: the viewer's server answers on 127.0.0.1 only, under its token, with the export's indexed files only; in
// headless Chromium (WebGL on SwiftShader) the page draws a frame whose per-class counts equal the frame's labels
// (the simulator's ground truth through classes.json), in the class colours, and the arrow keys step frames.
import { request } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
// The viewer runs from the built package: it serves dist/viewer-page.js, bundled with three.js.
import { startViewer } from '../dist/index.js';
import { exportBatch, MaskDecoderPool, PlaymentClient } from '../src/index.js';
import { startSimulator, type SimDataset } from '../src/sim/index.js';
import { openerCommand } from '../src/viewer/open.js';
import { sharedChromium, skipWithoutChromium, SOFTWARE_WEBGL } from './browser-support.js';
import { expectedLabels, removeTempDirs, tempDir, type TableEntry } from './export-support.js';

const pool = new MaskDecoderPool({ threads: 2 });
const chromium = sharedChromium(SOFTWARE_WEBGL);
const viewers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(viewers.map((viewer) => viewer.close()));
  await Promise.all([pool.close(), chromium.close(), removeTempDirs()]);
});

interface Fixture {
  dataset: SimDataset;
  out: string;
  table: TableEntry[];
}

let built: Promise<Fixture> | undefined;

function fixture(): Promise<Fixture> {
  built ??= (async () => {
    const simulator = await startSimulator({ jobs: 2, frames: 2, points: 6000, rateLimit: 0 });
    const client = new PlaymentClient({ apiKey: simulator.apiKey, baseUrl: simulator.baseUrl });
    const out = await tempDir();
    try {
      const base = { client, projectId: simulator.projectId, batchId: simulator.batchId, pool };
      await exportBatch({ ...base, outDir: out, withPoints: true, instances: true });
    } finally {
      await client.close();
      await simulator.close();
    }
    const table = (JSON.parse(await readFile(join(out, 'classes.json'), 'utf8')) as { classes: TableEntry[] }).classes;
    return { dataset: simulator.dataset, out, table };
  })();
  return built;
}

async function viewer(): Promise<string> {
  const { out } = await fixture();
  const started = await startViewer({ from: out });
  viewers.push(started);
  return started.url;
}

/** GET `path` from the viewer's port with the Host header given. */
function get(url: string, path: string, host?: string): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: host ? { host } : {} }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    req.on('error', reject).end();
  });
}

/** Class id -> points of one frame, from the simulator's labels. */
function countsOf(dataset: SimDataset, table: TableEntry[], job: number, frame: number): [number, number][] {
  const counts = new Map<number, number>();
  for (const id of expectedLabels(dataset, table, job, frame, 0)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]);
}

describe('view: the server', () => {
  it('listens on 127.0.0.1 only and answers under its token, with the files the index names only', async () => {
    const url = await viewer();
    const { hostname, pathname } = new URL(url);
    expect(hostname).toBe('127.0.0.1');
    expect(pathname).toMatch(/^\/[A-Za-z0-9_-]{24}\/$/);
    expect(await get(url, pathname)).toBe(200);
    expect(await get(url, `${pathname}export/index.jsonl`)).toBe(200);
    expect(await get(url, '/')).toBe(404);
    expect(await get(url, `/${'x'.repeat(24)}/`)).toBe(404);
    // result.json is not something the page reads; nor is anything outside the folder.
    const { out } = await fixture();
    const job = JSON.parse((await readFile(join(out, 'index.jsonl'), 'utf8')).split('\n')[0]!) as { file: string };
    expect(await get(url, `${pathname}export/${job.file}`)).toBe(200);
    expect(await get(url, `${pathname}export/${job.file.replace(/[^/]+$/, 'result.json')}`)).toBe(404);
    expect(await get(url, `${pathname}export/..%2f..%2fetc%2fpasswd`)).toBe(404);
    // Another name for loopback (DNS rebinding) is refused.
    expect(await get(url, pathname, `localhost:${new URL(url).port}`)).toBe(421);
  });
});

type Main = typeof import('../src/cli/main.js').main;

/** `playment-masks view EXPORT --open` in this process with `env`, until `stop`: its output so far, and its end. */
async function viewOpen(env: Record<string, string>) {
  const { out } = await fixture();
  const { main } = (await import(new URL('../dist/cli-main.js', import.meta.url).href)) as { main: Main };
  const output = { stdout: '', stderr: '' };
  const stop = new AbortController();
  const code = main(
    ['view', out, '--open'],
    { PATH: process.env.PATH ?? '', ...env },
    {
      stdout: { write: (text: string) => (output.stdout += text) },
      stderr: { write: (text: string) => (output.stderr += text) },
      stdin: (async function* () {})(),
      cwd: process.cwd(),
      script: 'playment-masks',
      version: '0.0.0',
      interrupted: stop.signal,
    },
  );
  return { output, code, stop: () => stop.abort() };
}

/** Waits (up to 20 s) until `ready()` holds. */
async function until(ready: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await ready()); waited += 25) {
    if (waited > 20_000) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

describe('view --open', () => {
  it.each([
    [{ BROWSER: 'firefox' }, 'linux', ['firefox', 'U']],
    [{ BROWSER: ' chromium  --new-window ' }, 'linux', ['chromium', '--new-window', 'U']],
    [{ BROWSER: 'browse --url=%s --x' }, 'linux', ['browse', '--url=U', '--x']],
    [{ BROWSER: '' }, 'linux', ['xdg-open', 'U']],
    [{}, 'darwin', ['open', 'U']],
    [{}, 'win32', ['cmd', '/c', 'start', '""', 'U']],
  ] as const)('runs BROWSER, else the platform opener: %o on %s', (env, platform, expected) => {
    expect(openerCommand('U', env, platform)).toEqual(expected);
  });

  it('starts the BROWSER command with the served address (127.0.0.1, token), without the API key', async () => {
    const dir = await tempDir();
    // The opener writes down its arguments and the API key it sees, if any: under another name first, then renamed,
    // so that the file the test waits for is never seen empty.
    await writeFile(
      join(dir, 'opener.mjs'),
      "import { renameSync, writeFileSync } from 'node:fs';\n" +
        'const seen = JSON.stringify({ args: process.argv.slice(2), key: process.env.PLAYMENT_API_KEY ?? null });\n' +
        'writeFileSync(new URL("./opened.tmp", import.meta.url), seen);\n' +
        'renameSync(new URL("./opened.tmp", import.meta.url), new URL("./opened.json", import.meta.url));\n',
    );
    const run = await viewOpen({ BROWSER: `${process.execPath} ${join(dir, 'opener.mjs')}`, PLAYMENT_API_KEY: 'k-1' });
    const opened = join(dir, 'opened.json');
    await until(
      () =>
        readFile(opened).then(
          () => true,
          () => false,
        ),
      'the opener',
    );
    const url = /Viewer at (\S+)/.exec(run.output.stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/$/);
    expect(JSON.parse(await readFile(opened, 'utf8'))).toEqual({ args: [url], key: null });
    expect(await get(url!, new URL(url!).pathname)).toBe(200);
    run.stop();
    expect(await run.code).toBe(0);
    expect(run.output.stderr).toBe('');
  });

  it.each([
    ['cannot start', '/nonexistent/browser %s', /\/nonexistent\/browser: spawn \/nonexistent\/browser ENOENT/],
    ['exits with a failure', `${process.execPath} -e process.exit(3)`, /exited with code 3/],
  ])('says so when the opener %s, and keeps serving', async (_, browser, reason) => {
    const run = await viewOpen({ BROWSER: browser });
    await until(() => run.output.stderr !== '', 'the message');
    expect(run.output.stderr).toMatch(/^view: cannot open a browser \(.*\): open the address above yourself/);
    expect(run.output.stderr).toMatch(reason);
    const url = /Viewer at (\S+)/.exec(run.output.stdout)![1]!;
    expect(await get(url, new URL(url).pathname)).toBe(200);
    run.stop();
    expect(await run.code).toBe(0);
  });
});

describe.skipIf(skipWithoutChromium('test/viewer.test.ts'))('view in headless Chromium', () => {
  it("draws a frame whose per-class counts equal the frame's labels, in the class colours; keys step frames", async () => {
    const { dataset, table, out } = await fixture();
    // The index lists jobs by folder name: the page opens its first line.
    const firstJobId = (
      JSON.parse((await readFile(join(out, 'index.jsonl'), 'utf8')).split('\n')[0]!) as { job_id: string }
    ).job_id;
    const job = dataset.jobs.findIndex((candidate) => candidate.id === firstJobId);
    const url = await viewer();
    const browser = await chromium.browser();
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(url);
    const legend = async () =>
      (
        await page.$$eval('#legend tr[data-class-id]', (rows) =>
          rows.map((row) => [Number(row.getAttribute('data-class-id')), Number(row.getAttribute('data-points'))]),
        )
      ).sort((a, b) => a[0]! - b[0]!);
    await page.waitForSelector('#frame[data-ready="1"]');
    expect(await page.getAttribute('#frame', 'data-job-id')).toBe(firstJobId);
    expect(await page.getAttribute('#frame', 'data-frame-id')).toBe('0');
    expect(await legend()).toEqual(countsOf(dataset, table, job, 0));

    // The canvas shows the class colours: sample its pixels.
    const colours = table.filter((entry) => entry.color !== undefined).map((entry) => entry.color!);
    const hits = await page.evaluate((wanted) => {
      const canvas = document.querySelector('canvas')!;
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext('2d')!;
      context.drawImage(canvas, 0, 0);
      const { data } = context.getImageData(0, 0, copy.width, copy.height);
      const rgb = wanted.map((hex) => [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)));
      const found = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        rgb.forEach(([r, g, b], k) => {
          if (Math.abs(data[i]! - r!) <= 2 && Math.abs(data[i + 1]! - g!) <= 2 && Math.abs(data[i + 2]! - b!) <= 2)
            found.add(k);
        });
      }
      return found.size;
    }, colours);
    const present = countsOf(dataset, table, job, 0).filter(([id]) => table.find((e) => e.id === id)?.color).length;
    expect(hits).toBeGreaterThanOrEqual(Math.min(present, 3));
    await page.screenshot({ path: join(await tempDir(), 'viewer.png') });

    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#frame[data-ready="1"][data-frame-id="1"]');
    expect(await legend()).toEqual(countsOf(dataset, table, job, 1));

    const origin = new URL(url).origin;
    expect(requests.filter((address) => !address.startsWith(origin))).toEqual([]);
    expect(problems).toEqual([]);
    if (process.env.REPORT_KEEP) await page.screenshot({ path: join(process.env.REPORT_KEEP, 'viewer.png') });
  });
});
