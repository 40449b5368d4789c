// MaskDecoderPool.decodeFile: the worker reads the file into its core's memory itself. Same results and errors as
// decodeMask on the file's bytes, Node's own error for a file it cannot read; and the shared regions that copied
// inputs travel in, reused from mask to mask.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMask, InvalidArgumentError, MaskDecoderPool, MaskParseError, PoolError } from '../src/index.js';
import { generateMaskLabels, realisticMaskText } from '../src/sim/mask-text.js';
import { writePcd } from '../src/sim/pcd-writer.js';
import { Staging } from '../src/pool/staging.js';
import { FORMATS } from '../src/formats/index.js';
import { lidarCloud } from './fixtures/pcd-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'pool-files-'));
const pool = new MaskDecoderPool({ threads: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, contents: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

const bytesOf = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('MaskDecoderPool.decodeFile', () => {
  it('gives what decodeMask gives for the same bytes, for masks of many sizes at once', async () => {
    const texts = [0, 1, 17, 1_000, 100_000, 250_000].map((points, i) =>
      points === 0 ? '[]' : realisticMaskText(points, i + 1),
    );
    const paths = texts.map((text, i) => file(`mask-${i}.json`, text));
    const masks = await Promise.all(paths.map((path) => pool.decodeFile(path)));
    masks.forEach((mask, i) => {
      const expected = decodeMask(texts[i]!);
      expect(mask.pointCount).toBe(expected.pointCount);
      expect(bytesOf(mask.labels).equals(bytesOf(expected.labels))).toBe(true);
      expect(bytesOf(mask.histogram).equals(bytesOf(expected.histogram))).toBe(true);
      // Labels and histogram on one buffer the worker moved here, of exactly their size.
      expect(mask.labels.buffer).toBe(mask.histogram.buffer);
    });
  });

  it('decodes a legacy PCD mask file as decodeMask does', async () => {
    const labels = Array.from(generateMaskLabels({ points: 2_000, seed: 5 }));
    const fields = [
      ...lidarCloud(labels.length).slice(0, 3),
      { name: 'label_key', type: 'F', size: 4, values: labels },
    ];
    const pcd = writePcd(fields as Parameters<typeof writePcd>[0], labels.length, 'ascii');
    const mask = await pool.decodeFile(file('legacy.pcd', pcd));
    expect(Array.from(mask.labels)).toEqual(labels);
    expect(Array.from(mask.histogram)).toEqual(Array.from(decodeMask(pcd).histogram));
  });

  it('maps labels through lookups and checks expectedPoints, as decode() does', async () => {
    const path = file('small.json', '[2, 0, 2, 1]');
    const mask = await pool.decodeFile(path, { lookups: [Uint16Array.of(10, 11, 12)], expectedPoints: 4 });
    expect(Array.from(mask.mapped[0]!)).toEqual([12, 10, 12, 11]);
    const error = await rejection(pool.decodeFile(path, { expectedPoints: 5 }));
    expect(error).toBeInstanceOf(MaskParseError);
    expect(error.code).toBe('POINT_COUNT_MISMATCH');
  });

  it('rejects with the MaskParseError decodeMask throws: same code, offset and message', async () => {
    for (const [i, text] of ['[1,, 2]', '[65536]', '[1, 2', '{}'].entries()) {
      const error = await rejection(pool.decodeFile(file(`bad-${i}.json`, text)));
      const expected = await rejection(Promise.resolve().then(() => decodeMask(text)));
      expect(error).toBeInstanceOf(MaskParseError);
      expect([error.code, error.offset, error.message]).toEqual([expected.code, expected.offset, expected.message]);
    }
  });

  it("rejects with Node's error for a file it cannot read: code, syscall and path survive the thread crossing", async () => {
    const missing = join(dir, 'missing.json');
    const error = await rejection(pool.decodeFile(missing));
    expect([error.code, error.syscall, error.path]).toEqual(['ENOENT', 'open', missing]);
    expect(error.message).toContain('no such file or directory');
    mkdirSync(join(dir, 'folder'));
    const folder = await rejection(pool.decodeFile(join(dir, 'folder')));
    expect(folder.code).toBe('EISDIR');
    // The pool is still whole.
    expect((await pool.decodeFile(file('after.json', '[4]'))).labels[0]).toBe(4);
  });

  it('refuses bad arguments with InvalidArgumentError, and any decode after close() with POOL_CLOSED', async () => {
    await expect(pool.decodeFile('')).rejects.toThrow(new InvalidArgumentError('path must be a non-empty string'));
    await expect(pool.decodeFile(file('t.json', '[1]'), { transfer: true } as never)).rejects.toThrow(
      'options.transfer is not an option of decodeFile',
    );
    const closed = new MaskDecoderPool({ threads: 1 });
    await closed.close();
    const error = await rejection(closed.decodeFile(file('c.json', '[1]')));
    expect(error).toBeInstanceOf(PoolError);
    expect(error.code).toBe('POOL_CLOSED');
  });
});

describe('MaskDecoderPool.writeLabelFiles', () => {
  it('writes the label file of each mask, byte-identical to decodeMask then the format, for every format', async () => {
    const texts = [0, 1, 1_000, 100_000, 250_000].map((points, i) =>
      points === 0 ? '[]' : realisticMaskText(points, i + 11),
    );
    const paths = texts.map((text, i) => file(`write-${i}.json`, text));
    for (const format of ['npy', 'bin', 'kitti'] as const) {
      const out = join(dir, `labels-${format}`);
      mkdirSync(out);
      const jobs = paths.map((path, i) => ({ path, outPath: join(out, `${i}${FORMATS[format].labelExtension}`) }));
      // Two batches at once, on two threads.
      const outcomes = (
        await Promise.all([jobs.slice(0, 2), jobs.slice(2)].map((batch) => pool.writeLabelFiles(batch, { format })))
      ).flat();
      outcomes.forEach((outcome, i) => {
        const expected = Buffer.concat(FORMATS[format].encodeLabels(decodeMask(texts[i]!).labels));
        const written = readFileSync(jobs[i]!.outPath);
        expect(written.equals(expected)).toBe(true);
        expect(outcome).toEqual({ pointCount: decodeMask(texts[i]!).pointCount, bytesWritten: expected.length });
      });
      // Nothing but the label files: the temporary files were renamed into place.
      expect(readdirSync(out).sort()).toEqual(jobs.map((job) => job.outPath.slice(out.length + 1)).sort());
    }
  });

  it('gives each file its own outcome: a mask that does not parse or cannot be read fails alone, writing nothing', async () => {
    const out = join(dir, 'labels-mixed');
    mkdirSync(out);
    const bad = file('write-bad.json', '[1, 2,, 3]');
    const jobs = [
      { path: file('write-ok.json', '[5, 5, 7]'), outPath: join(out, 'ok.npy') },
      { path: bad, outPath: join(out, 'bad.npy') },
      { path: join(dir, 'write-missing.json'), outPath: join(out, 'missing.npy') },
      { path: file('write-ok2.json', '[9]'), outPath: join(dir, 'no-such-folder', 'ok2.npy') },
      { path: file('write-ok3.json', '[1, 2]'), outPath: join(out, 'ok3.npy') },
    ];
    const [ok, parse, missing, unwritable, last] = await pool.writeLabelFiles(jobs, { format: 'npy' });
    expect(ok).toEqual({ pointCount: 3, bytesWritten: 128 + 6 });
    const expected = await rejection(Promise.resolve().then(() => decodeMask('[1, 2,, 3]')));
    const parseError = (parse as { error: MaskParseError }).error;
    expect(parseError).toBeInstanceOf(MaskParseError);
    expect([parseError.code, parseError.offset, parseError.message]).toEqual([
      expected.code,
      expected.offset,
      expected.message,
    ]);
    expect((missing as { error: NodeJS.ErrnoException }).error.code).toBe('ENOENT');
    expect((unwritable as { error: NodeJS.ErrnoException }).error).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect(last).toEqual({ pointCount: 2, bytesWritten: 128 + 4 });
    expect(readdirSync(out).sort()).toEqual(['ok.npy', 'ok3.npy']);
    expect(existsSync(join(out, 'bad.npy'))).toBe(false);
  });

  it('refuses bad arguments with InvalidArgumentError, and after close() with POOL_CLOSED', async () => {
    const path = file('write-arg.json', '[1]');
    await expect(pool.writeLabelFiles([{ path, outPath: '' }], { format: 'npy' })).rejects.toThrow(
      new InvalidArgumentError('files[0] must have a non-empty path and outPath'),
    );
    await expect(
      pool.writeLabelFiles([{ path, outPath: join(dir, 'x.npy') }], { format: 'csv' as never }),
    ).rejects.toThrow(new InvalidArgumentError('options.format must be one of npy, bin, kitti'));
    await expect(pool.writeLabelFiles('x' as never, { format: 'npy' })).rejects.toThrow(InvalidArgumentError);
    const closed = new MaskDecoderPool({ threads: 1 });
    await closed.close();
    const error = await rejection(closed.writeLabelFiles([{ path, outPath: join(dir, 'y.npy') }], { format: 'npy' }));
    expect(error.code).toBe('POOL_CLOSED');
  });
});

describe('Staging (the shared regions copied inputs travel in)', () => {
  it('reuses a released region for the next mask that fits, the most recently released first', () => {
    const staging = new Staging();
    const first = staging.stage(new Uint8Array(10_000).fill(49));
    staging.release(first.buffer, 0);
    const second = staging.stage(new Uint8Array(8_000).fill(50));
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(8_000);
    expect(new Uint8Array(second.buffer, 0, 8_000).every((byte) => byte === 50)).toBe(true);
    // Larger than any free region: a new one.
    staging.release(second.buffer, 0);
    const large = staging.stage(new Uint8Array(first.buffer.byteLength + 1));
    expect(large.buffer).not.toBe(first.buffer);
    staging.release(large.buffer, 0);
    const [a, b] = [staging.stage(new Uint8Array(100)), staging.stage(new Uint8Array(100))];
    staging.release(a.buffer, 0);
    staging.release(b.buffer, 0);
    expect(staging.stage(new Uint8Array(100)).buffer).toBe(b.buffer);
    expect(staging.stage(new Uint8Array(100)).buffer).toBe(a.buffer);
  });

  it('stages bytes at their own address modulo 8 (V8 copies shared memory by words only then), strings at 0', () => {
    const whole = new Uint8Array(64).map((_, i) => i);
    for (let start = 0; start < 16; start++) {
      const staging = new Staging();
      const staged = staging.stage(whole.subarray(start, start + 40));
      expect(staged.offset).toBe(start % 8);
      expect(Array.from(new Uint8Array(staged.buffer, staged.offset, staged.length))).toEqual(
        Array.from(whole.subarray(start, start + 40)),
      );
    }
    expect(new Staging().stage('[1, 2]')).toMatchObject({ offset: 0, length: 6 });
  });

  it('keeps as many regions as were handed out at once, until trim() brings them down to what it is told', () => {
    const staging = new Staging();
    const burst = [1, 2, 3].map(() => staging.stage(new Uint8Array(100)));
    const one = burst[0]!.buffer.byteLength;
    for (const { buffer } of burst) staging.release(buffer, one);
    // The three were in flight at once: all three are kept, above the one region asked for.
    const again = [1, 2, 3].map(() => staging.stage(new Uint8Array(100)).buffer);
    expect(new Set(again)).toEqual(new Set(burst.map((staged) => staged.buffer)));
    for (const buffer of again) staging.release(buffer, one);
    // Idle: one region kept, the most recently released; the next burst of two gets it and a new one.
    staging.trim(one);
    const [first, second] = [staging.stage(new Uint8Array(100)), staging.stage(new Uint8Array(100))];
    expect(first.buffer).toBe(again[2]);
    expect(again).not.toContain(second.buffer);
    staging.trim(0);
    expect(again).not.toContain(staging.stage(new Uint8Array(100)).buffer);
  });

  it('holds the UTF-8 bytes of a string, also when it is not ASCII', () => {
    const staging = new Staging();
    for (const text of ['[1, 2]', '[1, 2]\u00a0', '\ud83d\ude00[3]']) {
      const staged = staging.stage(text);
      const bytes = new Uint8Array(staged.buffer, 0, staged.length).slice();
      expect(Buffer.from(bytes).equals(Buffer.from(text))).toBe(true);
    }
  });
});
