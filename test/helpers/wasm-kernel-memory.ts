// Generated wasm kernels run alone in a test: exported from a module over their own memory, with
// each named buffer at its own offset (padded apart, so a kernel writing past one shows).
import { ValType, call, get } from '../../src/wasm/emit/instructions';
import type { ModuleBuilder } from '../../src/wasm/emit/module';

/** Exports kernel `fn` (`n` i32 parameters) as `name`. */
export function exportKernel(m: ModuleBuilder, name: string, fn: number, n: number): void {
  m.add(name, Array(n).fill(ValType.i32), [], (f) => call(fn, ...Array.from({ length: n }, (_, i) => get(f.param(i)))), true);
}

/**
 * Instantiates `m` over a fresh memory holding one float32 buffer per entry of `sizes` (in
 * floats): `view` reads or fills a buffer, `at` gives its float offset, `exports` the kernels.
 */
export function kernelMemory<B extends string>(m: ModuleBuilder, sizes: Record<B, number>) {
  const at = {} as Record<B, number>;
  let next = 4;
  for (const k of Object.keys(sizes) as B[]) {
    at[k] = next;
    next += Math.ceil(sizes[k] / 4) * 4 + 16;
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil((next * 4) / 65536) + 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } });
  const f32 = new Float32Array(memory.buffer);
  const exports = instance.exports as Record<string, (...a: number[]) => void>;
  return { at, exports, view: (k: B) => f32.subarray(at[k], at[k] + sizes[k]) };
}
