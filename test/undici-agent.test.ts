// The library loads undici's Agent and request() alone (src/api/undici-agent.ts), and only once a client is made:
// they must be the very class and function undici's index hands out, the index itself must stay unloaded (its
// start-up cost is the point), and importing the package loads none of undici; where the files have moved, the
// index's Agent serves instead.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { loadUndici, undiciParts } from '../src/api/undici-agent.js';

const require = createRequire(import.meta.url);

describe('undici-agent', () => {
  it("is undici's own Agent class and Agent#request, not a fallback", () => {
    const { Agent, request } = undiciParts();
    expect(Agent).toBe(undici.Agent);
    expect(request).toBe(undici.Agent.prototype.request);
    expect(require('undici/lib/dispatcher/agent.js')).toBe(undici.Agent);
    expect(require('undici/lib/api/api-request.js')).toBe(undici.Agent.prototype.request);
  });

  it("falls back to undici's index where its files have moved, and that agent's request() works", async () => {
    const loaded: string[] = [];
    const moved = (id: string) => {
      loaded.push(id);
      if (id.startsWith('undici/lib/'))
        throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
      return require(id);
    };
    const fallback = loadUndici(moved);
    expect(loaded.at(-1)).toBe('undici');
    expect(fallback.Agent).toBe(undici.Agent);
    const server = createServer((_request, response) => response.end('served'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new fallback.Agent();
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fallback.request.call(agent, {
        origin: `http://127.0.0.1:${port}`,
        path: '/',
        method: 'GET',
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('served');
    } finally {
      await agent.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('loads no undici on importing the package, and only Agent and request() once a client is made', async () => {
    const library = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const probe = `
      const { PlaymentClient } = await import(${JSON.stringify(library)});
      const { createRequire } = await import('node:module');
      const undiciFiles = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('undici'));
      const onImport = undiciFiles();
      const client = new PlaymentClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' });
      console.log(JSON.stringify({ onImport, withClient: undiciFiles() }));
      await client.close();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe]);
    const { onImport, withClient } = JSON.parse(stdout) as { onImport: string[]; withClient: string[] };
    expect(onImport).toEqual([]);
    expect(withClient.some((path) => path.endsWith('/lib/dispatcher/agent.js'))).toBe(true);
    expect(withClient.filter((path) => /undici[/\\]index\.js$/.test(path))).toEqual([]);
    expect(withClient.some((path) => path.includes('/lib/web/fetch/'))).toBe(false);
  });
});
