// Debian's PCL as the independent reference for PCD files: finds pcl-tools and libpcl-dev, builds pcl-probe.cpp once
// per source version into a cache folder under the system temp dir, and runs it. Shared by test/pcd-pcl.test.ts and
// bench/pcd.bench.mjs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./pcl-probe.cpp', import.meta.url));
export const PCL_TOOLS = ['/usr/bin/pcl_convert_pcd_ascii_binary', '/usr/bin/pcl_pcd_convert_NaN_nan'];

/** Why PCL cannot be used here (a missing tool or library), or undefined when it can. */
export function pclMissing() {
  const missing = PCL_TOOLS.filter((tool) => !existsSync(tool));
  if (missing.length > 0) return `pcl-tools is not installed (no ${missing.join(', ')})`;
  if (spawnSync('pkg-config', ['--exists', 'pcl_io']).status !== 0)
    return 'libpcl-dev is not installed (pkg-config pcl_io)';
  if (spawnSync('g++', ['--version']).status !== 0) return 'g++ is not installed';
  return undefined;
}

/** The path of the built probe, compiling it first when this version of the source has not been built yet. */
export function buildProbe() {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'playment-masks-pcl-probe');
  const binary = join(dir, `pcl-probe-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'pcl_io'], { encoding: 'utf8' }).trim().split(/\s+/);
  // Built under a name of its own and renamed into place, so that concurrent test files never run half a binary.
  const partial = `${binary}.${process.pid}.${Date.now()}`;
  try {
    execFileSync('g++', ['-O2', '-std=c++17', '-o', partial, SOURCE, ...flags], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    renameSync(partial, binary);
  } finally {
    rmSync(partial, { force: true });
  }
  return binary;
}

const DATATYPE_SIZES = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 8: 8, 9: 8, 10: 8 };

/**
 * PCL's reading of a PCD file: `{ width, height, pointStep, fields: [{ name, datatype, size, offset, count }], data }`
 * with `data` PCL's point bytes (point_step per point), or undefined when PCL refuses the file.
 */
export function pclRead(probe, path) {
  const out = `${path}.pcl-dump`;
  const { status, stderr } = spawnSync(probe, ['dump', path, out], { encoding: 'utf8' });
  if (status === 3) return undefined;
  if (status !== 0) throw new Error(`pcl-probe dump ${path} failed (${status}): ${stderr}`);
  const bytes = readFileSync(out);
  rmSync(out);
  const newline = bytes.indexOf(0x0a);
  const head = JSON.parse(bytes.subarray(0, newline).toString('utf8'));
  return {
    width: head.width,
    height: head.height,
    pointStep: head.point_step,
    fields: head.fields.map((field) => ({ ...field, size: DATATYPE_SIZES[field.datatype] })),
    data: bytes.subarray(newline + 1),
  };
}

/** Writes PCL's corpus (pcl-probe.cpp's `write`) into `dir`. */
export function pclWriteCorpus(probe, dir) {
  execFileSync(probe, ['write', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A long-lived probe that loads files with pcl::io::loadPCDFile on request: `load(path)` resolves to nanoseconds. */
export function pclLoader(probe) {
  const child = spawn(probe, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const { resolve, reject, path } = waiting.shift();
      if (line === 'error') reject(new Error(`PCL refused ${path}`));
      else resolve(Number(line.split(' ')[0]));
    }
  });
  return {
    load: (path) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject, path });
        child.stdin.write(`${path}\n`);
      }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

/** The C library's strtof and strtod of each decimal: `{ single: uint32 bits, double: uint64 bits }`. */
export function cStrto(probe, decimals) {
  const output = execFileSync(probe, ['strto'], { input: `${decimals.join('\n')}\n`, encoding: 'utf8' });
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const [single, double] = line.split(' ');
      return { single: Number.parseInt(single, 16), double: BigInt(`0x${double}`) };
    });
}
