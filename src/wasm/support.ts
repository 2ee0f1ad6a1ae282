/**
 * Whether this engine runs the wasm backend: WebAssembly with SIMD128 (Chrome 91+, Firefox 89+,
 * Safari 16.4+, Node 16.4+). Null when it does, else why not.
 *
 * @example
 * const missing = wasmSimdMissing(); // null in Node 20
 */
export function wasmSimdMissing(): string | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return 'this engine has no WebAssembly';
  // a function returning v128.const 0: valid only where SIMD128 is
  const probe = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
    0x03, 0x02, 0x01, 0x00, // function 0 of type 0
    0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // body: v128.const 0
  ]);
  try {
    return WebAssembly.validate(probe) ? null : 'this engine has WebAssembly without SIMD128';
  } catch (e) {
    return `WebAssembly could not be probed (${(e as Error).message})`;
  }
}
