// Three builds, run by one `tsup` call (see docs/architecture.md):
// - Node.js: every entry as ES modules with shared chunks, so a process holds one copy of each class and of the
//   compiled core. CommonJS callers get the same files through Node's require() of ES modules (cjs/*.cjs).
// - Declarations for those CommonJS callers (.d.cts), since TypeScript reads a file's module format from its name.
// - The browser entry: one self-contained ES module with no Node imports.
import { defineConfig } from 'tsup';

const wasm = { '.wasm': 'binary' } as const;

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      worker: 'src/pool/worker.ts',
      'label-file-worker': 'src/pool/label-file-worker.ts',
      'report-worker': 'src/report/render-worker.ts',
      'dataset-worker': 'src/dataset/dataset-worker.ts',
      sim: 'src/sim/index.ts',
      cli: 'src/cli/bin.ts',
      // The command as a function, for tests that run it in-process.
      'cli-main': 'src/cli/main.ts',
    },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', sim: 'src/sim/index.ts' } },
    target: 'node20',
    platform: 'node',
    splitting: true,
    loader: wasm,
  },
  {
    entry: { index: 'src/index.ts', sim: 'src/sim/index.ts', browser: 'src/browser.ts' },
    format: ['cjs'],
    dts: { only: true },
    loader: wasm,
  },
  // The viewer's page: one script with three.js inside, served by `playment-masks view`.
  {
    entry: { 'viewer-page': 'src/viewer/page.ts' },
    format: ['iife'],
    target: 'es2022',
    platform: 'browser',
    minify: true,
    outExtension: () => ({ js: '.js' }),
  },
  {
    entry: { browser: 'src/browser.ts' },
    format: ['esm'],
    dts: true,
    target: 'es2022',
    platform: 'browser',
    loader: wasm,
  },
]);
