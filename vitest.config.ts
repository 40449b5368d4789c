// The tests run the TypeScript source (vitest transforms it), except the ones that test the built package (dist/,
// cjs/: the dual package, the bundlers, the browser bundle, fresh processes importing the package). Two things the
// build provides are made here for the source:
// - the WebAssembly core, which src/core/wasm.ts imports as bytes (tsup's binary loader): build/core.wasm and
//   build/core-relaxed.wasm, rebuilt first when a file of assembly/ is newer than either (so a test never runs a
//   stale core);
// - the threads' workers, which Node.js starts from JavaScript files next to their modules: src/pool/worker.ts,
//   src/pool/label-file-worker.ts and src/dataset/dataset-worker.ts bundled by esbuild into build/test/ at the start of every run, and the modules that
//   start them pointed there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** The two builds of the core: plain SIMD and relaxed SIMD (asconfig.json's targets). */
const CORES = [
  { file: root('./build/core.wasm'), target: 'release' },
  { file: root('./build/core-relaxed.wasm'), target: 'relaxed' },
];
/** Each worker: its source, the module that starts it, and how that module names the built file. */
const WORKERS = [
  { source: './src/pool/worker.ts', starter: '/src/pool/pool.ts', built: 'worker.js' },
  {
    source: './src/pool/label-file-worker.ts',
    starter: '/src/pool/label-file-threads.ts',
    built: 'label-file-worker.js',
  },
  { source: './src/dataset/dataset-worker.ts', starter: '/src/dataset/threads.ts', built: 'dataset-worker.js' },
].map((worker) => ({
  ...worker,
  entry: `new URL('./${worker.built}', import.meta.url)`,
  testFile: root(`./build/test/${worker.built}`),
}));

/** Rebuilds a build of the core that is missing or older than a file of assembly/ (asc takes ~10 s). */
function freshCores(): void {
  const sources = readdirSync(root('./assembly')).map((name) => statSync(root(`./assembly/${name}`)).mtimeMs);
  for (const { file, target } of CORES) {
    const built = existsSync(file) ? statSync(file).mtimeMs : 0;
    if (sources.every((time) => time <= built)) continue;
    console.warn(`${file} is missing or older than assembly/: rebuilding it (asc --target ${target})`);
    execFileSync(
      process.execPath,
      [root('./node_modules/assemblyscript/bin/asc.js'), 'assembly/index.ts', '--target', target],
      { cwd: root('.'), stdio: 'inherit' },
    );
  }
}

let built = false;

const sourceBuild: Plugin = {
  name: 'playment-masks-source',
  enforce: 'pre',
  buildStart() {
    // Once per run, not once per project.
    if (built) return;
    built = true;
    freshCores();
    for (const worker of WORKERS) {
      const { outputFiles } = buildSync({
        entryPoints: [root(worker.source)],
        outfile: worker.testFile,
        write: false,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        packages: 'external',
        loader: { '.wasm': 'binary' },
        logLevel: 'error',
      });
      // Written whole under another name and renamed: runs on several Node.js versions at once (CI) share the file.
      const temporary = `${worker.testFile}.${process.pid}`;
      mkdirSync(dirname(worker.testFile), { recursive: true });
      writeFileSync(temporary, outputFiles[0]!.contents);
      renameSync(temporary, worker.testFile);
    }
  },
  load(id) {
    if (!id.endsWith('.wasm')) return null;
    // A copy in an ArrayBuffer of its own, as tsup's loader gives it.
    return `import { readFileSync } from 'node:fs';\nexport default new Uint8Array(readFileSync(${JSON.stringify(id)}));`;
  },
  transform(code, id) {
    const worker = WORKERS.find((candidate) => id.endsWith(candidate.starter));
    if (!worker) return null;
    if (!code.includes(worker.entry))
      throw new Error(`vitest.config.ts: ${worker.starter} no longer names its worker as ${worker.entry}`);
    return code.replace(worker.entry, `new URL(${JSON.stringify(pathToFileURL(worker.testFile).href)})`);
  },
};

/**
 * Tests whose outcome does not depend on the Node.js version, run once in CI: pure computation over bytes (the
 * parsers' property and fuzz tests, the rate control in virtual time) and the tests driven by other programs that
 * read our output (Chromium, PCL, numpy). Everything else (HTTP, files, threads, processes, the packaged build)
 * runs on every Node.js version CI covers.
 */
const ONCE = [
  'test/decode-mask-property.test.ts',
  'test/decode-mask-sizes.test.ts',
  'test/pcd-fuzz.test.ts',
  'test/pcd-number.test.ts',
  'test/pcd-ascii.test.ts',
  'test/pcd-pcl.test.ts',
  'test/rate-control.test.ts',
  'test/hex-color.test.ts',
  'test/browser.test.ts',
  'test/bundlers.test.ts',
  'test/export-formats.test.ts',
  'test/semantickitti.test.ts',
  'test/docs.test.ts',
  'test/error-catalogue.test.ts',
  'test/report.test.ts',
  'test/viewer.test.ts',
];

export default defineConfig({
  plugins: [sourceBuild],
  test: {
    // Generous: two cores shared with other work can make a property test or a browser start take many times longer.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most test files spend their time waiting (servers, retries, rate limits, child processes), so more files run at
    // once than there are cores; vitest's default (cores - 1) ran them one by one on two cores.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ONCE } },
      { extends: true, test: { name: 'once', include: ONCE } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text', 'html', 'json-summary'],
    },
  },
});
