// LabelFileThreads: mask files into label files on this thread and real worker threads at once, files taken from
// shared memory. Each file gets exactly one outcome; each thread reuses its core's memory from file to file, so masks
// of very different sizes in a row, and failures among them, must never leave one file's bytes in another's output.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMask, MaskParseError, PoolError } from '../src/index.js';
import { FORMATS } from '../src/formats/index.js';
import { Claims, claimsMemory } from '../src/pool/label-file-claims.js';
import { LabelFileThreads } from '../src/pool/label-file-threads.js';
import type { LabelFileOutcome } from '../src/pool/index.js';
import { realisticMaskText } from '../src/sim/mask-text.js';

const dir = mkdtempSync(join(tmpdir(), 'label-file-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Masks whose sizes jump up and down, with failures between them: text that does not parse, a missing file. */
function inputs(name: string): { path: string; text: string | undefined }[] {
  const folder = join(dir, name);
  mkdirSync(folder);
  const texts: (string | undefined)[] = [];
  for (let round = 0; round < 4; round++) {
    texts.push(
      realisticMaskText(200_000, round + 1),
      '[7]',
      '[]',
      `[1, 2, ${round}`,
      realisticMaskText(50_000, round + 21),
      undefined,
      '[1,, 2]',
      realisticMaskText(3_000, round + 41),
    );
  }
  return texts.map((text, i) => {
    const path = join(folder, `${i}.json`);
    if (text !== undefined) writeFileSync(path, text);
    return { path, text };
  });
}

async function runAll(workers: number, name: string, format: 'npy' | 'kitti') {
  const masks = inputs(name);
  const out = join(dir, `${name}-out`);
  mkdirSync(out);
  const jobs = masks.map(({ path }, i) => ({ path, outPath: join(out, `${i}${FORMATS[format].labelExtension}`) }));
  const outcomes: (LabelFileOutcome | undefined)[] = masks.map(() => undefined);
  const threads = new LabelFileThreads(workers);
  expect(threads.threads).toBe(workers + 1);
  await threads.run(jobs, {
    format,
    signal: new AbortController().signal,
    onOutcome: (index, outcome) => {
      expect(outcomes[index]).toBeUndefined();
      outcomes[index] = outcome;
    },
  });
  return { masks, out, jobs, outcomes };
}

describe('LabelFileThreads', { timeout: 60_000 }, () => {
  it.each([
    [0, 'npy'],
    [2, 'npy'],
    [1, 'kitti'],
  ] as const)(
    'with %i workers (%s): one outcome per file, every output exact, failures writing nothing',
    async (workers, format) => {
      const { masks, out, jobs, outcomes } = await runAll(workers, `run-${workers}-${format}`, format);
      const written: string[] = [];
      masks.forEach(({ text }, i) => {
        const outcome = outcomes[i]!;
        if (text === undefined) {
          expect((outcome as { error: NodeJS.ErrnoException }).error).toMatchObject({
            code: 'ENOENT',
            syscall: 'open',
          });
          return;
        }
        let expected: Buffer;
        try {
          expected = Buffer.concat(FORMATS[format].encodeLabels(decodeMask(text).labels));
        } catch (error) {
          const failure = (outcome as { error: MaskParseError }).error;
          expect(failure).toBeInstanceOf(MaskParseError);
          expect([failure.code, failure.offset]).toEqual([
            (error as MaskParseError).code,
            (error as MaskParseError).offset,
          ]);
          return;
        }
        expect(outcome).toEqual({ pointCount: decodeMask(text).pointCount, bytesWritten: expected.length });
        expect(readFileSync(jobs[i]!.outPath).equals(expected)).toBe(true);
        written.push(jobs[i]!.outPath.slice(out.length + 1));
      });
      // Only whole label files: no temporary file, nothing for a file that failed.
      expect(readdirSync(out).sort()).toEqual(written.sort());
      expect(written).toHaveLength(20);
    },
  );

  it('stops taking files once aborted: files taken are finished whole, the rest get no outcome', async () => {
    const text = realisticMaskText(100_000, 5);
    const folder = join(dir, 'abort');
    mkdirSync(folder);
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const path = join(folder, `${i}.json`);
      writeFileSync(path, text);
      return { path, outPath: join(folder, `${i}.npy`) };
    });
    const controller = new AbortController();
    let outcomes = 0;
    const threads = new LabelFileThreads(1);
    await threads.run(jobs, {
      format: 'npy',
      signal: controller.signal,
      onOutcome: () => {
        if (++outcomes === 3) controller.abort();
      },
    });
    expect(outcomes).toBeGreaterThanOrEqual(3);
    expect(outcomes).toBeLessThan(60);
    const written = readdirSync(folder).filter((name) => !name.endsWith('.json'));
    expect(written).toHaveLength(outcomes);
    for (const name of written) expect(readFileSync(join(folder, name)).length).toBe(128 + 200_000);
  });

  it('a worker that dies fails the file it was writing (WORKER_FAILED); the other threads do the rest', async () => {
    const folder = join(dir, 'dies');
    mkdirSync(folder);
    // This thread takes the first file: a named pipe, whose open blocks it until a writer comes (a child process,
    // later), so that the worker surely meets files of its own meanwhile.
    const pipe = join(folder, '0.json');
    execFileSync('mkfifo', [pipe]);
    const writer = spawn('sh', ['-c', `sleep 2; printf '[1]' > '${pipe}'`], { stdio: 'ignore' });
    const jobs = [{ path: pipe, outPath: join(folder, '0.out') }];
    for (let i = 1; i < 8; i++) {
      const path = join(folder, `${i}.json`);
      writeFileSync(path, realisticMaskText(1_000, i));
      jobs.push({ path, outPath: join(folder, `${i}.out`) });
    }
    const outcomes: LabelFileOutcome[] = [];
    const threads = new LabelFileThreads(1);
    // A format no thread knows: this thread gets a TypeError per mask; the worker throws it and dies.
    try {
      await threads.run(jobs, {
        format: 'none' as never,
        signal: new AbortController().signal,
        onOutcome: (index, outcome) => (outcomes[index] = outcome),
      });
    } finally {
      writer.kill();
    }
    const errors = jobs.map((_, i) => (outcomes[i] as { error: Error }).error);
    // A pipe is no mask file: its read fails on this thread (a system error), the worker is not involved.
    expect(errors[0]).toHaveProperty('syscall');
    const died = errors.filter((error) => error instanceof PoolError);
    expect(died).toHaveLength(1);
    expect(died[0]).toMatchObject({ code: 'WORKER_FAILED' });
    expect(errors.filter((error) => error instanceof TypeError)).toHaveLength(6);
    // No label file, and no temporary folder: the dead worker's is removed for it.
    expect(readdirSync(folder).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  it('with fewer files than threads: each file written once, the workers that found none ended', async () => {
    const folder = join(dir, 'few');
    mkdirSync(folder);
    const text = realisticMaskText(20_000, 5);
    writeFileSync(join(folder, 'a.json'), text);
    const threads = new LabelFileThreads(2);
    const outcomes: [number, LabelFileOutcome][] = [];
    const job = { path: join(folder, 'a.json'), outPath: join(folder, 'a.npy') };
    await threads.run([job], {
      format: 'npy',
      signal: new AbortController().signal,
      onOutcome: (index, outcome) => outcomes.push([index, outcome]),
    });
    const expected = Buffer.concat(FORMATS.npy.encodeLabels(decodeMask(text).labels));
    expect(outcomes).toEqual([[0, { pointCount: 20_000, bytesWritten: expected.length }]]);
    expect(readFileSync(job.outPath).equals(expected)).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(['a.json', 'a.npy']);
    await threads.close();
  });

  it('close() ends workers that never got a run, and run() runs once', async () => {
    const threads = new LabelFileThreads(2);
    await threads.close();
    await expect(
      threads.run([], { format: 'npy', signal: new AbortController().signal, onOutcome: () => {} }),
    ).rejects.toThrow('runs once');
  });
});

describe('Claims (the files of a run, handed out through shared memory)', () => {
  it('takes every file once, in order, whichever thread asks, then none', () => {
    const claims = new Claims(claimsMemory(3, 2));
    expect([claims.claim(1), claims.claim(0), claims.claim(1), claims.claim(0), claims.claim(1)]).toEqual([
      0, 1, 2, -1, -1,
    ]);
    expect([claims.current(0), claims.current(1)]).toEqual([-1, -1]);
  });

  it('cancels a thread only before its first claim; a cancelled thread takes nothing, ever', () => {
    const claims = new Claims(claimsMemory(3, 3));
    expect(claims.claim(0)).toBe(0);
    expect(claims.cancelUnstarted(0)).toBe(false);
    expect(claims.current(0)).toBe(0);
    expect(claims.cancelUnstarted(1)).toBe(true);
    expect(claims.cancelUnstarted(1)).toBe(false);
    expect(claims.claim(1)).toBe(-1);
    expect(claims.current(1)).toBeLessThan(0);
    // The files it did not take go to the others.
    expect([claims.claim(2), claims.claim(0), claims.claim(2)]).toEqual([1, 2, -1]);
  });

  it('stops handing out files once stopped, to started and new threads alike', () => {
    const claims = new Claims(claimsMemory(5, 3));
    expect(claims.claim(0)).toBe(0);
    claims.stop();
    expect([claims.claim(0), claims.claim(1)]).toEqual([-1, -1]);
    // Thread 1 asked (and got nothing): started. Thread 2 never asked: still cancellable.
    expect([claims.cancelUnstarted(1), claims.cancelUnstarted(2)]).toEqual([false, true]);
  });
});
