// The CLI's words: suggestions for typos, the command line it prints for the user, and errors in terms of flags.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlaymentClient } from '../src/api/client.js';
import { MaskDecoderPool } from '../src/pool/pool.js';
import { resolveExportOptions, type ExportOptions } from '../src/export/options.js';
import { selfCommand, shellQuote, type Invocation } from '../src/cli/invocation.js';
import { describeError, describeSystemError, inCliTerms, printable } from '../src/cli/messages.js';
import { isSystemError } from '../src/errors.js';
import { closest, editDistance } from '../src/cli/suggest.js';
import { COMMANDS } from '../src/cli/spec.js';
import { decodeMask } from '../src/decode/index.js';
import { removeTempDirs, tempDir } from './export-support.js';

afterAll(removeTempDirs);

describe('closest: did you mean', () => {
  it.each<[string, readonly string[], string | undefined]>([
    ['expotr', COMMANDS, 'export'],
    ['exprot', COMMANDS, 'export'],
    ['Export', COMMANDS, 'export'],
    ['demp', COMMANDS, 'demo'],
    ['simualte', COMMANDS, 'simulate'],
    ['decod', COMMANDS, 'decode'],
    ['sim', COMMANDS, 'simulate'],
    ['x', COMMANDS, undefined],
    ['ex', COMMANDS, undefined],
    ['frobnicate', COMMANDS, undefined],
    ['--concurency', ['--concurrency', '--threads'], '--concurrency'],
    ['--thread', ['--concurrency', '--threads'], '--threads'],
    ['--verison', ['--help', '--version'], '--version'],
    ['kiti', ['npy', 'bin', 'kitti'], 'kitti'],
    ['csv', ['npy', 'bin', 'kitti'], undefined],
  ])('%s -> %s', (typed, candidates, expected) => {
    expect(closest(typed, candidates)).toBe(expected);
  });

  it.each<[string, string, number]>([
    ['', '', 0],
    ['abc', '', 3],
    ['export', 'export', 0],
    ['expotr', 'export', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
  ])('editDistance(%s, %s) = %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('selfCommand: a command line that runs as printed', () => {
  const clone = '/home/u/playment-masks';
  it.each<[string, Invocation, string]>([
    [
      'under npx',
      { script: '/p/node_modules/.bin/playment-masks', env: { npm_command: 'exec' }, cwd: '/p' },
      'npx playment-masks',
    ],
    [
      'installed, its bin folder on PATH',
      { script: '/usr/local/bin/playment-masks', env: { PATH: '/usr/bin:/usr/local/bin' }, cwd: '/tmp' },
      'playment-masks',
    ],
    [
      'a project dependency, not on PATH',
      { script: '/p/node_modules/.bin/playment-masks', env: { PATH: '/usr/bin' }, cwd: '/p' },
      'npx playment-masks',
    ],
    [
      'a bin link elsewhere, not on PATH',
      { script: '/opt/pm/bin/playment-masks', env: { PATH: '/usr/bin' }, cwd: '/tmp' },
      '/opt/pm/bin/playment-masks',
    ],
    ['in a clone', { script: `${clone}/dist/cli.js`, env: { PATH: '/usr/bin' }, cwd: clone }, 'node dist/cli.js'],
    [
      'npm run in a clone',
      { script: `${clone}/dist/cli.js`, env: { npm_command: 'run-script' }, cwd: clone },
      'node dist/cli.js',
    ],
    ['a clone, from elsewhere', { script: `${clone}/dist/cli.js`, env: {}, cwd: '/tmp' }, `node ${clone}/dist/cli.js`],
    ['a relative script', { script: 'dist/cli.js', env: {}, cwd: clone }, 'node dist/cli.js'],
    [
      'a path with a space',
      { script: '/home/u/my pm/dist/cli.js', env: {}, cwd: '/tmp' },
      "node '/home/u/my pm/dist/cli.js'",
    ],
  ])('%s', (_, invocation, expected) => {
    expect(selfCommand(invocation)).toBe(expected);
  });

  it.each<[string, string]>([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['sim-key-1', 'sim-key-1'],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ])('shellQuote(%j) = %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});

const client = new PlaymentClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' });
afterAll(() => client.close());

/** The message of what `make` throws. */
function thrown(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('inCliTerms: the library messages name the flag or variable', () => {
  const exportOptions = (more: Partial<ExportOptions>): ExportOptions => ({
    client,
    projectId: 'p',
    batchId: 'b',
    outDir: 'o',
    ...more,
  });
  it.each<[string, () => unknown, string]>([
    [
      'a key with a newline',
      () => new PlaymentClient({ apiKey: 'sk\n' }),
      'export: PLAYMENT_API_KEY must be printable ASCII without spaces',
    ],
    [
      'a base URL without scheme',
      () => new PlaymentClient({ apiKey: 'k', baseUrl: '127.0.0.1:8080' }),
      'export: --base-url must be an absolute http(s) URL',
    ],
    [
      'a zero rate',
      () => new PlaymentClient({ apiKey: 'k', maxRequestsPerSecond: 0 }),
      'export: --max-rps must be a number > 0',
    ],
    [
      'zero pages',
      () => new PlaymentClient({ apiKey: 'k', maxPages: 0 }),
      'export: --max-pages must be an integer >= 1',
    ],
    [
      'too much concurrency',
      () => resolveExportOptions(exportOptions({ concurrency: 2000 })),
      'export: --concurrency must be an integer from 1 to 1024',
    ],
    [
      'too many threads',
      () => resolveExportOptions(exportOptions({ threads: 1000 })),
      'export: --threads must be an integer from 1 to 64',
    ],
    [
      'an empty folder name',
      () => resolveExportOptions(exportOptions({ outDir: '' })),
      'export: --out must be a non-empty string',
    ],
    // An option no flag sets keeps its name.
    [
      'a retry option',
      () => new PlaymentClient({ apiKey: 'k', retry: { retries: -1 } }),
      'export: options.retry.retries must be an integer >= 0',
    ],
  ])('%s', (_, make, expected) => {
    expect(inCliTerms(thrown(make), 'export')).toBe(expected);
  });

  it('names the pool limit the export applies', () => {
    expect(thrown(() => new MaskDecoderPool({ threads: 1000 }))).toBe(
      'options.threads must be an integer from 1 to 64',
    );
  });
});

describe('describeError: one line, the code once', () => {
  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      'a missing file',
      async () => readFile(join(await tempDir(), 'missing.txt')),
      /^cannot open \/.*\/missing\.txt: no such file or directory \(ENOENT\)$/,
    ],
    [
      'a folder under a file',
      async () => {
        const dir = await tempDir();
        await writeFile(join(dir, 'file'), '');
        return mkdir(join(dir, 'file', 'sub'));
      },
      /^cannot create \/.*\/file\/sub: not a directory \(ENOTDIR\)$/,
    ],
    [
      'a folder read as a file',
      async () => readFile(await tempDir()),
      // Node.js 26 names the path in this error (`cannot read DIR: ...`), earlier versions only the syscall (`read: ...`).
      /^(read|cannot read \/\S+): illegal operation on a directory \(EISDIR\)$/,
    ],
    ['a port in use', () => listenTwice(), /^listen: address already in use 127\.0\.0\.1:\d+ \(EADDRINUSE\)$/],
    ['a malformed mask', async () => decodeMask('[1,,2]'), /^EXPECTED_VALUE: .* at byte 3$/],
  ])('%s', async (_, fail, expected) => {
    const error = await fail().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    const line = describeError(error);
    expect(line).toMatch(expected);
    expect(line).not.toMatch(/\b(E[A-Z]+): \1\b/);
  });

  it('names the file the user gave, not the one the error names', async () => {
    const error = await readFile('/nodir/.~x.npy.1.tmp').catch((caught: unknown) => caught);
    expect(isSystemError(error)).toBe(true);
    expect(describeSystemError(error as never, { path: '/nodir/x.npy', action: 'cannot write' })).toBe(
      'cannot write /nodir/x.npy: no such file or directory (ENOENT)',
    );
  });

  it('keeps no control character', () => {
    expect(printable('a\x1b[2Jb\nc\u009bd')).toBe('a [2Jb c d');
  });
});

async function listenTwice(): Promise<void> {
  const first: Server = createServer();
  await new Promise<void>((done) => first.listen(0, '127.0.0.1', done));
  const { port } = first.address() as AddressInfo;
  const second = createServer();
  try {
    await new Promise<void>((done, fail) => {
      second.once('error', fail);
      second.listen(port, '127.0.0.1', done);
    });
  } finally {
    second.close();
    first.close();
  }
}
