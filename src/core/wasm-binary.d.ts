// The release build of assembly/, embedded by tsup's binary loader (base64 in the bundle).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
