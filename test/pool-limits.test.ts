// A caller's Piscina with resourceLimits: a worker whose small JS heap holds a large mask string aborts the whole
// process when its WebAssembly memory grows (V8 reports the heap limit as fatal from there, not as a worker OOM).
// The pool keeps large inputs out of such a worker's JS heap. Run in a child process: the failure is an abort.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const PISCINA = pathToFileURL(require.resolve('piscina')).href;
const DIST = new URL('../dist/index.js', import.meta.url).href;

function runChild(script: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
}

describe('MaskDecoderPool with a Piscina that has resourceLimits', { timeout: 150_000 }, () => {
  it('decodes a 60 MB mask string in a worker limited to a 16 MB heap, and so does the default pool', () => {
    const script = `
      const piscinaModule = await import(${JSON.stringify(PISCINA)});
      const Piscina = piscinaModule.Piscina ?? piscinaModule.default.Piscina;
      const { MaskDecoderPool } = await import(${JSON.stringify(DIST)});
      const piscina = new Piscina({
        filename: MaskDecoderPool.workerFilename,
        workerData: MaskDecoderPool.workerData(),
        minThreads: 1,
        maxThreads: 1,
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
      const text = '[' + '7,'.repeat(30_000_000) + '3]';
      const limited = await new MaskDecoderPool({ piscina }).decode(text);
      const own = new MaskDecoderPool({ threads: 1 });
      const fromOwn = await own.decode(text);
      console.log(JSON.stringify([limited.pointCount, limited.histogram[7], limited.histogram[3], fromOwn.pointCount]));
      await own.close();
      await piscina.destroy();
    `;
    const child = runChild(script);
    expect(child.signal, child.stderr.slice(0, 300)).toBeNull();
    expect(child.status, child.stderr.slice(0, 300)).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([30_000_001, 30_000_000, 1, 30_000_001]);
  });
});
