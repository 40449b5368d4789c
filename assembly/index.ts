// The WebAssembly core. Only numbers cross the boundary: the JS side owns the memory layout
// (see src/wasm.ts) and passes pointers into this module's exported memory.
export { heapBase } from './layout';
export { decodeMask, errorOffset, maxLabel } from './mask';
export { lzfDecompress, lzfErrorOffset } from './lzf';
export { gatherField, gatherWords4 } from './pcd';
export { parseAscii, asciiExceptions } from './pcd-ascii';
export { decimalToF32, decimalToF64 } from './pcd-number';
export { snappyCompress } from './snappy';
export { deflateRaw } from './deflate';
export { bitPack, dictionaryOf, wordDictionaryAdd } from './dictionary';
export { nuScenesPoints } from './nuscenes';
