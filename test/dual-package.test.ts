// One package, one copy: `require()` (cjs/*.cjs, through Node's require() of ES modules) and `import` in one Node.js
// process get the same classes and the same compiled WebAssembly core, so an error thrown through one is
// `instanceof` the other's class. Run in a child process: vitest's own module loader would be a second copy.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const path = (relative: string) => JSON.stringify(fileURLToPath(new URL(relative, import.meta.url)));

const SCRIPT = `
import { createRequire } from 'node:module';
import * as imported from ${path('../dist/index.js')};
import * as importedSim from ${path('../dist/sim.js')};
import * as importedBrowser from ${path('../dist/browser.js')};
const require = createRequire(import.meta.url);
const required = require(${path('../cjs/index.cjs')});
const requiredSim = require(${path('../cjs/sim.cjs')});
const requiredBrowser = require(${path('../cjs/browser.cjs')});
const caught = (run) => { try { run(); } catch (error) { return error; } };
const fromRequire = caught(() => required.decodeMask('[1, x]'));
const fromImport = caught(() => imported.readPcd(new Uint8Array(0)));
const same = (a, b) => Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);
process.stdout.write(JSON.stringify({
  sameExports: same(required, imported),
  sameSimExports: same(requiredSim, importedSim),
  sameBrowserExports: same(requiredBrowser, importedBrowser),
  names: Object.keys(required).length,
  requireErrorIsImportClass: fromRequire instanceof imported.MaskParseError && fromRequire instanceof imported.PlaymentMasksError,
  importErrorIsRequireClass: fromImport instanceof required.PcdParseError,
  oneCore: Object.values(required.MaskDecoderPool.workerData())[0] === Object.values(imported.MaskDecoderPool.workerData())[0],
  coreIsModule: Object.values(imported.MaskDecoderPool.workerData())[0] instanceof WebAssembly.Module,
}));
`;

describe('require() and import in one Node.js process', () => {
  it('share every export, the error classes and one compiled WebAssembly core', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(output);
    expect(result.names).toBeGreaterThan(20);
    expect(result).toEqual({
      sameExports: true,
      sameSimExports: true,
      sameBrowserExports: true,
      names: result.names,
      requireErrorIsImportClass: true,
      importErrorIsRequireClass: true,
      oneCore: true,
      coreIsModule: true,
    });
  });
});
