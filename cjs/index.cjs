// CommonJS callers get the ES module build itself (Node's require() of ES modules, Node.js 20.19+ and 22.12+), so that
// `require` and `import` in one process share one set of classes and one compiled WebAssembly core.
module.exports = require('../dist/index.js');
