// The builds of assembly/ (build/core.wasm, build/core-relaxed.wasm), embedded by tsup's binary loader (base64 in the bundle).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
