// README.md and docs/*.md as users read them: short README, links that lead somewhere, no development history.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = join(ROOT, 'docs');
const pages = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];
const text = new Map(pages.map((page) => [page, readFileSync(page, 'utf8')]));

/** The page without its code blocks and inline code, where a `[x](y)` or `#` is no link or heading. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Every relative link of a page: [text](target) and [text](target#anchor), images included. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('README.md and docs/', () => {
  it('README is at most 300 lines', () => {
    expect(text.get(join(ROOT, 'README.md'))!.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('every relative link leads to a file, and every #anchor to a heading of it', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [page, markdown] of text) {
      for (const link of relativeLinks(markdown)) {
        checked++;
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : join(dirname(page), decodeURIComponent(path));
        const where = `${relative(ROOT, page)}: ${link}`;
        if (!existsSync(target)) broken.push(`${where} (no such file)`);
        else if (anchor !== undefined) {
          const isPage = statSync(target).isFile() && target.endsWith('.md');
          if (!isPage || !anchors(text.get(target) ?? readFileSync(target, 'utf8')).has(anchor)) {
            broken.push(`${where} (no such heading)`);
          }
        }
      }
    }
    // The pages link to each other: finding none would mean the link pattern broke.
    expect(checked).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  it('tells no development history: no sessions, issue numbers or commit hashes', () => {
    const history: string[] = [];
    for (const [page, markdown] of text) {
      const lines = prose(markdown).split('\n');
      lines.forEach((line, i) => {
        const found =
          /\bsessions?\b/i.exec(line) ??
          /\bissues? #?\d+|#\d+\b/i.exec(line) ??
          /\bcommit\b[^.]*\b[0-9a-f]{7,40}\b/i.exec(line) ??
          /\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b/.exec(line);
        if (found) history.push(`${relative(ROOT, page)}:${i + 1}: ${found[0]}`);
      });
    }
    expect(history).toEqual([]);
  });
});
