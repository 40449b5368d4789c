// A pool of its own loads piscina when it is created, not when the package is imported: a process that imports the
// library pays nothing of piscina's. Checked in a fresh process, where nothing else has loaded piscina.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('MaskDecoderPool start-up', () => {
  it('loads piscina when a pool is created, not before, and decodes at once', async () => {
    const library = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const probe = `
      const { MaskDecoderPool } = await import(${JSON.stringify(library)});
      const { createRequire } = await import('node:module');
      const cache = createRequire(import.meta.url).cache;
      const piscinaLoaded = () => Object.keys(cache).some((path) => /[/\\\\]piscina[/\\\\]/.test(path));
      const steps = { imported: piscinaLoaded() };
      const pool = new MaskDecoderPool({ threads: 1 });
      steps.created = piscinaLoaded();
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
      created: true,
      decoded: true,
      labels: [3, 1, 3],
      closedUnused: true,
    });
  });
});

describe('MaskDecoderPool closed while its workers start', () => {
  // Node.js can abort the process (SIGABRT) when a worker is terminated inside require(): close() must let every
  // worker finish loading first. A worker's first message is piscina's "ready", posted once its modules are loaded.
  it('ends no worker before it has loaded its modules, however soon close() comes', async () => {
    const { MaskDecoderPool } = await import('../dist/index.js');
    const events: string[][] = [];
    const watch = (worker: import('node:worker_threads').Worker) => {
      const seen: string[] = [];
      events.push(seen);
      worker.once('message', () => seen.push('loaded'));
      worker.once('exit', () => seen.push('exit'));
    };
    process.on('worker', watch);
    try {
      for (const threads of [1, 2, 3]) {
        const pool = new MaskDecoderPool({ threads });
        await pool.close();
      }
      // Closed as soon as the first decode is in, and with a decode on a thread that another one still starts.
      const busy = new MaskDecoderPool({ threads: 2 });
      const decoded = busy.decode('[1, 2]');
      await busy.close();
      expect(Array.from((await decoded).labels)).toEqual([1, 2]);
    } finally {
      process.off('worker', watch);
    }
    expect(events).toHaveLength(8);
    expect(events).toEqual(events.map(() => ['loaded', 'exit']));
  });
});
