// KeptFragments and the index merge: fragments the run kept are merged without a read, the others are read from disk,
// and index.jsonl comes out the same either way.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAGMENT_NAME, INDEX_NAME, writeIndexAndSummary } from '../src/export/index-file.js';
import { KeptFragments } from '../src/export/kept-fragments.js';
import type { IndexLine } from '../src/export/records.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function fragmentOf(job: string, masks: number): string {
  let text = '';
  for (let i = 0; i < masks; i++) {
    const line: IndexLine = {
      job_id: job,
      reference_id: null,
      frame_id: String(i),
      sensor_id: 's',
      points: 10 + i,
      file: `jobs/${job}/${i}.s.bin`,
      histogram: [{ id: 1, name: 'car', points: 10 + i }],
    };
    text += `${JSON.stringify(line)}\n`;
  }
  return text;
}

// Four jobs with fragments on disk, listed out of order: the index must come out in job order.
async function outputWithFragments(): Promise<{ outDir: string; texts: Map<string, string> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'kept-fragments-'));
  dirs.push(outDir);
  const texts = new Map<string, string>();
  for (const [job, masks] of [
    ['d', 1],
    ['a', 2],
    ['c', 0],
    ['b', 3],
  ] as const) {
    const text = fragmentOf(job, masks);
    texts.set(`jobs/${job}`, text);
    await mkdir(join(outDir, 'jobs', job), { recursive: true });
    await writeFile(join(outDir, 'jobs', job, FRAGMENT_NAME), text);
  }
  return { outDir, texts };
}

async function merge(outDir: string, paths: string[], fragments: KeptFragments): Promise<string> {
  const summary = await writeIndexAndSummary(outDir, {
    projectId: 'p',
    batchId: 'b',
    format: 'bin',
    labels: 'class',
    instances: false,
    table: [
      { id: 0, name: 'unlabelled' },
      { id: 1, name: 'car' },
    ],
    listed: paths.length,
    skipped: {},
    completeJobPaths: paths,
    fragments,
    failures: [],
    api: { requests: 0, throttled: 0, rate_per_s: null },
  });
  expect(summary.masks).toBe(6);
  return readFile(join(outDir, INDEX_NAME), 'utf8');
}

describe('KeptFragments', () => {
  it('keeps fragments up to its limit in characters, and none past it', () => {
    const kept = new KeptFragments(10);
    kept.keep('jobs/a', 'x'.repeat(6));
    kept.keep('jobs/b', 'y'.repeat(5));
    kept.keep('jobs/c', 'z'.repeat(4));
    expect(kept.textOf('jobs/a')).toBe('xxxxxx');
    expect(kept.textOf('jobs/b')).toBeUndefined();
    expect(kept.textOf('jobs/c')).toBe('zzzz');
  });

  it('replaces a job kept before, freeing its characters, and forgets it when the new text does not fit', () => {
    const kept = new KeptFragments(10);
    kept.keep('jobs/a', 'x'.repeat(6));
    kept.keep('jobs/a', 'w'.repeat(8));
    expect(kept.textOf('jobs/a')).toBe('wwwwwwww');
    kept.keep('jobs/b', 'y'.repeat(2));
    // 8 + 2 = 10 kept: a's rewrite to 9 characters no longer fits, and the old text must not stand for it.
    kept.keep('jobs/a', 'v'.repeat(9));
    expect(kept.textOf('jobs/a')).toBeUndefined();
    expect(kept.textOf('jobs/b')).toBe('yy');
  });
});

describe('the index merge', () => {
  it('writes the same index.jsonl from kept fragments, from disk, and from any mix (limits around the total)', async () => {
    const { outDir, texts } = await outputWithFragments();
    const paths = [...texts.keys()];
    const expected = ['jobs/a', 'jobs/b', 'jobs/c', 'jobs/d'].map((path) => texts.get(path)).join('');
    const total = expected.length;
    for (const limit of [0, total - 1, total, total + 1]) {
      const kept = new KeptFragments(limit);
      for (const [path, text] of texts) kept.keep(path, text);
      expect(await merge(outDir, paths, kept)).toBe(expected);
    }
  });

  it('reads no fragment it kept: with the kept ones gone from disk, the index is still whole', async () => {
    const { outDir, texts } = await outputWithFragments();
    const kept = new KeptFragments();
    for (const [path, text] of texts) kept.keep(path, text);
    for (const path of ['jobs/a', 'jobs/d']) await rm(join(outDir, path, FRAGMENT_NAME));
    const expected = ['jobs/a', 'jobs/b', 'jobs/c', 'jobs/d'].map((path) => texts.get(path)).join('');
    expect(await merge(outDir, [...texts.keys()], kept)).toBe(expected);
    // And one not kept is read from disk: gone there, the merge fails rather than leave it out.
    const partly = new KeptFragments();
    partly.keep('jobs/b', texts.get('jobs/b')!);
    await expect(merge(outDir, [...texts.keys()], partly)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
