// A pool of its own loads piscina when it is created, not when the package is imported: a process that imports the
// library pays nothing of piscina's. Checked in a fresh process, where nothing else has loaded piscina. (When the
// import() reads piscina's files differs: after the constructor returns on Node 20 and 22, within it on Node 24.)
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('MaskDecoderPool start-up', () => {
  it('loads piscina only once a pool is created, and decodes at once', async () => {
    const library = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const probe = `
      const { MaskDecoderPool } = await import(${JSON.stringify(library)});
      const { createRequire } = await import('node:module');
      const cache = createRequire(import.meta.url).cache;
      const piscinaLoaded = () => Object.keys(cache).some((path) => /[/\\\\]piscina[/\\\\]/.test(path));
      const steps = { imported: piscinaLoaded() };
      const pool = new MaskDecoderPool({ threads: 1 });
      const decoded = await pool.decode('[3, 1, 3]');
      steps.decoded = piscinaLoaded();
      steps.labels = Array.from(decoded.labels);
      await pool.close();
      const idle = new MaskDecoderPool({ threads: 1 });
      await idle.close();
      steps.closedUnused = true;
      console.log(JSON.stringify(steps));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe]);
    expect(JSON.parse(stdout)).toEqual({
      imported: false,
      decoded: true,
      labels: [3, 1, 3],
      closedUnused: true,
    });
  });
});
