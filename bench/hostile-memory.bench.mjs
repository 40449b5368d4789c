// Peak memory of `playment-masks export` (dist/cli.js, default settings) against hostile servers: the cases of issue
// #11 that crashed or swelled the export. Each case is a child process measured by rss-probe.mjs (VmHWM), against a
// hostile server (dist/sim.js startHostileServer) in this process whose bodies are built once and shared by all jobs.
// The bar: every case ends with a summary (the hostile jobs failed with their codes, the others exported) under
// ~1 GB of RSS. Results in bench/results/hostile-memory.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  compressedBomb,
  lidarScan,
  lzfBombPcd,
  realisticMaskText,
  resultText,
  startHostileServer,
  writePcd,
} from '../dist/sim.js';
import { machine, measureChild } from './measure-child.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli.js');
const MiB = 1024 * 1024;
const BAR_MIB = 1024;

const POINTS = 100_000;
const maskText = realisticMaskText(POINTS, 7);

/** `count` ordinary jobs `<prefix><i>`, one 100k-point mask each (one shared mask file), the given result object. */
const ORDINARY_RESULT = resultText([{ frameId: '0', sensorId: 'lidar', url: 'private://mask' }]);

function ordinaryJobs(prefix, count, result = ORDINARY_RESULT) {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, result: { body: result } }));
}

/** A result object of about `bytes` in the vendor's shape: a mask and a long list of annotations. */
function largeResult(bytes) {
  const mask = { frame_id: '0', sensor_id: 'lidar', label_url: 'private://mask', type: 'segmentation3d', url: '' };
  const annotations = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const text = JSON.stringify({
      _id: `a${i.toString(16).padStart(24, '0')}`,
      attributes: { occluded: i % 3 === 0, truncated: false },
      class_id: `c${(i % 9).toString(16).padStart(24, '0')}`,
      color: 'rgb(71, 153, 193)',
      frame_id: String(i % 50),
      label: `class-${i % 9}`,
      label_key: i % 9,
      sensor_id: 'lidar',
      track_id: `t${(i % 1000).toString(16).padStart(24, '0')}`,
      type: 'segmentation3d',
    });
    annotations.push(text);
    size += text.length + 1;
  }
  const data = `"annotations":[${annotations.join(',')}],"frames":[{"_id":"0"}],"masks":[${JSON.stringify(mask)}]`;
  return `{"annotation_data":{${data}}}`;
}

const CASES = [
  {
    name: '4 result objects: 249 KiB of gzip -> 250 MiB of "0,0,0,..." (+ 20 ordinary jobs)',
    expect: { exported: 20, failed: { RESPONSE_TOO_LARGE: 4 } },
    async options() {
      const body = await compressedBomb('gzip', '{"annotation_data":{"masks":[]},"x":[', '0,', 250 * MiB, '0]}');
      const bombs = [0, 1, 2, 3].map((i) => ({ id: `bomb${i}`, result: { body, encoding: 'gzip' } }));
      return { jobs: [...bombs, ...ordinaryJobs('job', 20)], files: new Map([['private://mask', { body: maskText }]]) };
    },
  },
  {
    name: '16 masks: brotli -> 250 MiB of "0, 0, 0, ..." (+ 20 ordinary jobs)',
    expect: { exported: 20, failed: { RESPONSE_TOO_LARGE: 16 } },
    async options() {
      const body = await compressedBomb('br', '[', '0, ', 250 * MiB, '0]');
      const result = resultText([{ frameId: '0', sensorId: 'lidar', url: 'private://bomb' }]);
      return {
        jobs: [...ordinaryJobs('bomb', 16, result), ...ordinaryJobs('job', 20)],
        files: new Map([
          ['private://bomb', { body, encoding: 'br' }],
          ['private://mask', { body: maskText }],
        ]),
      };
    },
  },
  {
    name: '100 jobs with 30 MB result objects (one 100k-point mask each)',
    expect: { exported: 100, failed: {} },
    async options() {
      const files = new Map([['private://mask', { body: maskText }]]);
      return { jobs: ordinaryJobs('job', 100, largeResult(30_000_000)), files };
    },
  },
  {
    name: '--with-points, 4 point clouds: 12 KiB of gzip, an LZF stream expanding to 1 GiB (+ 4 ordinary jobs)',
    args: ['--with-points'],
    expect: { exported: 4, failed: { POINT_COUNT_MISMATCH: 4 } },
    async options() {
      const mask = { frameId: '0', sensorId: 'lidar', url: 'private://mask' };
      const bombed = [0, 1, 2, 3].map((i) => ({ ...mask, pointCloudUrl: `private://bomb${i}` }));
      const good = { ...mask, pointCloudUrl: 'private://pcd' };
      const pcd = gzipSync(lzfBombPcd(), { level: 9 });
      return {
        jobs: [
          ...bombed.map((mask, i) => ({ id: `bomb${i}`, result: { body: resultText([mask]) } })),
          ...ordinaryJobs('job', 4, resultText([good])),
        ],
        files: new Map([
          ['private://mask', { body: maskText }],
          ['private://pcd', { body: writePcd(lidarScan(POINTS), POINTS, 'binary_compressed') }],
          ...bombed.map(({ pointCloudUrl }) => [pointCloudUrl, { body: pcd, encoding: 'gzip' }]),
        ]),
      };
    },
  },
];

