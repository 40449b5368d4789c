// The realistic mask generator of src/sim/mask-text.ts for the benchmarks, which run plain node on dist/: the file is
// pure TypeScript without imports, so esbuild (tsup's compiler) strips its types and it is imported as a data: URL.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const source = readFileSync(new URL('../src/sim/mask-text.ts', import.meta.url), 'utf8');
const { code } = transformSync(source, { loader: 'ts', format: 'esm' });

/** @type {{ realisticMaskText(points: number, seed?: number): string; runFreeMaskText(points: number, seed?: number): string }} */
export const { realisticMaskText, runFreeMaskText } = await import(`data:text/javascript,${encodeURIComponent(code)}`);
