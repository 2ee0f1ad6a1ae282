// The wasm backend on worker threads (src/wasm/threads/): each product split by column parts
// across 2, 3 and 4 threads against the same product on one thread, at the sizes 1, 3, 7, 65 and
// 257 with the step's epilogues (every output starts as NaN, so a part no thread wrote fails);
// then the backend's limits: a worker that dies mid-fit rejects the fit naming it with the model
// at its last completed step, dispose ends the workers, and a grow of the shared memory that the
// engine refuses is a clear error that changes nothing.
import { describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/core/config';
import { Rng } from '../src/core/random';
import { call, get } from '../src/wasm/emit/instructions';
import { ModuleBuilder } from '../src/wasm/emit/module';
import { addMathFunctions } from '../src/wasm/kernels/math';
import { MATMUL_PARAMS, type MatmulSpec, addMatmul, matmulScratchBytes } from '../src/wasm/kernels/matmul';
import { WasmMemory } from '../src/wasm/memory';
import { netShape } from '../src/wasm/shape';
import { ParallelProducts } from '../src/wasm/threads/parallel';
import { partScratchBytes, partition, syncBytes } from '../src/wasm/threads/partition';
import { WorkerPool } from '../src/wasm/threads/pool';
import { caseData, fitHost, fitOn, flatParams, twins } from './wasm-twins';

type Form = 'AB' | 'ATB' | 'ABT';
interface Case { form: Form; M: number; K: number; N: number }

/** Each of the sizes 1, 3, 7, 65, 257 as M, as K and as N in each form (N of 1, 3 or 7 is not cut: the one-part path). */
const SHAPES: [number, number, number][] = [[1, 65, 257], [3, 257, 65], [7, 1, 257], [65, 3, 65], [257, 7, 257], [65, 257, 1], [7, 65, 3], [3, 7, 7]];
const CASES: Case[] = (['AB', 'ATB', 'ABT'] as const).flatMap((form) => SHAPES.map(([M, K, N]) => ({ form, M, K, N })));
const shapeOf = (c: Case, threads: number) => `${c.form} M=${c.M} K=${c.K} N=${c.N} on ${threads} threads`;

/** The backend's spec for `c`: forward with bias and tanh, Aᵀ·B plain, A·Bᵀ with relu'(a) and dropout factors. */
function specOf(c: Case, math: ReturnType<typeof addMathFunctions>): MatmulSpec {
  const base = { M: c.form === 'ATB' ? c.M : null, K: c.form === 'ATB' ? null : c.K, N: c.N, ldc: c.N };
  if (c.form === 'AB') return { ...base, a: 'rows', b: 'rows', lda: c.K, ldb: c.N, epilogue: { bias: true, activation: math.activate.tanh } };
  if (c.form === 'ATB') return { ...base, a: 'cols', b: 'rows', lda: c.M, ldb: c.N };
  return { ...base, a: 'rows', b: 'cols', lda: c.K, ldb: c.K, epilogue: { derivative: math.derivative.relu, factors: true } };
}

/** Every case's product split across `threads` threads and on one thread, in one module; differences beyond float32 rounding. */
async function runThreaded(threads: number): Promise<string[]> {
  const m = new ModuleBuilder(true);
  const math = addMathFunctions(m);
  const products = new ParallelProducts(m, threads, 0, CASES.map((c) => c.N), 0);
  CASES.forEach((c, i) => {
    const spec = specOf(c, math);
    const split = products.add(`case${i}`, spec);
    m.add(`split${i}`, MATMUL_PARAMS, [], (f) => call(split, ...MATMUL_PARAMS.map((_, k) => get(f.param(k)))), true);
    addMatmul(m, `one${i}`, spec, true);
  });
  products.finish();
  const big = 257 * 257 + 64;
  const scratch = Math.max(matmulScratchBytes({ N: 257 }), threads * partScratchBytes(CASES.map((c) => c.N), threads)) / 4;
  // a, b, c, bias, src (f'(a)'s argument), factors, scratch: float offsets after the sync block
  const at = [0, 1, 2, 3, 4, 5, 6].map((k) => Math.ceil(syncBytes(threads) / 64) * 16 + k * big);
  const pages = Math.ceil(((at[6] + scratch) * 4) / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const module = await WebAssembly.compile(m.encode());
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
  const pool = await WorkerPool.start(module, memory, threads, 0);
  const f = new Float32Array(memory.buffer);
  const failures: string[] = [];
  // operands drawn once: each case reads the leading part of each buffer
  const rng = new Rng(99, `threads ${threads}`);
  for (const k of [0, 1, 3, 4]) for (let j = 0; j < big; j++) f[at[k] + j] = rng.uniform(-2, 2);
  for (let j = 0; j < big; j++) f[at[5] + j] = rng.next() < 0.3 ? 0 : 2;
  try {
    CASES.forEach((c, i) => {
      const args = [...at.slice(0, 3).map((x) => x * 4), c.form === 'ATB' ? c.K : c.M, at[6] * 4, at[3] * 4, at[4] * 4, at[5] * 4];
      const run = (name: string) => {
        f.fill(NaN, at[2], at[2] + c.M * c.N);
        exports[name](...args);
        return f.slice(at[2], at[2] + c.M * c.N);
      };
      const jobs = pool.jobs;
      const want = run(`one${i}`);
      const got = run(`split${i}`);
      const cut = partition(c.N, threads).parts > 1;
      if (cut !== pool.jobs > jobs) failures.push(`${shapeOf(c, threads)}: ${cut ? 'no job was handed out' : 'a product of one part was handed out'}`);
      for (let j = 0; j < want.length && failures.length < 8; j++) {
        if (!(Math.abs(got[j] - want[j]) <= 1e-6 * (1 + Math.abs(want[j])))) failures.push(`${shapeOf(c, threads)}: C[${Math.floor(j / c.N)}, ${j % c.N}] = ${got[j]}, on one thread ${want[j]}`);
      }
    });
  } finally {
    await pool.end();
  }
  return failures;
}

describe('wasm threads: products split by column parts equal the one-thread product', () => {
  for (const threads of [2, 3]) {
    it(`${threads} threads, sizes 1, 3, 7, 65, 257 in each of M, K and N, the three forms with their epilogues`, async () => {
      const failures = await runThreaded(threads);
      expect(failures, failures.join('\n')).toEqual([]);
    }, 60_000);
  }
});

describe('wasm threads: limits', () => {
  const config = { inputSize: 37, layers: [{ units: 96, activation: 'relu' as const }, { units: 5, activation: 'softmax' as const }], loss: 'categoricalCrossEntropy' as const, seed: 21 };
  const { x, y } = caseData(config, 256, 'threads');

  it('a worker that dies mid-fit rejects the fit naming it, the model at its last completed step; the next fit starts fresh workers', async () => {
    const t = await twins(config, 2);
    const host = fitHost(t.wasm, t.net);
    let reported = 0;
    let last: number[] = [];
    const fit = fitOn(host, x, y, {
      epochs: 3, batchSize: 64, learningRate: 0.05,
      onBatchEnd: async () => {
        // the report follows its group of batches: the parameters now are the last completed step's
        last = flatParams(await t.wasm.readParams());
        if (++reported === 2) t.raw.workerPool?.kill(1);
      },
    });
    await expect(fit).rejects.toThrow(/wasm worker thread 1 of 1 died during the batch: .*unreachable.*; the model holds the state after the last completed step/);
    expect(reported).toBeLessThan(12);
    expect(flatParams(await t.wasm.readParams())).toEqual(last);
    await expect(fitOn(host, x, y, { epochs: 1, batchSize: 64, learningRate: 0.05 })).resolves.toMatchObject({ stopped: false });
    expect(t.raw.workerPool?.jobs).toBeGreaterThan(0);
    t.raw.dispose();
  }, 30_000);

  it('workers that cannot start (a page forbidding blob: workers) leave the backend training on one thread', async () => {
    const t = await twins(config, 2);
    vi.spyOn(WorkerPool, 'start').mockRejectedValue(new Error('worker-src blob: refused'));
    try {
      await expect(fitOn(fitHost(t.wasm, t.net), x, y, { epochs: 1, batchSize: 64, learningRate: 0.05 })).resolves.toMatchObject({ stopped: false });
    } finally {
      vi.restoreAllMocks();
    }
    expect(t.raw.threads).toBe(1);
    expect(t.raw.threadsNote).toMatch(/one thread: the workers did not start \(worker-src blob: refused\)/);
    const one = await twins(config, 1);
    await fitOn(fitHost(one.wasm, one.net), x, y, { epochs: 1, batchSize: 64, learningRate: 0.05 });
    const [a, b] = [flatParams(await t.wasm.readParams()), flatParams(await one.wasm.readParams())];
    expect(a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * (1 + Math.abs(b[i]))), 'one thread after the failed start trains as one thread does').toBe(true);
    t.raw.dispose();
    one.raw.dispose();
  }, 30_000);

  it('dispose ends the workers', async () => {
    const t = await twins(config, 2);
    await fitOn(fitHost(t.wasm, t.net), x, y, { epochs: 1, batchSize: 64, learningRate: 0.05 });
    const pool = t.raw.workerPool;
    expect(pool?.running).toBe(1);
    t.raw.dispose();
    for (let i = 0; i < 500 && pool?.running !== 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool?.running).toBe(0);
  }, 30_000);

  it('a grow of the shared memory that the engine refuses is a clear error, and the plan and memory are unchanged', () => {
    const shape = netShape(resolveConfig(config), 2);
    const needs = { rows: 64, slots: 0, data: {}, batches: 1, orderRows: 1 };
    const probe = new WasmMemory(shape, needs);
    const mem = new WasmMemory(shape, needs, probe.bytes / 65536);
    expect(mem.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const [layout, bytes] = [mem.layout, mem.bytes];
    const train = { rows: 5000, xCols: 37, yCols: 5, xBytes: 4, yBytes: 4, weights: false };
    expect(() => mem.replan({ ...needs, data: { train } })).toThrow(/could not grow its memory from \d+ to \d+ bytes \(batches of 64 rows, 0 optimizer slots, data train: 5000 rows\): .*; nothing was changed/);
    expect(mem.layout).toBe(layout);
    expect(mem.bytes).toBe(bytes);
  });
});
