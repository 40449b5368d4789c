// `report`, one frame's stages in this thread: reading its files, rasterising 100k points (JavaScript on typed
// arrays), encoding the indexed PNG (zlib, run-length strategy). Shows where a frame's time goes, against the file reads as the
// baseline of the same run (rounds interleaved, medians). Needs the export report.bench.mjs makes.
// Results in bench/results/report-stages.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROUNDS = 30;
const exportDir = join(tmpdir(), 'playment-masks-bench-report-export');
// The two modules under test, bundled from source (they are internal: the package does not export them).
const bundle = await build({
  stdin: {
    contents:
      "export { rasterise, prioritiesOf } from './src/report/birdseye.ts';\n" +
      "export { VIEW_DEFAULTS } from './src/report/view-options.ts';\n" +
      "export { encodeIndexedPng } from './src/report/png.ts';",
    resolveDir: new URL('..', import.meta.url).pathname,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
});
const { rasterise, prioritiesOf, VIEW_DEFAULTS, encodeIndexedPng } = await import(
  `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`
);

const line = JSON.parse(readFileSync(join(exportDir, 'index.jsonl'), 'utf8').split('\n')[0]);
const npyData = (bytes) => bytes.subarray(10 + (bytes[8] | (bytes[9] << 8)));
async function readFrame() {
  const [labels, points] = await Promise.all([
    readFile(join(exportDir, line.file)),
    readFile(join(exportDir, line.points_file)),
  ]);
  const l = new Uint8Array(npyData(labels));
  const p = new Uint8Array(npyData(points));
  return { classes: new Uint16Array(l.buffer), xyz: new Float32Array(p.buffer) };
}

const frame = await readFrame();
const counts = new Uint32Array(64);
for (const cls of frame.classes) counts[cls]++;
const indexOfClass = new Uint8Array(64);
const palette = [
  [17, 17, 17],
  [255, 255, 255],
];
for (let id = 0; id < 64; id++) {
  if (counts[id] > 0) {
    indexOfClass[id] = palette.length;
    palette.push([(id * 40) & 255, (id * 90) & 255, (id * 150) & 255]);
  }
}
const input = { ...frame, stride: 3, indexOfClass, priorityOfClass: prioritiesOf(counts) };
const pixels = rasterise(input, VIEW_DEFAULTS);

const stages = {
  'read label + points files': () => readFrame(),
  'rasterise 100k points': () => rasterise(input, VIEW_DEFAULTS),
  'encode PNG (zlib RLE)': () => encodeIndexedPng(VIEW_DEFAULTS.size, VIEW_DEFAULTS.size, pixels, palette),
};
const samples = Object.fromEntries(Object.keys(stages).map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(stages)) {
    const start = performance.now();
    await run();
    if (round > 0) samples[name].push(performance.now() - start);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const baseline = median(samples['read label + points files']);
const result = {
  suite: 'report-stages',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  loadAverage1m: loadavg()[0],
  frame: { points: frame.classes.length, view: VIEW_DEFAULTS, pngBytes: stages['encode PNG (zlib RLE)']().length },
  stages: Object.keys(stages).map((name) => ({
    name,
    medianMs: median(samples[name]),
    vsFileReads: median(samples[name]) / baseline,
  })),
  rounds: ROUNDS,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/report-stages.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
