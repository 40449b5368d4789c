// What the end-of-run renumbering (src/export/remap.ts) costs at the least on this machine: its file operations alone,
// none of the export's code. For every job folder of a finished export, on `threads` worker threads (libuv's default
// pool is 4): read the legend and the label files; write each label file, the fragment and the legend again under
// their pending names, each through a temporary file that is flushed and renamed; flush the folder; rename them over
// the originals; flush the folder. The bytes written are those read, so the folder ends as it was.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const PENDING = '.remap';

function syncDir(dir) {
  const fd = openSync(dir, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

function writeFlushed(dir, name, bytes) {
  const temp = join(dir, `.~floor${process.pid}.tmp`);
  const fd = openSync(temp, 'wx');
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temp, join(dir, name));
}

function rewriteJob(dir) {
  const legend = readFileSync(join(dir, 'legend.json'));
  const fragment = readFileSync(join(dir, 'index.jsonl'));
  for (const name of readdirSync(dir).filter((name) => name.endsWith('.npy'))) {
    writeFlushed(dir, name + PENDING, readFileSync(join(dir, name)));
  }
  writeFlushed(dir, `index.jsonl${PENDING}`, fragment);
  syncDir(dir);
  writeFlushed(dir, `legend${PENDING}.json`, legend);
  for (const name of readdirSync(dir).filter((name) => name.endsWith(PENDING))) {
    renameSync(join(dir, name), join(dir, name.slice(0, -PENDING.length)));
  }
  renameSync(join(dir, `legend${PENDING}.json`), join(dir, 'legend.json'));
  syncDir(dir);
}

/** Milliseconds for the file operations of rewriting every job of `outDir` (an npy export) on `threads` threads. */
export async function rewriteFloorMs(outDir, threads = 4) {
  const jobsDir = join(outDir, 'jobs');
  const dirs = readdirSync(jobsDir).map((name) => join(jobsDir, name));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, (_, thread) => {
      const mine = dirs.filter((_, i) => i % threads === thread);
      const worker = new Worker(new URL(import.meta.url), { workerData: mine });
      return new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return performance.now() - started;
}

if (!isMainThread) {
  for (const dir of workerData) rewriteJob(dir);
  parentPort.postMessage('done');
}
