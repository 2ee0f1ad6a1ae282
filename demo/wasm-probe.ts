// Whether this engine can run the library's wasm backend, asked before any model is made (for the
// banner and the editor's estimates). The library probes the same way when it picks a backend;
// the demo imports only the public entry ('../src'), so it repeats the few bytes here.

/** A module with one function returning `v128.const 0`: valid only where WebAssembly SIMD128 is. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // body: v128.const 0
]);

/**
 * True where WebAssembly with SIMD128 is available (Chrome 91+, Firefox 89+, Safari 16.4+), the
 * engines `backend: 'wasm'` trains in.
 *
 * @example
 * const wasm = hasWasmSimd(); // true in current browsers
 */
export function hasWasmSimd(): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
