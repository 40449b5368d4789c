// KeptFragments and the index merge: fragments the run kept are merged without a read, the others are read from disk,
// and index.jsonl comes out the same either way.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CompleteJobs } from '../src/export/complete-jobs.js';
import { FRAGMENT_NAME, INDEX_NAME, writeIndexAndSummary } from '../src/export/index-file.js';
import { KeptFragments } from '../src/export/kept-fragments.js';
import type { JobLegend } from '../src/export/legend.js';
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
      unnamed_points: 0,
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

const LEGEND: JobLegend = { labels: 'class', instances: false, legend: [] };

// The jobs complete with their fragments, in the order given, kept by a KeptFragments of `limit` characters.
function completeJobs(texts: Iterable<[string, string]>, limit?: number): CompleteJobs {
  const complete = new CompleteJobs(new KeptFragments(limit));
  for (const [path, text] of texts) complete.add(path, LEGEND, text);
  return complete;
}

async function merge(outDir: string, complete: CompleteJobs): Promise<string> {
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
    listed: complete.paths.length,
    skipped: {},
    statuses: {},
    unmatchedStatuses: [],
    complete,
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
    const expected = ['jobs/a', 'jobs/b', 'jobs/c', 'jobs/d'].map((path) => texts.get(path)).join('');
    const total = expected.length;
    for (const limit of [0, total - 1, total, total + 1]) {
      expect(await merge(outDir, completeJobs(texts, limit))).toBe(expected);
    }
  });

  it('reads no fragment it kept: with the kept ones gone from disk, the index is still whole', async () => {
    const { outDir, texts } = await outputWithFragments();
    const complete = completeJobs(texts);
    for (const path of ['jobs/a', 'jobs/d']) await rm(join(outDir, path, FRAGMENT_NAME));
    const expected = ['jobs/a', 'jobs/b', 'jobs/c', 'jobs/d'].map((path) => texts.get(path)).join('');
    expect(await merge(outDir, complete)).toBe(expected);
    // And one not kept is read from disk: gone there, the merge fails rather than leave it out. Room for b (first)
    // and c (empty) only.
    const b = texts.get('jobs/b')!;
    const partly = completeJobs([['jobs/b', b], ...[...texts].filter(([path]) => path !== 'jobs/b')], b.length);
    expect(partly.fragments.textOf('jobs/a')).toBeUndefined();
    await expect(merge(outDir, partly)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
