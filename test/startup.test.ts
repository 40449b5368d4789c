// What a start loads. The command line: its option tables are leaves, so parsing it loads no implementation (the
// pool, the core, the simulator's replies) and no Node module those need; each command loads its own modules when it
// runs. The package's import: the export, the report, the viewer and the training sets load on their first call
// (entries.ts). Checked in child processes, from the Node modules they loaded.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, start } from './cli-support.js';

const INDEX = new URL('../dist/index.js', import.meta.url).href;

// Prints, as the process exits, the Node modules (`node:` builtins) it loaded.
const PRINT_BUILTINS = `data:text/javascript,process.on('exit', () => process.stderr.write('\\nBUILTINS ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)))))`;

/**
 * Node modules that only an implementation needs: compression, HTTP, hashing, threads, require(). Not `net`: Node
 * loads it for standard output when that is a pipe.
 */
const HEAVY = ['zlib', 'http', 'crypto', 'worker_threads', 'module'];

/** Runs `node dist/cli.js ARGS` (or `node SCRIPT_ARGS` with `script`) and reads the Node modules it loaded. */
async function builtinsOf(
  args: string[],
  cwd: string,
  script?: string[],
): Promise<{ code: number | null; builtins: string[] }> {
  const command = script && ([process.execPath, '--import', PRINT_BUILTINS, ...script] as [string, ...string[]]);
  const { code, stderr } = await start(args, {}, ['--import', PRINT_BUILTINS], { cwd, command }).done;
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

describe('the package import', { timeout: 30_000 }, () => {
  /** The Node modules loaded once `specifiers` are imported. */
  async function builtinsAfterImport(...specifiers: string[]): Promise<string[]> {
    const imports = specifiers.map((specifier) => `await import(${JSON.stringify(specifier)});`).join('');
    const { code, builtins } = await builtinsOf([], tmpdir(), ['--input-type=module', '-e', imports]);
    expect(code).toBe(0);
    return builtins;
  }

  it('loads neither the viewer nor the simulator, and takes zlib and crypto only when a response needs them', async () => {
    const builtins = await builtinsAfterImport(INDEX);
    expect(builtins).toContain('worker_threads'); // the pool's, loaded at import: the list is the real one
    expect(builtins.filter((name) => ['http', 'zlib', 'crypto'].includes(name))).toEqual([]);
  });

  it('the check sees node:http where a module that needs it is loaded (the simulator)', async () => {
    const builtins = await builtinsAfterImport(INDEX, new URL('../dist/sim.js', import.meta.url).href);
    expect(builtins).toContain('http');
  });
});
