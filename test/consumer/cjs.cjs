// A user's CommonJS module, run in a fresh project where the packed tarball is installed: the same checks through
// require(), and one set of classes and one compiled core shared with import().
const assert = require('node:assert/strict');
const library = require('playment-masks');
const { decodeMask, MaskDecoderPool, MaskParseError } = library;
const { startSimulator } = require('playment-masks/sim');
const checkBasics = require('./basics.cjs');

async function main() {
  await checkBasics(library);

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
