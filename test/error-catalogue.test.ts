// The error catalogue (src/errors/catalogue.ts) against the source that raises the codes, the classes the package
// exports, the client's retry rule, and the table users read in docs/errors.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRetryable } from '../src/api/retry.js';
import { ERROR_CATALOGUE } from '../src/errors/catalogue.js';
import * as browser from '../src/browser.js';
import * as library from '../src/index.js';
import { ApiError, type ApiErrorCode } from '../src/index.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DOC = fileURLToPath(new URL('../docs/errors.md', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// The simulator's codes are the vendor's (in JSON bodies), not errors of the package; the catalogue names every code.
const files = sourceFiles(SRC).filter((path) => !path.includes('/sim/') && !path.includes('/errors/'));
const source = new Map(files.map((path) => [relative(SRC, path), readFileSync(path, 'utf8')]));
const listed = new Set(ERROR_CATALOGUE.map((entry) => `${entry.error} ${entry.code}`));

/** `Class CODE` for every error the source constructs with a literal code, and for every class's own super(code). */
function raised(): Map<string, string> {
  const found = new Map<string, string>();
  for (const [file, text] of source) {
    // new SomeError('CODE', ...) and new InvalidArgumentError(message, 'CODE')
    for (const match of text.matchAll(
      /new (\w+Error)\(\s*(?:'([A-Z][A-Z0-9_]+)'|[^;]*?,\s*'([A-Z][A-Z0-9_]+)'\s*\))/g,
    )) {
      found.set(`${match[1]} ${match[2] ?? match[3]}`, file);
    }
    // class SomeError extends PlaymentMasksError { ... super('CODE', ... }
    for (const match of text.matchAll(/class (\w+Error) extends PlaymentMasksError \{([\s\S]*?)\n\}/g)) {
      for (const code of match[2]!.matchAll(/(?:super\(\s*|code(?:: [^=]+)? = )'([A-Z][A-Z0-9_]+)'/g)) {
        found.set(`${match[1]} ${code[1]}`, file);
      }
    }
  }
  return found;
}

describe('the error catalogue', () => {
  it('lists every code the source raises, with the class that raises it', () => {
    const found = raised();
    // The scan finds the ordinary shapes of the code: if it found few, it is the scan that broke.
    expect(found.size).toBeGreaterThan(40);
    const missing = [...found].filter(([pair]) => !listed.has(pair)).map(([pair, file]) => `${pair} (${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no code the source never names', () => {
    const all = [...source.values()].join('\n');
    const stale = ERROR_CATALOGUE.filter((entry) => !all.includes(`'${entry.code}'`)).map((entry) => entry.code);
    expect(stale).toEqual([]);
  });

  it('lists each class and code once, and names classes the package exports', () => {
    expect(listed.size).toBe(ERROR_CATALOGUE.length);
    // UsageError is the CLI's own; UNKNOWN is what summary.json records for an error without a code.
    const internal = new Set(['UsageError', '(summary.json)']);
    for (const name of new Set(ERROR_CATALOGUE.map((entry) => entry.error))) {
      if (internal.has(name)) continue;
      // NotReadyError is the browser entry's: only there does the core load asynchronously.
      const exported = { ...browser, ...library }[name as keyof typeof library];
      expect(typeof exported, name).toBe('function');
      expect((exported as { prototype: unknown }).prototype, name).toBeInstanceOf(library.PlaymentMasksError);
    }
  });

  it("says of each ApiError code what the client's retry rule does with it", () => {
    for (const entry of ERROR_CATALOGUE.filter((candidate) => candidate.error === 'ApiError')) {
      const code = entry.code as ApiErrorCode;
      const retried = [400, 404, 408, 429, 500, 503].map((status) =>
        isRetryable(new ApiError(code, 'x', { url: 'https://api.example/x', status })),
      );
      // THROTTLED is the end of the client's retries for the rate limit: transient, but not retried once raised.
      if (entry.retryable === 'by status') expect(retried, code).toEqual([false, false, true, true, true, true]);
      else if (code === 'THROTTLED') expect(retried, code).toEqual(Array(6).fill(false));
      else expect(retried, code).toEqual(Array(6).fill(entry.retryable === 'yes'));
    }
  });
});

/** The table of docs/errors.md, made from the catalogue. */
function catalogueTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = ERROR_CATALOGUE.map(
    (entry) =>
      `| \`${entry.code}\` | ${entry.error.startsWith('(') ? entry.error : `\`${entry.error}\``} | ${cell(entry.meaning)} | ${entry.retryable} |`,
  );
  return ['| code | class | meaning | retryable |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

describe('docs/errors.md', () => {
  it('holds the catalogue as it is (the table between its markers is made from src/errors/catalogue.ts)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const table = /<!-- catalogue -->\n([\s\S]*?)\n<!-- \/catalogue -->/.exec(doc)?.[1];
    expect(table, 'docs/errors.md lacks the <!-- catalogue --> markers').toBeDefined();
    expect(table).toBe(catalogueTable());
  });
});
