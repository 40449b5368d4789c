// The browser entry for CommonJS callers (a bundler resolving `require('playment-masks/browser')`, or Node.js): the
// ES module build itself, as in index.cjs.
module.exports = require('../dist/browser.js');
