// `playment-masks view`: a local 3D viewer of an export. The server listens on 127.0.0.1 only and answers only under a
// random token (`http://127.0.0.1:PORT/TOKEN/`), with a Host header naming that address: another site in the browser
// cannot guess the token, nor reach the server through a name that resolves to loopback. It serves the page (bundled
// at build time with three.js), and the export's files that the index names, as they are: the page decodes them.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveOptions } from '../options/check.js';
import type { OptionValues } from '../options/option.js';
import { readExportData } from '../report/export-data.js';
import { VIEWER_OPTIONS } from './option-table.js';

export type ViewerOptions = OptionValues<typeof VIEWER_OPTIONS>;

export interface Viewer {
  /** The page's URL, token included. */
  url: string;
  close(): Promise<void>;
}

const PAGE_SCRIPT = fileURLToPath(new URL('./viewer-page.js', import.meta.url));
const HOST = '127.0.0.1';

const TYPES: Record<string, string> = {
  json: 'application/json',
  jsonl: 'application/jsonl',
  js: 'text/javascript',
  html: 'text/html; charset=utf-8',
};

export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const { from, port: listenOn } = resolveOptions(VIEWER_OPTIONS, options);
  const data = await readExportData(from);
  const dir = resolve(from);
  // Only what the page reads: the export's tables and the files its index lines name.
  const served = new Set(['summary.json', 'classes.json', 'index.jsonl']);
  for (const job of data.jobs) {
    served.add(`${job.folder}/legend.json`);
    for (const line of job.lines) {
      served.add(line.file);
      if (typeof line.points_file === 'string') served.add(line.points_file);
      if (typeof line.instances_file === 'string') served.add(line.instances_file);
    }
  }
  const script = await readFile(PAGE_SCRIPT);
  const token = randomBytes(18).toString('base64url');
  const prefix = `/${token}/`;
  let port = 0;

  const server: Server = createServer((request, response) => {
    const fail = (status: number) =>
      void response.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    if (request.headers.host !== `${HOST}:${port}`) return fail(421);
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405);
    const path = new URL(request.url ?? '/', `http://${HOST}`).pathname;
    if (!path.startsWith(prefix)) return fail(404);
    const rest = decodeURIComponent(path.slice(prefix.length));
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (rest === '') {
      return void response.writeHead(200, { ...headers, 'content-type': TYPES.html! }).end(pageHtml());
    }
    if (rest === 'viewer.js')
      return void response.writeHead(200, { ...headers, 'content-type': TYPES.js! }).end(script);
    if (!rest.startsWith('export/') || !served.has(rest.slice('export/'.length))) return fail(404);
    const file = join(dir, rest.slice('export/'.length));
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    stat(file).then(
      (info) => {
        response.writeHead(200, { ...headers, 'content-type': type, 'content-length': info.size });
        createReadStream(file)
          .on('error', () => response.destroy())
          .pipe(response);
      },
      () => fail(404),
    );
  });
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(listenOn, HOST, () => done());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}${prefix}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

function pageHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>playment-masks viewer</title>
<style>
body { margin: 0; font-family: system-ui, sans-serif; background: #111; color: #ddd; display: flex; height: 100vh; }
#side { width: 290px; padding: 10px; overflow: auto; background: #1b1b1b; font-size: 13px; }
#frame { flex: 1; position: relative; } canvas { display: block; }
select, input[type=range] { width: 100%; margin: 3px 0 8px; } table { width: 100%; border-collapse: collapse; }
td { padding: 2px 4px; } td.num { text-align: right; } .swatch { display: inline-block; width: 10px; height: 10px; }
label.inline { display: inline; } #status { color: #999; }
</style></head>
<body><div id="side">
<label>Job <select id="job"></select></label>
<label>Frame <select id="line"></select></label>
<label>Colour by <select id="colour"><option value="class">class</option><option value="instance">instance</option></select></label>
<label>Point size <input id="size" type="range" min="1" max="8" step="0.5" value="2"></label>
<p id="status">loading…</p>
<table id="legend"><tbody></tbody></table>
<p class="help">Drag to orbit, wheel to zoom, right-drag to pan. ← → (or j k) step frames.</p>
</div><div id="frame"></div>
<script src="viewer.js"></script></body></html>
`;
}
