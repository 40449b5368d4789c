// The embedded WebAssembly core: compiled once per process, instantiated once per thread, with one
// scratch region in its memory that grows on demand and is reused by every call.
import relaxedCoreBinary from '../../build/core-relaxed.wasm';
import plainCoreBinary from '../../build/core.wasm';
import { NotReadyError } from './not-ready-error.js';
import { relaxedSimdSupported } from './relaxed-simd.js';

/**
 * The core built with relaxed SIMD where the engine has it (Node.js 22 and later, Chrome 114 and later): the mask
 * parser's table lookups and digit weighting take one instruction each there, and the histogram lists runs without a
 * branch (the plain build takes 1.2x its time on Node 24). Else the plain SIMD build (Node.js 20 and the rest). Both
 * give identical results.
 */
const coreBinary = relaxedSimdSupported() ? relaxedCoreBinary : plainCoreBinary;

interface CoreExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  decodeMask(inPtr: number, inLen: number, outPtr: number, histPtr: number, offset: number, part: number): number;
  errorOffset(): number;
  maxLabel(): number;
  lzfDecompress(inPtr: number, inLen: number, outPtr: number, outLen: number): number;
  lzfErrorOffset(): number;
  gatherField(src: number, points: number, stride: number, width: number, dst: number): void;
  gatherWords4(src: number, points: number, dst: number): void;
  parseAscii(
    inPtr: number,
    inLen: number,
    points: number,
    valuesPerPoint: number,
    tablePtr: number,
    exceptionPtr: number,
    exceptionCapacity: number,
  ): number;
  asciiExceptions(): number;
  snappyCompress(inPtr: number, inLen: number, outPtr: number, tablePtr: number): number;
  deflateRaw(inPtr: number, inLen: number, outPtr: number, tablePtr: number): number;
  dictionaryOf(valuesPtr: number, count: number, indexPtr: number, dictionaryPtr: number): number;
  wordDictionaryAdd(
    valuesPtr: number,
    count: number,
    tablePtr: number,
    dictionaryPtr: number,
    distinct: number,
    indicesPtr: number,
  ): number;
  bitPack(indicesPtr: number, count: number, bitWidth: number, outPtr: number): number;
  nuScenesPoints(
    points: number,
    stride: number,
    labels: number,
    instances: number,
    idStride: number,
    count: number,
    table: number,
    cloud: number,
    lidarseg: number,
    panoptic: number,
  ): number;
}

let compiledModule: WebAssembly.Module | undefined;

/** The compiled core. Pass it to worker threads (it is cloneable) so they skip compilation. */
export function coreModule(): WebAssembly.Module {
  compiledModule ??= new WebAssembly.Module(coreBinary);
  return compiledModule;
}

/** Makes this thread use an already compiled core, for example one received from the main thread. */
export function useCoreModule(module: WebAssembly.Module): void {
  if (compiledModule === module) return;
  compiledModule = module;
  instance = undefined;
}

const PAGE_BYTES = 65536;

/** One instance of the core and typed views on its memory, rebuilt whenever the memory grows. */
export class WasmCore {
  readonly exports: CoreExports;
  /** First byte the scratch region may use. */
  readonly base: number;
  #buffer: ArrayBuffer;
  #u8: Uint8Array;

  constructor(module: WebAssembly.Module, instance = new WebAssembly.Instance(module, {})) {
    this.exports = instance.exports as unknown as CoreExports;
    this.base = this.exports.heapBase();
    this.#buffer = this.exports.memory.buffer;
    this.#u8 = new Uint8Array(this.#buffer);
  }

  /** Grows the memory so that `[0, end)` is addressable. Any growth detaches earlier views: take them after this. */
  reserve(end: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (end > have) this.exports.memory.grow(Math.ceil((end - have) / PAGE_BYTES));
  }

  /** The whole memory as bytes, valid until the next reserve(). */
  get u8(): Uint8Array {
    const current = this.exports.memory.buffer;
    if (current !== this.#buffer) {
      this.#buffer = current;
      this.#u8 = new Uint8Array(current);
    }
    return this.#u8;
  }

  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /**
   * Copies `parts` one after the other into the memory from `at`, at most `limit` bytes in all (reserve() first);
   * returns the bytes copied. A part that views this memory is moved within it (TypedArray.set may copy such a
   * source whole first).
   */
  writeParts(parts: readonly Uint8Array[], at: number, limit = Number.POSITIVE_INFINITY): number {
    const memory = this.u8;
    let written = 0;
    for (const part of parts) {
      if (written >= limit) break;
      const n = Math.min(part.length, limit - written);
      if (part.buffer === memory.buffer) memory.copyWithin(at + written, part.byteOffset, part.byteOffset + n);
      else memory.set(n === part.length ? part : part.subarray(0, n), at + written);
      written += n;
    }
    return written;
  }
}

let instance: WasmCore | undefined;
let loading: Promise<void> | undefined;
/** Set by the browser entry: the core is then loaded by ready() only, never synchronously on first use. */
let loadOnlyByReady = false;

/** Makes wasmCore() throw NotReadyError until ready() has loaded the core, instead of compiling it synchronously. */
export function requireReady(): void {
  loadOnlyByReady = true;
}

/**
 * Compiles and instantiates the WebAssembly core without blocking; resolves once decoding can start. Browsers refuse
 * synchronous compilation of larger modules on the main thread (Chrome: over 4 KB in older versions, 8 MB today), so
 * the browser entry needs this awaited before its first decode. In Node.js it is optional (the core is otherwise
 * compiled synchronously on first use). Calling it again is cheap; a failed load is retried by the next call.
 */
export function ready(): Promise<void> {
  if (instance) return Promise.resolve();
  loading ??= (async () => {
    const module = await WebAssembly.compile(coreBinary);
    const loaded = await WebAssembly.instantiate(module, {});
    compiledModule ??= module;
    instance ??= new WasmCore(module, loaded);
  })().finally(() => {
    loading = undefined;
  });
  return loading;
}

/** This thread's instance of the core. */
export function wasmCore(): WasmCore {
  if (instance) return instance;
  if (loadOnlyByReady) throw new NotReadyError();
  instance = new WasmCore(coreModule());
  return instance;
}
