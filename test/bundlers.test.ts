// playment-masks/browser as a user's bundler sees it: small projects in a temp folder (one "type": "module", one as
// `npm init -y` writes it, "type": "commonjs") that depend on this package, bundled by esbuild (iife and esm) and by
// Vite's build, each bundle run in headless Chromium: decode before ready() fails typed, after it decodes like Node.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMask } from '../dist/index.js';
import { generateMaskLabels } from '../src/sim/mask-text.js';
import { isolatedPage, serve, sharedChromium, skipWithoutChromium } from './browser-support.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const maskText = `[${Array.from(generateMaskLabels({ points: 3000, seed: 5 })).join(', ')}]`;

// What docs/library-api.md tells a user to write: ready() once, then decode. No top-level await here either, so that the
// iife bundles can hold it.
const usage = (imports: string) => `${imports}

let beforeReady = 'decoded';
try {
  decodeMask('[1]');
} catch (error) {
  beforeReady = \`\${error instanceof NotReadyError}:\${error.code}\`;
}
ready()
  .then(() => fetch('/mask.json'))
  .then((response) => response.arrayBuffer())
  .then((buffer) => {
    const mask = decodeMask(new Uint8Array(buffer));
    window.result = { beforeReady, labels: Array.from(mask.labels), histogram: Array.from(mask.histogram) };
  })
  .catch((error) => {
    window.result = { error: String(error) };
  });
`;
const IMPORT = "import { decodeMask, NotReadyError, ready } from 'playment-masks/browser';";
const REQUIRE = "const { decodeMask, NotReadyError, ready } = require('playment-masks/browser');";

const page = (script: string) => `<!doctype html><meta charset="utf-8"><body>${script}</body>`;
const CLASSIC_PAGE = page('<script src="/bundle.js"></script>');
const MODULE_PAGE = page('<script type="module" src="/bundle.js"></script>');
const VITE_PAGE = page('<script type="module" src="./main.js"></script>');

type Project = 'module' | 'commonjs';
let root = '';
const dirOf = (project: Project) => join(root, project);

async function makeProject(project: Project): Promise<void> {
  const dir = dirOf(project);
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  // The fields `npm init -y` writes (npm 11 includes "type": "commonjs"); the other project declares ES modules.
  const manifest =
    project === 'commonjs'
      ? { name: 'bundle-commonjs', version: '1.0.0', main: 'index.js', license: 'ISC', type: 'commonjs' }
      : { name: 'bundle-module', version: '1.0.0', private: true, type: 'module' };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await symlink(packageRoot, join(dir, 'node_modules', 'playment-masks'), 'dir');
  await writeFile(join(dir, 'main.js'), usage(IMPORT));
  await writeFile(join(dir, 'main-require.js'), usage(REQUIRE));
  await writeFile(join(dir, 'index.html'), VITE_PAGE);
}

/** Every file under `dir`, as URL path -> bytes. */
async function filesUnder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(`/${relative(dir, path).split(sep).join('/')}`, await readFile(path));
  }
  return files;
}

async function bundleWithEsbuild(project: Project, entry: string, format: 'iife' | 'esm') {
  const dir = dirOf(project);
  const outfile = join(dir, `out-${format}-${entry}`);
  await esbuild({ absWorkingDir: dir, entryPoints: [entry], bundle: true, format, outfile, logLevel: 'silent' });
  return new Map<string, Uint8Array | string>([
    ['/', format === 'iife' ? CLASSIC_PAGE : MODULE_PAGE],
    ['/bundle.js', await readFile(outfile)],
  ]);
}

async function bundleWithVite(project: Project) {
  const dir = dirOf(project);
  const outDir = join(dir, 'out-vite');
  await viteBuild({ root: dir, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const files = await filesUnder(outDir);
  const html = files.get('/index.html');
  if (!html) throw new Error('vite build wrote no index.html');
  return new Map<string, Uint8Array | string>([...files, ['/', html]]);
}

const BUNDLES: [name: string, make: () => Promise<Map<string, Uint8Array | string>>][] = [
  ['esbuild iife', () => bundleWithEsbuild('module', 'main.js', 'iife')],
  ['esbuild esm', () => bundleWithEsbuild('module', 'main.js', 'esm')],
  ['Vite build', () => bundleWithVite('module')],
  ['esbuild esm in a "type": "commonjs" project', () => bundleWithEsbuild('commonjs', 'main.js', 'esm')],
  [
    'esbuild iife of require() in a "type": "commonjs" project',
    () => bundleWithEsbuild('commonjs', 'main-require.js', 'iife'),
  ],
  ['Vite build in a "type": "commonjs" project', () => bundleWithVite('commonjs')],
];

const skip = skipWithoutChromium('test/bundlers.test.ts');

describe.skipIf(skip)('playment-masks/browser bundled, in headless Chromium', () => {
  const chromium = sharedChromium();
  const expected = decodeMask(maskText);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bundlers-'));
    await makeProject('module');
    await makeProject('commonjs');
  });

  afterAll(async () => {
    await chromium.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each(BUNDLES)(
    '%s: decodes after ready(), and throws NotReadyError before',
    async (_name, make) => {
      const files = await make();
      files.set('/mask.json', maskText);
      const site = await serve(files);
      try {
        const { page, pageErrors } = await isolatedPage(await chromium.browser(), site.origin);
        await page.goto(`${site.origin}/`, { waitUntil: 'domcontentloaded' });
        await page.waitForFunction(() => 'result' in window, undefined, { timeout: 20_000 });
        const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
        expect(result).toEqual({
          beforeReady: 'true:NOT_READY',
          labels: Array.from(expected.labels),
          histogram: Array.from(expected.histogram),
        });
        expect(pageErrors).toEqual([]);
        await page.close();
      } finally {
        await site.close();
      }
    },
    60_000,
  );
});
