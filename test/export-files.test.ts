import { fc, test as property } from '@fast-check/vitest';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskFileName, safeName } from '../src/export/file-names.js';
import { AtomicFile, removeStaleTemps, writeFileAtomic } from '../src/export/files.js';

// The inverse of safeName for names that were not shortened: proves no information is lost.
function decodeName(name: string): string {
  if (name === '%') return '';
  const bytes: number[] = [];
  let text = '';
  for (let i = 0; i < name.length; i++) {
    if (name.startsWith('%u', i)) {
      text += Buffer.from(bytes).toString('utf8') + String.fromCharCode(Number.parseInt(name.slice(i + 2, i + 6), 16));
      bytes.length = 0;
      i += 5;
    } else if (name[i] === '%') {
      bytes.push(Number.parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(name.charCodeAt(i));
  }
  return text + Buffer.from(bytes).toString('utf8');
}

const HOSTILE = [
  '',
  '.',
  '..',
  '../',
  '../../etc/passwd',
  '/',
  '/etc/passwd',
  'a/b',
  'a\\b',
  'C:\\x',
  'a%2fb',
  'a_b',
  'A',
  'a',
  'CON',
  'con',
  'nul',
  'com1',
  'x\u0000y',
  'line\nbreak',
  'ünïcödé',
  '😀',
  ' ',
  '~',
  '%',
  '%25',
  'x'.repeat(300),
  `${'x'.repeat(300)}y`,
];

describe('safeName', () => {
  it('keeps plain lowercase ids and escapes the rest', () => {
    expect(safeName('fde5ert6-eb32-481a-807a-03a0428ca836')).toBe('fde5ert6-eb32-481a-807a-03a0428ca836');
    expect(safeName('a_b-1')).toBe('a_b-1');
    expect(safeName('../x')).toBe('%2e%2e%2fx');
    expect(safeName('A')).toBe('%41');
    expect(safeName('')).toBe('%');
    expect(safeName('con')).toBe('%63on');
  });

  it('keeps a plain id of up to 100 characters whole, and shortens one longer', () => {
    expect(safeName('a'.repeat(100))).toBe('a'.repeat(100));
    const longer = safeName('a'.repeat(101));
    expect(longer).toMatch(/^a{60}~[0-9a-f]{32}$/);
    expect(safeName('lpt1')).toBe('%6cpt1');
    expect(safeName('lpt10')).toBe('lpt10');
  });

  it('gives hostile ids distinct names that stay inside the folder', () => {
    const names = HOSTILE.map(safeName);
    expect(new Set(names).size).toBe(HOSTILE.length);
    const root = resolve('/out/jobs');
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9_%~-]+$/);
      expect(name).not.toContain('.');
      expect(name).not.toBe('.');
      expect(name).not.toBe('..');
      expect(name.length).toBeLessThanOrEqual(100);
      expect(relative(root, resolve(root, name))).toBe(name);
    }
  });

  it('ids that collide after naive escaping (replacing / with _) stay distinct', () => {
    expect(safeName('a/b')).not.toBe(safeName('a_b'));
    expect(safeName('a%2fb')).not.toBe(safeName('a/b'));
    expect(safeName('A')).not.toBe(safeName('a'));
    // Unpaired surrogates: a UTF-8 encoder would turn both into U+FFFD.
    expect(new Set([safeName('\ud800'), safeName('\udc00'), safeName('\ufffd')]).size).toBe(3);
    expect(safeName('\ud83d\ude00')).toBe('%f0%9f%98%80');
  });

  property.prop([fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })])(
    'is injective and decodes back (ids up to 40 characters)',
    (a, b) => {
      const [x, y] = [safeName(a), safeName(b)];
      expect(x === y).toBe(a === b);
      if (!x.includes('~')) expect(decodeName(x)).toBe(a);
    },
  );

  property.prop([fc.string({ minLength: 80, maxLength: 400 })])('shortens long ids to at most 100 characters', (id) => {
    const name = safeName(id);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(safeName(`${id}!`)).not.toBe(name);
  });
});

describe('maskFileName', () => {
  it('joins encoded frame and sensor with dots that no encoded part contains', () => {
    expect(maskFileName('0', '18158562', 1, '.npy')).toBe('0.18158562.npy');
    expect(maskFileName('0', '18158562', 2, '.npy')).toBe('0.18158562.2.npy');
    expect(maskFileName('a.b', 'c', 1, '.npy')).not.toBe(maskFileName('a', 'b.c', 1, '.npy'));
    expect(maskFileName('', '', 1, '.bin')).toBe('%.%.bin');
  });
});

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    dirs.push(dir);
    return dir;
  };

  it('writes every chunk and leaves no temporary file', async () => {
    const dir = await tempDir();
    await writeFileAtomic(dir, 'out.bin', [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]);
    expect([...(await readFile(join(dir, 'out.bin')))]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(['out.bin']);
  });

  it('replaces an existing file whole', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'out.bin'), 'old contents, longer');
    await writeFileAtomic(dir, 'out.bin', [Buffer.from('new')]);
    expect(await readFile(join(dir, 'out.bin'), 'utf8')).toBe('new');
  });

  it('a discarded file never appears under its final name', async () => {
    const dir = await tempDir();
    const file = await AtomicFile.create(dir, 'final.json');
    await file.write(Buffer.from('{"partial":'));
    expect(await readdir(dir)).not.toContain('final.json');
    await file.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes many large chunks in order, each byte once', async () => {
    const dir = await tempDir();
    const chunks = [1, 65_535, 65_536, 65_537, 0, 3 * 1024 * 1024 + 7].map((size, n) =>
      Uint8Array.from({ length: size }, (_, i) => (i * 31 + n) & 0xff),
    );
    const file = await AtomicFile.create(dir, 'big.bin');
    await file.write(...chunks.slice(0, 3));
    await file.write(...chunks.slice(3));
    await file.commit();
    expect((await readFile(join(dir, 'big.bin'))).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('a failed commit leaves no file, and discarding again closes no other file', async () => {
    const dir = await tempDir();
    // A non-empty folder under the final name: the rename fails.
    await mkdir(join(dir, 'final.bin', 'inside'), { recursive: true });
    const file = await AtomicFile.create(dir, 'final.bin');
    await file.write(Uint8Array.of(1, 2, 3));
    await expect(file.commit()).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['final.bin']);
    // The descriptor the file had is free again, and likely this handle's: a second close must not reach it.
    const other = await open(join(dir, 'other.bin'), 'w');
    await file.discard();
    await other.write(Buffer.from('still open'));
    await other.close();
    expect(await readFile(join(dir, 'other.bin'), 'utf8')).toBe('still open');
  });

  it('removeStaleTemps deletes what a killed writer left, and nothing else', async () => {
    const dir = await tempDir();
    const killed = await AtomicFile.create(dir, 'a.npy'); // never committed: as after kill -9
    await writeFile(join(dir, 'b.npy'), 'done');
    await writeFile(join(dir, '%2e~1.tmp'), 'an encoded id, not ours');
    await removeStaleTemps(dir);
    expect((await readdir(dir)).sort()).toEqual(['%2e~1.tmp', 'b.npy']);
    await killed.discard(); // its descriptor, which a killed process would not keep
  });
});
