// MaskDecoderPool.decodeFile: the worker reads the file into its core's memory itself. Same results and errors as
// decodeMask on the file's bytes, Node's own error for a file it cannot read; and the shared regions that copied
// inputs travel in, reused from mask to mask.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMask, InvalidArgumentError, MaskDecoderPool, MaskParseError, PoolError } from '../src/index.js';
import { generateMaskLabels, realisticMaskText } from '../src/sim/mask-text.js';
import { writePcd } from '../src/sim/pcd-writer.js';
import { Staging } from '../src/pool/staging.js';
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

describe('Staging (the shared regions copied inputs travel in)', () => {
  it('reuses a released region for the next mask that fits, and keeps no more than it is told', () => {
    const staging = new Staging();
    const first = staging.stage(new Uint8Array(10_000).fill(49));
    staging.release(first.buffer, 1);
    const second = staging.stage(new Uint8Array(8_000).fill(50));
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(8_000);
    const third = staging.stage(new Uint8Array(100));
    expect(third.buffer).not.toBe(second.buffer);
    staging.release(second.buffer, 1);
    staging.release(third.buffer, 1);
    expect(staging.stage(new Uint8Array(100)).buffer).toBe(second.buffer);
    expect(staging.stage(new Uint8Array(100)).buffer).not.toBe(third.buffer);
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
