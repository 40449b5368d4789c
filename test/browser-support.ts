// Shared by the browser tests: which Chromium to drive, a loopback server for the pages, and a page that may reach
// that server only.
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

// As root on a machine without outside network: no sandbox, and no background connections that would be refused.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HOW_TO_RUN =
  'set CHROMIUM_PATH to a Chromium or Chrome binary, or put `chromium` on PATH (Debian: apt-get install chromium)';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$CHROMIUM_PATH` as given (checked when launching), else the first Chromium or Chrome on PATH. */
function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES_ON_PATH) {
    for (const dir of dirs) {
      if (isExecutable(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
const executable = findChromium();

/**
 * Whether this file's browser tests are skipped: only outside CI, when no browser is found, and then said so. In CI
 * they run, and sharedChromium() fails them when no browser is found.
 */
export function skipWithoutChromium(file: string): boolean {
  if (executable || inCi) return false;
  console.warn(`${file}: skipped, no Chromium found. To run it, ${HOW_TO_RUN}.`);
  return true;
}

async function launchChromium(extraFlags: readonly string[]): Promise<Browser> {
  if (!executable) throw new Error(`no Chromium found (CI is set, so the browser tests must run): ${HOW_TO_RUN}`);
  if (!isExecutable(executable)) throw new Error(`CHROMIUM_PATH=${executable} is not an executable file`);
  return chromium.launch({ executablePath: executable, args: [...FLAGS, ...extraFlags] });
}

/** WebGL without a GPU: ANGLE on SwiftShader, Chromium's software renderer. */
export const SOFTWARE_WEBGL = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/**
 * One Chromium for a test file, launched by the first test that asks: a failed launch fails each test that needs the
 * browser (counted as failed tests, not as a hook error), and close() has nothing to wait for then.
 */
export function sharedChromium(extraFlags: readonly string[] = []): {
  browser(): Promise<Browser>;
  close(): Promise<void>;
} {
  let launched: Promise<Browser> | undefined;
  return {
    browser: () => (launched ??= launchChromium(extraFlags)),
    close: async () => {
      const browser = await launched?.catch(() => undefined);
      await browser?.close();
    },
  };
}

export interface Site {
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  html: 'text/html',
  js: 'text/javascript',
  mjs: 'text/javascript',
  wasm: 'application/wasm',
};

/** Serves `files` (URL path -> body, typed by extension, `/` as HTML) on 127.0.0.1, port 0; anything else is a 404. */
export async function serve(files: ReadonlyMap<string, Uint8Array | string>): Promise<Site> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const body = files.get(path);
    if (body === undefined) return void response.writeHead(404).end();
    const extension = path.endsWith('/') ? 'html' : path.slice(path.lastIndexOf('.') + 1);
    const type = TYPES[extension] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A new page of `browser` that may reach `origin` only and records the page's uncaught errors. */
export async function isolatedPage(browser: Browser, origin: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  return { page, pageErrors };
}
