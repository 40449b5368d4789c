// What the command loads before it does anything: its option tables are leaves, so parsing the command line loads
// no implementation (the pool, the core, the simulator's replies) and no Node module those need. Each command loads
// its own modules when it runs. Checked in `node dist/cli.js` child processes, from the Node modules they loaded.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, start } from './cli-support.js';

// Prints, as the process exits, the Node modules (`node:` builtins) it loaded.
const PRINT_BUILTINS = `data:text/javascript,process.on('exit', () => process.stderr.write('\\nBUILTINS ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)))))`;

/**
 * Node modules that only an implementation needs: compression, HTTP, hashing, threads, require(). Not `net`: Node
 * loads it for standard output when that is a pipe.
 */
const HEAVY = ['zlib', 'http', 'crypto', 'worker_threads', 'module'];

async function builtinsOf(args: string[], cwd: string): Promise<{ code: number | null; builtins: string[] }> {
  const { code, stderr } = await start(args, {}, ['--import', PRINT_BUILTINS], { cwd }).done;
  const line = stderr.split('\n').find((text) => text.startsWith('BUILTINS '));
  if (line === undefined) throw new Error(`no module list in: ${stderr}`);
  return { code, builtins: JSON.parse(line.slice('BUILTINS '.length)) as string[] };
}

describe('the command line start-up', { timeout: 30_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-startup-'));
    await writeFile(join(dir, 'mask.json'), '[1, 2, 2, 7]');
  });
  afterAll(async () => {
    killChildren();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([['--help'], ['--version'], ['export', '--help'], ['simulate', '--help'], ['dataset', '--help']])(
    '%s loads none of them',
    async (...args: string[]) => {
      const { code, builtins } = await builtinsOf(args, dir);
      expect(code).toBe(0);
      // The check itself must see modules: path and fs are loaded by every command.
      expect(builtins).toContain('path');
      expect(builtins.filter((name) => HEAVY.includes(name))).toEqual([]);
    },
  );

  it('decoding one mask loads neither the pool nor the export: no zlib, http, crypto or module', async () => {
    const { code, builtins } = await builtinsOf(['decode', 'mask.json'], dir);
    expect(code).toBe(0);
    expect(builtins.filter((name) => ['zlib', 'http', 'crypto', 'module'].includes(name))).toEqual([]);
  });

  it('the check sees what a command that needs them loads (the simulator: http and zlib)', async () => {
    const { code, builtins } = await builtinsOf(['demo', '--jobs', '1', '--frames', '1', '--points', '10'], dir);
    expect(code).toBe(0);
    expect(builtins).toEqual(expect.arrayContaining(['http', 'zlib']));
  });
});
