// The simulator for CommonJS callers: the ES module build itself, as in index.cjs.
module.exports = require('../dist/sim.js');
