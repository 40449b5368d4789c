// The browser entry in a real browser: Debian's chromium, headless, driven by playwright-core, loading dist/browser.js
// from a node:http server on 127.0.0.1 and decoding a mask, a legacy mask and a PCD on the page's main thread.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMask, readPcd } from '../dist/index.js';
import { generateMaskLabels } from '../src/sim/mask-text.js';
import { isolatedPage, serve, sharedChromium, skipWithoutChromium, type Site } from './browser-support.js';
import { everyTypeCloud, FORMS } from './fixtures/pcd-samples.js';
import { writePcd } from '../src/sim/pcd-writer.js';

const distDir = new URL('../dist/', import.meta.url);

const POINTS = 5000;
const labels = generateMaskLabels({ points: POINTS, seed: 21 });
const maskText = `[${Array.from(labels).join(', ')}]`;
const cloud = everyTypeCloud(POINTS, 4);
const legacyMask = writePcd(
  [...cloud.slice(0, 3), { name: 'label_key', type: 'F', size: 4, values: Array.from(labels) }],
  POINTS,
  'ascii',
);
const files: Record<string, Uint8Array> = {
  'mask.json': new TextEncoder().encode(maskText),
  'legacy-mask.pcd': legacyMask,
  ...Object.fromEntries(FORMS.map((form) => [`cloud-${form}.pcd`, writePcd(cloud, POINTS, form)])),
};

// Decoding before ready() must fail with the typed error; then the page awaits ready() as docs/library-api.md tells.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import * as library from '/dist/browser.js';
try {
  library.decodeMask('[1]');
  window.beforeReady = 'decoded';
} catch (error) {
  window.beforeReady = \`\${error instanceof library.NotReadyError}:\${error.code}\`;
}
await library.ready();
window.library = library;
window.loaded = true;
</script>`;

describe('the browser entry', () => {
  it('has no Node imports and no top-level await', () => {
    const source = readFileSync(new URL('browser.js', distDir), 'utf8');
    expect(source).not.toMatch(/from\s*["']node:|require\(|from\s*["'](fs|path|worker_threads|undici|piscina)["']/);
    expect(source).not.toMatch(/^await /m);
  });
});

describe.skipIf(skipWithoutChromium('test/browser.test.ts'))('the browser entry in headless Chromium', () => {
  const chromium = sharedChromium();
  let site: Site | undefined;

  beforeAll(async () => {
    site = await serve(
      new Map<string, Uint8Array | string>([
        ['/', PAGE],
        ['/dist/browser.js', readFileSync(new URL('browser.js', distDir))],
        ...Object.entries(files).map(([name, bytes]) => [`/files/${name}`, bytes] as const),
      ]),
    );
  });

  // Only what was created: a failed setup must not leave a hook waiting on a server that never existed.
  afterAll(async () => {
    await chromium.close();
    await site?.close();
  });

  it('decodes a mask, a legacy mask and a PCD in every DATA form on the main thread, like Node', async () => {
    // Nothing leaves the loopback server.
    const { page, pageErrors } = await isolatedPage(await chromium.browser(), site!.origin);
    await page.goto(`${site!.origin}/`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => (window as unknown as { loaded?: boolean }).loaded === true, undefined, {
      timeout: 20_000,
    });

    const result = await page.evaluate(
      async (forms) => {
        type Library = typeof import('../src/browser.js');
        const library = (window as unknown as { library: Library }).library;
        const bytes = async (name: string) => new Uint8Array(await (await fetch(`/files/${name}`)).arrayBuffer());
        const summary = (mask: { labels: Uint16Array; histogram: Uint32Array; pointCount: number }) => ({
          labels: Array.from(mask.labels),
          histogram: Array.from(mask.histogram),
          pointCount: mask.pointCount,
        });
        const clouds: Record<string, Record<string, number[]>> = {};
        for (const form of forms) {
          const pcd = library.readPcd(await bytes(`cloud-${form}.pcd`));
          clouds[form] = Object.fromEntries(
            Object.entries(pcd.fields).map(([name, array]) => [name, Array.from(array as ArrayLike<number>)]),
          );
        }
        const mask = library.decodeMask(await bytes('mask.json'));
        const joined = library.labelPoints(library.readPcd(await bytes('cloud-binary_compressed.pcd')), mask);
        let parseError = '';
        try {
          library.readPcd(new TextEncoder().encode('FIELDS x\nDATA ascii\n'));
        } catch (error) {
          parseError = `${(error as Error).name}:${(error as { code: string }).code}`;
        }
        return {
          mask: summary(mask),
          legacy: summary(library.decodeMask(await bytes('legacy-mask.pcd'))),
          clouds,
          firstOfLabel: Array.from(library.pointsOfLabel(joined, mask.labels[0]!).subarray(0, 5)),
          parseError,
        };
      },
      FORMS as unknown as string[],
    );

    const expectedMask = decodeMask(maskText);
    const plainMask = {
      labels: Array.from(expectedMask.labels),
      histogram: Array.from(expectedMask.histogram),
      pointCount: POINTS,
    };
    expect(result.mask).toEqual(plainMask);
    expect(result.legacy).toEqual(plainMask);
    for (const form of FORMS) {
      const expected = readPcd(files[`cloud-${form}.pcd`]!);
      // NaN does not survive page.evaluate's JSON-like transfer; the samples have none.
      expect(result.clouds[form]).toEqual(
        Object.fromEntries(
          Object.entries(expected.fields).map(([name, array]) => [name, Array.from<number | bigint>(array)]),
        ),
      );
    }
    const firstLabel = labels[0]!;
    expect(result.firstOfLabel).toEqual(
      Array.from(labels.keys())
        .filter((i) => labels[i] === firstLabel)
        .slice(0, 5),
    );
    expect(result.parseError).toBe('PcdParseError:MISSING_KEYWORD');
    expect(await page.evaluate(() => (window as unknown as { beforeReady: string }).beforeReady)).toBe(
      'true:NOT_READY',
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