// `node hostile-memory.bench.mjs 3` runs the third case alone (and writes no results file).
const only = process.argv.slice(2).map(Number);
const results = [];
for (const hostileCase of CASES.filter((_, i) => only.length === 0 || only.includes(i + 1))) {
  const server = await startHostileServer(await hostileCase.options());
  const out = mkdtempSync(join(tmpdir(), 'bench-hostile-'));
  const args = [CLI, 'export', '--base-url', server.baseUrl, '--project', server.projectId, '--batch', server.batchId];
  const env = { PLAYMENT_API_KEY: server.apiKey };
  // Exit 1: some jobs failed, as they must here.
  const measured = await measureChild([...args, '--out', out, ...(hostileCase.args ?? [])], env, [0, 1]);
  await server.close();
  let summary;
  try {
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  } catch {
    throw new Error(`${hostileCase.name}: no summary.json (exit ${measured.code}): ${measured.stderr}`);
  }
  rmSync(out, { recursive: true, force: true });
  const failed = {};
  for (const { code } of summary.failures) failed[code] = (failed[code] ?? 0) + 1;
  const asExpected =
    summary.jobs.exported === hostileCase.expect.exported &&
    JSON.stringify(failed) === JSON.stringify(hostileCase.expect.failed);
  const row = {
    case: hostileCase.name,
    exitCode: measured.code,
    wallMs: Math.round(measured.wallMs),
    peakRssMiB: Math.round(measured.peakRssMiB),
    jobs: summary.jobs,
    failures: failed,
    asExpected,
  };
  results.push(row);
  console.log(
    `${row.case}: peak RSS ${row.peakRssMiB} MiB, ${row.wallMs} ms, exit ${row.exitCode}, ` +
      `${summary.jobs.exported} exported, failures ${JSON.stringify(failed)}${asExpected ? '' : ' (NOT AS EXPECTED)'}`,
  );
}

const report = {
  machine: machine(),
  settings:
    'defaults: concurrency 32, maxBytesInFlight 128 MiB, maxResultBytes 64 MiB, maxMaskBytes 64 MiB, ' +
    'maxPointCloudBytes 128 MiB',
  results,
  bar: { peakRssBelowMiB: BAR_MIB },
};
if (only.length === 0) {
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/hostile-memory.json'), `${JSON.stringify(report, null, 2)}\n`);
}
if (results.some((row) => !row.asExpected || row.peakRssMiB >= BAR_MIB)) process.exitCode = 1;
