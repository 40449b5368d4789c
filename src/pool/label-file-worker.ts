// A worker thread of LabelFileThreads: takes files until none is left, writing each one's label file on this thread
// (label-file.ts). Loads only what that needs, and no thread pool: its start is on the clock of every run.
import { parentPort, workerData } from 'node:worker_threads';
import { useCoreModule } from '../core/wasm.js';
import { Claims, type LabelFileRun } from './label-file-claims.js';
import { LabelFileWriter } from './label-file.js';
import { CORE_MODULE_KEY, toFailureReply } from './protocol.js';

const data = workerData as { [CORE_MODULE_KEY]: WebAssembly.Module; thread: number };
useCoreModule(data[CORE_MODULE_KEY]);

// One run, then the thread ends by itself: nothing is left to keep it alive.
parentPort!.once('message', ({ files, format, memory }: LabelFileRun) => {
  const claims = new Claims(memory);
  const writer = new LabelFileWriter();
  for (let index = claims.claim(data.thread); index >= 0; index = claims.claim(data.thread)) {
    const { path, outPath } = files[index]!;
    try {
      claims.written(index, writer.write(path, outPath, format));
    } catch (error) {
      // Anything but a bad mask or a file error is a bug: thrown, it ends this thread and fails this file.
      parentPort!.postMessage({ index, failure: toFailureReply(error) });
    }
  }
  writer.close();
});
