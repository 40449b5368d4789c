// A user's CommonJS module, run in a fresh project where the packed tarball is installed: the same checks through
// require(), and one set of classes and one compiled core shared with import().
const assert = require('node:assert/strict');
const { decodeMask, MaskDecoderPool, MaskParseError } = require('playment-masks');
const { startSimulator } = require('playment-masks/sim');

async function main() {
  const mask = decodeMask('[3, 1, 3]');
  assert.deepEqual(Array.from(mask.labels), [3, 1, 3]);
  assert.throws(
    () => decodeMask('[1, x]'),
    (error) => error instanceof MaskParseError && error.code === 'EXPECTED_VALUE' && error.offset === 4,
  );

  const pool = new MaskDecoderPool({ threads: 1 });
  assert.deepEqual(Array.from((await pool.decode('[7, 0, 7]')).labels), [7, 0, 7]);
  await pool.close();

  const sim = await startSimulator({ jobs: 1, frames: 1, points: 10 });
  assert.match(sim.baseUrl, /^http:\/\/127\./);
  await sim.close();

  const imported = await import('playment-masks');
  assert.equal(imported.MaskParseError, MaskParseError);
  let thrown;
  try {
    decodeMask('[x]');
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof imported.MaskParseError);
  assert.equal(Object.values(imported.MaskDecoderPool.workerData())[0], Object.values(MaskDecoderPool.workerData())[0]);
  console.log(`cjs.cjs on Node ${process.version}: ok`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
