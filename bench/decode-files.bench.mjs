// `playment-masks decode DIR --out OUT` against a one-thread loop of readFile + decodeMask + writeFile (npy) over the
// same 500 mask files of 100k points. Both sides run as child processes (each pays its own start-up), interleaved in
// rounds with the ratio taken per round (median reported): the machine is shared and its speed drifts. The outputs
// of both sides must be byte-identical. Results in bench/results/decode-files.json (decode-files-nodeNN.json off
// Node 20).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realisticMaskText } from '../dist/sim.js';
import { writeVersionedResults } from './results-file.mjs';

const FILES = Number(process.env.FILES ?? 500);
const POINTS = 100_000;
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BAR = 1.6;
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const INDEX = new URL('../dist/index.js', import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'decode-files-bench-'));
const masks = join(dir, 'masks');
mkdirSync(masks);
for (let i = 0; i < FILES; i++) {
  writeFileSync(join(masks, `${String(i).padStart(4, '0')}.json`), realisticMaskText(POINTS, i + 1));
}

// What a user writes without the CLI: one file after another on one thread (npy exactly as numpy.save writes it).
const loop = `
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMask } from ${JSON.stringify(INDEX)};
const [masks, out] = process.argv.slice(1);
mkdirSync(out, { recursive: true });
function npyHeader(points) {
  let dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (" + points + ",), }";
  dict += ' '.repeat(Math.max(0, 21 - String(points).length));
  const padding = 64 - ((10 + dict.length + 1) % 64);
  const header = Buffer.alloc(10 + dict.length + 1 + padding, 0x20);
  header.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  header.writeUInt16LE(dict.length + 1 + padding, 8);
  header.write(dict, 10, 'latin1');
  header[header.length - 1] = 0x0a;
  return header;
}
for (const name of readdirSync(masks).sort()) {
  const { labels } = decodeMask(readFileSync(join(masks, name)));
  const body = Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength);
  writeFileSync(join(out, name.replace(/\\.json$/, '.npy')), Buffer.concat([npyHeader(labels.length), body]));
}
`;

const sides = {
  loop: (out) => execFileSync(process.execPath, ['--input-type=module', '-e', loop, masks, out]),
  cli: (out) => execFileSync(process.execPath, [CLI, 'decode', masks, '--out', out], { stdio: 'ignore' }),
};

// CPU time of the finished children (user + system, all their threads), from /proc on Linux: on a shared machine
// the CPU a side costs says more than its wall-clock time.
const TICKS_PER_SECOND = 100;
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

const times = { loop: [], cli: [] };
const cpu = { loop: [], cli: [] };
for (let round = 0; round <= ROUNDS; round++) {
  const order = round % 2 === 0 ? ['loop', 'cli'] : ['cli', 'loop'];
  for (const side of order) {
    const out = join(dir, `${side}-${round}`);
    const [start, startCpu] = [performance.now(), childrenCpuMs()];
    sides[side](out);
    if (round > 0) {
      times[side].push(performance.now() - start);
      cpu[side].push(childrenCpuMs() - startCpu);
    }
  }
  // Same bytes, file for file.
  const names = readdirSync(join(dir, `loop-${round}`)).sort();
  if (
    names.length !== FILES ||
    names.join() !==
      readdirSync(join(dir, `cli-${round}`))
        .sort()
        .join()
  ) {
    throw new Error('the two sides wrote different files');
  }
  for (const name of names) {
    if (!readFileSync(join(dir, `loop-${round}`, name)).equals(readFileSync(join(dir, `cli-${round}`, name)))) {
      throw new Error(`${name} differs between the loop and the CLI`);
    }
  }
  for (const side of order) rmSync(join(dir, `${side}-${round}`), { recursive: true });
}
rmSync(dir, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const speedup = median(times.cli.map((ms, i) => times.loop[i] / ms));
const result = {
  suite: 'decode-files',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage: loadavg()[0] },
  files: FILES,
  points: POINTS,
  rounds: ROUNDS,
  loopMs: median(times.loop),
  cliMs: median(times.cli),
  loopCpuMs: median(cpu.loop),
  cliCpuMs: median(cpu.cli),
  speedup,
  bar: BAR,
  identicalOutputs: true,
};
writeVersionedResults('decode-files', result);
console.log(
  `${FILES} files of ${POINTS} points; ${result.machine.cpu}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}\n` +
    `one-thread loop ${result.loopMs.toFixed(0)} ms, decode --out ${result.cliMs.toFixed(0)} ms: ${speedup.toFixed(2)}x ` +
    `(median of ${ROUNDS} per-round ratios), outputs byte-identical; CPU (user + system) loop ` +
    `${result.loopCpuMs.toFixed(0)} ms, decode --out ${result.cliCpuMs.toFixed(0)} ms`,
);
if (speedup < BAR) console.error(`below the bar: ${speedup.toFixed(2)}x, the bar is ${BAR}x`);
