// Whether this engine runs WebAssembly's relaxed SIMD, asked of the engine itself: a module of one function that
// returns i8x16.relaxed_swizzle of two constants validates only where the instruction is known.
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // types: () -> v128
  ...[0x03, 0x02, 0x01, 0x00], // functions: one of type 0
  ...[0x0a, 0x2b, 0x01, 0x29, 0x00], // code: one body of 41 bytes, no locals
  ...V128_CONST,
  ...V128_CONST,
  ...[0xfd, 0x80, 0x02], // i8x16.relaxed_swizzle (0xfd 256)
  0x0b, // end
]);

export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(PROBE);
}
