// Where a bench that runs on several Node.js versions keeps its results: bench/results/SUITE.json on Node.js 20 (the
// version README's figures come from), SUITE-nodeNN.json on the others, so that a run on one never overwrites another's.
import { mkdirSync, writeFileSync } from 'node:fs';

export function writeVersionedResults(suite, result) {
  const major = process.version.slice(1).split('.')[0];
  const file = major === '20' ? `${suite}.json` : `${suite}-node${major}.json`;
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${file}`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}
