// A user's TypeScript ES module, compiled in a fresh project with skipLibCheck false under nodenext, node16 and
// bundler resolution (tsconfig.*.json), then run.
import {
  decodeMask,
  MaskDecoderPool,
  MaskParseError,
  ready,
  type DecodedMask,
  type MaskDecoderPoolOptions,
  type PlaymentClientOptions,
} from 'playment-masks';
import { startSimulator, type SimulatorOptions } from 'playment-masks/sim';
import type { NotReadyError } from 'playment-masks/browser';

const options: MaskDecoderPoolOptions = { threads: 1, maxQueue: 4 };
const simOptions: SimulatorOptions = { jobs: 1, frames: 1, points: 10 };
const clientOptions: Partial<PlaymentClientOptions> = { maxRequestsPerSecond: 5 };
const notReady: NotReadyError['code'] = 'NOT_READY';

async function main(): Promise<void> {
  await ready();
  const mask: DecodedMask = decodeMask('[4, 4, 2]');
  const labels: Uint16Array = mask.labels;
  if (labels.join() !== '4,4,2' || mask.histogram[4] !== 2) throw new Error(`decoded ${labels.join()}`);
  try {
    decodeMask('[1, x]');
    throw new Error('no MaskParseError');
  } catch (error) {
    if (!(error instanceof MaskParseError) || error.offset !== 4) throw error;
  }
  const pool = new MaskDecoderPool(options);
  const pooled = await pool.decode('[1, 2]', { expectedPoints: 2 });
  await pool.close();
  const sim = await startSimulator(simOptions);
  await sim.close();
  console.log(
    `typed.ts on Node ${process.version}: ok (${pooled.pointCount} points, ${clientOptions.maxRequestsPerSecond}/s, ${notReady})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
