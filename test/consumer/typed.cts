// A user's TypeScript CommonJS module (.cts: its imports compile to require(), typed by the .d.cts declarations),
// compiled in a fresh project with skipLibCheck false under nodenext and node16 (tsconfig.*.json), then run.
import { decodeMask, MaskDecoderPool, PlaymentMasksError, type MaskDecoderPoolOptions } from 'playment-masks';
import { SimDataset } from 'playment-masks/sim';

async function main(): Promise<void> {
  const dataset = new SimDataset({ jobs: 1, frames: 1, points: 50 });
  const text = dataset.maskText(0, 0, 0);
  const options: MaskDecoderPoolOptions = { threads: 1 };
  const pool = new MaskDecoderPool(options);
  const pooled = await pool.decode(text);
  await pool.close();
  if (pooled.labels.join() !== decodeMask(text).labels.join()) throw new Error('the pool and decodeMask disagree');
  let code = '';
  try {
    decodeMask('[');
  } catch (error) {
    if (error instanceof PlaymentMasksError) code = error.code;
  }
  if (code === '') throw new Error('no PlaymentMasksError');
  console.log(`typed.cts on Node ${process.version}: ok (${pooled.pointCount} points, ${code})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
