// The wasm backend's products split across worker threads (src/wasm/threads/), timed as
// bench/wasm-measure.ts times them on one thread: the same operands, the best of `reps` runs.
import { ModuleBuilder } from '../src/wasm/emit/module';
import { MATMUL_PARAMS, type MatmulSpec, matmulScratchBytes } from '../src/wasm/kernels/matmul';
import { ParallelProducts } from '../src/wasm/threads/parallel';
import { partScratchBytes, syncBytes } from '../src/wasm/threads/partition';
import { WorkerPool } from '../src/wasm/threads/pool';
import { call, get } from '../src/wasm/emit/instructions';
import { bestMs } from './wasm-measure';

/** Best milliseconds of one product of `spec` on `threads` threads (M or K given at run time), operands in [−1, 1]. */
export async function threadedMatmulMs(spec: MatmulSpec, M: number, K: number, reps: number, threads: number): Promise<number> {
  const m = new ModuleBuilder(true);
  const products = new ParallelProducts(m, threads, 0, [spec.N]);
  const split = products.add('mm', spec);
  m.add('run', MATMUL_PARAMS, [], (f) => call(split, ...MATMUL_PARAMS.map((_, k) => get(f.param(k)))), true);
  products.finish();
  const N = spec.N;
  const a = Math.ceil(syncBytes(threads) / 64) * 64 + 64;
  const b = a + M * K * 4 + 64;
  const c = b + K * N * 4 + 64;
  const scratch = c + M * N * 4 + 64;
  const pages = Math.ceil((scratch + Math.max(matmulScratchBytes(spec), threads * partScratchBytes([N], threads)) + 64) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const module = await WebAssembly.compile(m.encode());
  const mm = new WebAssembly.Instance(module, { env: { memory } }).exports.run as (...args: number[]) => void;
  const pool = await WorkerPool.start(module, memory, threads, 0);
  try {
    const f = new Float32Array(memory.buffer);
    for (let i = a / 4; i < c / 4; i++) f[i] = Math.sin(i);
    const run = () => mm(a, b, c, spec.M === null ? M : K, scratch, 0, 0, 0);
    for (let w = 0; w < 3; w++) run();
    return bestMs(run, reps);
  } finally {
    await pool.end();
  }
}
