// The library loads undici's Agent and request() alone (src/api/undici-agent.ts): they must be the very class and
// function undici's index hands out, and the index itself must stay unloaded (its start-up cost is the point); where
// the files have moved, the index's Agent serves instead.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent, loadUndici, request } from '../src/api/undici-agent.js';

const require = createRequire(import.meta.url);

describe('undici-agent', () => {
  it("is undici's own Agent class and Agent#request, not a fallback", () => {
    expect(Agent).toBe(undici.Agent);
    expect(require('undici/lib/dispatcher/agent.js')).toBe(undici.Agent);
    expect(require('undici/lib/api/api-request.js')).toBe(undici.Agent.prototype.request);
    expect(typeof request).toBe('function');
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

  it("leaves undici's index unloaded in a process that imports the library", async () => {
    const library = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const probe = `
      await import(${JSON.stringify(library)});
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('undici'));
      console.log(JSON.stringify(loaded));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe]);
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((path) => path.endsWith('/lib/dispatcher/agent.js'))).toBe(true);
    expect(loaded.filter((path) => /undici[/\\]index\.js$/.test(path))).toEqual([]);
    expect(loaded.some((path) => path.includes('/lib/web/fetch/'))).toBe(false);
  });
});
