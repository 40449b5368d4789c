// What every consumer program checks on the library it loaded its own way (import or require): decoding, a typed
// parse error with its code and offset, and a worker pool (its worker file must be in the package).
const assert = require('node:assert/strict');

module.exports = async function checkBasics({ decodeMask, MaskDecoderPool, MaskParseError }) {
  const mask = decodeMask('[3, 1, 3]');
  assert.deepEqual(Array.from(mask.labels), [3, 1, 3]);
  assert.equal(mask.histogram[3], 2);
  assert.throws(
    () => decodeMask('[1, x]'),
    (error) => error instanceof MaskParseError && error.code === 'EXPECTED_VALUE' && error.offset === 4,
  );
  const pool = new MaskDecoderPool({ threads: 1 });
  assert.deepEqual(Array.from((await pool.decode('[7, 0, 7]')).labels), [7, 0, 7]);
  await pool.close();
};
