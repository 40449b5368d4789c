// `playment-masks decode FILE... --out DIR`: real mask files decoded by the real CLI on worker threads. Outputs are
// byte-identical to the single-file form, one per input and named after it; a failing file is listed, not fatal.
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFiles } from '../src/cli/decode-files.js';
import { decodeMask } from '../src/index.js';
import { realisticMaskText } from '../src/sim/mask-text.js';
import { tempDir } from './export-support.js';
import { killChildren, run, start } from './cli-support.js';

afterEach(killChildren);

/** `count` mask files; `distinct` texts among them (each made once: making a mask costs more than writing it). */
async function maskFolder(count: number, points: number, distinct = count): Promise<string> {
  const dir = join(await tempDir(), 'masks');
  await mkdir(dir);
  const texts = Array.from({ length: distinct }, (_, i) => realisticMaskText(points, i + 1));
  for (let i = 0; i < count; i++) {
    await writeFile(join(dir, `frame-${String(i).padStart(3, '0')}.json`), texts[i % distinct]!);
  }
  return dir;
}

describe('playment-masks decode FILE... --out DIR', { timeout: 60_000 }, () => {
  it('decodes a folder and a file, one output each named after its input, byte-identical to the one-file form', async () => {
    const masks = await maskFolder(6, 20_000);
    await writeFile(join(masks, 'notes.txt'), 'not a mask');
    await writeFile(join(masks, '.hidden.json'), '[1]');
    const extra = join(await tempDir(), 'extra.json');
    await writeFile(extra, '[3, 3, 1]');
    const out = join(await tempDir(), 'labels');
    const result = await run(['decode', masks, extra, '--out', out, '--threads', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Decoded 7\/7 files, 120003 points, in [\d.]+ s/);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['extra.npy', ...Array.from({ length: 6 }, (_, i) => `frame-00${i}.npy`)]);
    for (const name of ['frame-000', 'frame-005']) {
      const single = join(await tempDir(), `${name}.npy`);
      expect((await run(['decode', join(masks, `${name}.json`), '--out', single])).code).toBe(0);
      expect((await readFile(join(out, `${name}.npy`))).equals(await readFile(single))).toBe(true);
    }
    const labels = (await readFile(join(out, 'extra.npy'))).subarray(128);
    expect(Array.from(new Uint16Array(Uint8Array.from(labels).buffer))).toEqual([3, 3, 1]);
  });

  it('writes the format asked for: kitti .label (4 bytes a point), bin (2)', async () => {
    const masks = await maskFolder(2, 1_000);
    for (const [format, extension, bytes] of [
      ['kitti', '.label', 4_000],
      ['bin', '.bin', 2_000],
    ] as const) {
      const out = join(await tempDir(), format);
      expect((await run(['decode', masks, '--out', out, '--format', format])).code).toBe(0);
      for (const i of [0, 1]) {
        const file = await readFile(join(out, `frame-00${i}${extension}`));
        expect(file.length).toBe(bytes);
        const text = await readFile(join(masks, `frame-00${i}.json`));
        const low = Array.from({ length: 1_000 }, (_, p) => file.readUInt16LE((p * bytes) / 1_000));
        expect(low).toEqual(Array.from(decodeMask(text).labels));
      }
    }
  });

  it('goes on past files that fail, lists them at the end (exit 1), and leaves no output or temporary file for them', async () => {
    const masks = await maskFolder(3, 1_000);
    await writeFile(join(masks, 'bad.json'), '[1, 2,, 3]');
    await writeFile(join(masks, 'frame-000.pcd'), 'VERSION .7\n');
    const missing = join(masks, 'missing.json');
    const out = join(await tempDir(), 'out');
    const result = await run(['decode', masks, missing, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Decoded 3/6 files');
    expect(result.stdout).toContain('3 file(s) failed:');
    expect(result.stdout).toContain(`${missing}: ENOENT cannot find ${missing}: no such file or directory (ENOENT)`);
    expect(result.stdout).toContain(`${join(masks, 'bad.json')}: EXPECTED_VALUE`);
    expect(result.stdout).toContain(
      `${join(masks, 'frame-000.pcd')}: DUPLICATE_OUTPUT frame-000.npy is already the output of ${join(masks, 'frame-000.json')}`,
    );
    expect((await readdir(out)).sort()).toEqual(['frame-000.npy', 'frame-001.npy', 'frame-002.npy']);
  });

  it('fails an input whose output would replace an input (OUTPUT_IS_INPUT), and leaves every input as it was', async () => {
    // Mask text under the names the outputs take: an output folder that holds inputs.
    const masks = await maskFolder(2, 100);
    const texts = await Promise.all([0, 1].map((i) => readFile(join(masks, `frame-00${i}.json`), 'utf8')));
    await writeFile(join(masks, 'frame-001.npy'), texts[1]!);
    await writeFile(join(masks, 'own.npy'), '[5, 5]');
    const args = [join(masks, 'frame-000.json'), join(masks, 'frame-001.json'), join(masks, 'frame-001.npy')];
    const result = await run(['decode', ...args, join(masks, 'own.npy'), '--out', masks, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ files: 4, decoded: 1, points: 100 });
    const replaced = (output: string, input: string) => ({
      code: 'OUTPUT_IS_INPUT',
      message: `${output} in the output folder is the input ${input}: writing it would replace that mask`,
    });
    expect(summary.failures).toEqual([
      { file: args[1], ...replaced('frame-001.npy', args[2]!) },
      { file: args[2], ...replaced('frame-001.npy', args[2]!) },
      { file: join(masks, 'own.npy'), ...replaced('own.npy', join(masks, 'own.npy')) },
    ]);
    expect(await readFile(join(masks, 'frame-001.npy'), 'utf8')).toBe(texts[1]);
    expect(await readFile(join(masks, 'own.npy'), 'utf8')).toBe('[5, 5]');
    expect(await readFile(join(masks, 'frame-000.json'), 'utf8')).toBe(texts[0]);
    const labels = (await readFile(join(masks, 'frame-000.npy'))).subarray(128);
    expect(Array.from(new Uint16Array(Uint8Array.from(labels).buffer))).toEqual(
      Array.from(decodeMask(texts[0]!).labels),
    );
  });

  it('--json prints one summary object with every failure', async () => {
    const masks = await maskFolder(2, 500);
    await writeFile(join(masks, 'bad.json'), '[70000]');
    const out = join(await tempDir(), 'out');
    const result = await run(['decode', masks, '--out', out, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ files: 3, decoded: 2, points: 1_000, outDir: out, format: 'npy' });
    expect(summary.failures).toEqual([
      { file: join(masks, 'bad.json'), code: 'VALUE_OUT_OF_RANGE', message: expect.stringContaining('byte 1') },
    ]);
  });

  it('needs --out for several files, and takes standard input only alone (exit 2)', async () => {
    const masks = await maskFolder(1, 10);
    const noOut = await run(['decode', masks]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('decode: --out DIR is required for several files');
    const stdin = await run(['decode', '-', join(masks, 'frame-000.json'), '--out', masks]);
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('decode: - (standard input) is for one mask only');
  });

  it('stops on SIGINT (exit 130) with every output whole and no temporary file left', async () => {
    // Many files that take a while: their texts need not differ (under CI's load, making 80 took 25 s).
    const masks = await maskFolder(80, 100_000, 2);
    const out = join(await tempDir(), 'out');
    const { child, done } = start(['decode', masks, '--out', out, '--threads', '1']);
    let outputs: string[] = [];
    while (outputs.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      outputs = await readdir(out).catch(() => []);
    }
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('playment-masks: interrupted');
    const names = await readdir(out);
    expect(names.length).toBeLessThan(80);
    for (const name of names) {
      expect(name).toMatch(/^frame-\d{3}\.npy$/);
      expect((await stat(join(out, name))).size).toBe(128 + 200_000);
    }
  });
});

describe('decodeFiles: this thread is one of the decoding threads', { timeout: 60_000 }, () => {
  it.each([
    [1, 0],
    [3, 2],
  ])('with %i threads starts %i workers; every output exact, a bad file listed', async (threads, workers) => {
    const masks = await maskFolder(40, 5_000);
    await writeFile(join(masks, 'frame-bad.json'), '[1,, 2]');
    const out = join(await tempDir(), 'out');
    const started: unknown[] = [];
    const watch = (worker: unknown) => started.push(worker);
    process.on('worker', watch);
    try {
      const summary = await decodeFiles({
        args: [masks],
        cwd: '/',
        outDir: out,
        format: 'npy',
        threads,
        signal: new AbortController().signal,
        onProgress: () => {},
      });
      expect(summary).toMatchObject({ files: 41, decoded: 40, points: 200_000 });
      expect(summary.failures).toEqual([
        expect.objectContaining({ file: join(masks, 'frame-bad.json'), code: 'EXPECTED_VALUE' }),
      ]);
    } finally {
      process.off('worker', watch);
    }
    expect(started).toHaveLength(workers);
    for (let i = 0; i < 40; i++) {
      const name = `frame-${String(i).padStart(3, '0')}`;
      const expected = decodeMask(await readFile(join(masks, `${name}.json`))).labels;
      const written = (await readFile(join(out, `${name}.npy`))).subarray(128);
      expect(written.equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);
    }
  });
});
