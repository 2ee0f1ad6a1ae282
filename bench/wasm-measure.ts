// The wasm benchmark's measurements, the same in Node and in a page (bench/wasm-page.ts): the
// SIMD128 peak a register-only loop reaches, the products' GFLOP/s, and training samples/s of the
// issue's workloads on this library's wasm and CPU backends and TensorFlow.js's wasm backend.
import { seq } from '../src/wasm/emit/encoding';
import { brIf, get, i32, loop, set, tee } from '../src/wasm/emit/instructions';
import { ModuleBuilder, ValType } from '../src/wasm/emit/module';
import { f32x4 } from '../src/wasm/emit/simd';
import { DEFAULT_TILING, type MatmulSpec, type Tiling, addMatmul, matmulScratchBytes } from '../src/wasm/kernels/matmul';
import { type Trainer, oursTrainer, startTfWasm, tfMatmulMs, tfTrainer } from './wasm-systems';
import { threadedMatmulMs } from './wasm-threads';
import { coreCount, threadsMissing } from '../src/wasm/threads/support';
import type { TrainWorkload } from './workloads';

/** Runs `run` in batches lasting at least 20 ms (a page's clock is coarse) and returns the best milliseconds of one run. */
export function bestMs(run: () => void, reps: number): number {
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    if (performance.now() - t0 >= 20 || inner >= 1 << 16) break;
    inner *= 2;
  }
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    best = Math.min(best, (performance.now() - t0) / inner);
  }
  return best;
}

/** GFLOP/s of a register-only loop: 12 independent f32x4 accumulators, a mul and an add each per step (no loads). */
export function measuredPeak(reps: number): number {
  const m = new ModuleBuilder();
  m.add('peak', [ValType.i32], [ValType.f32], (f) => {
    const n = f.param(0);
    const acc = Array.from({ length: 12 }, () => f.local(ValType.v128));
    const [x, y] = [f.local(ValType.v128), f.local(ValType.v128)];
    const sum = acc.slice(1).reduce((s, a) => f32x4.add(s, get(a)), get(acc[0]));
    return seq(set(x, f32x4.c(1.0000001)), set(y, f32x4.c(0.9999999)), loop(...acc.map((a) => set(a, f32x4.add(get(a), f32x4.mul(get(x), get(y))))), brIf(0, tee(n, i32.sub(get(n), i32.c(1))))), f32x4.extract(sum, 0));
  }, true);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const peak = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } }).exports.peak as (n: number) => number;
  const steps = 1e6;
  return (steps * 12 * 8) / bestMs(() => peak(steps), reps) / 1e6;
}

/** Best milliseconds of one product of `spec` (M or K given at run time), operands in [−1, 1]. */
export function matmulMs(spec: MatmulSpec, M: number, K: number, reps: number): number {
  const m = new ModuleBuilder();
  addMatmul(m, 'mm', spec, true);
  const N = spec.N;
  // operands, each followed by 64 spare bytes (the kernel reads partial vectors past a buffer's end)
  const a = 64;
  const b = a + M * K * 4 + 64;
  const c = b + K * N * 4 + 64;
  const scratch = c + M * N * 4 + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((scratch + matmulScratchBytes(spec) + 64) / 65536) });
  const mm = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } }).exports.mm as (...args: number[]) => void;
  const f = new Float32Array(memory.buffer);
  for (let i = a / 4; i < c / 4; i++) f[i] = Math.sin(i);
  const run = () => mm(a, b, c, spec.M === null ? M : K, scratch, 0, 0, 0);
  for (let w = 0; w < 3; w++) run();
  return bestMs(run, reps);
}

/** The three training workloads of the issue (the CPU backend trains fewer rows: it is slow). */
export const WORKLOADS: (TrainWorkload & { cpuSamples: number })[] = [
  { kind: 'train', name: 'mlp-256', title: '784-256-256-10 relu/softmax, cross-entropy, Adam, batch 256', sizes: [784, 256, 256, 10], activation: 'relu', output: 'softmax', loss: 'categoricalCrossEntropy', optimizer: 'adam', samples: 4096, batchSize: 256, epochs: 1, learningRate: 0.001, unit: 'samples', data: 'random', cpuSamples: 1024 },
  { kind: 'train', name: 'mlp-demo', title: "the demo's 784-128-10 relu/softmax, cross-entropy, Adam, batch 64", sizes: [784, 128, 10], activation: 'relu', output: 'softmax', loss: 'categoricalCrossEntropy', optimizer: 'adam', samples: 4096, batchSize: 64, epochs: 1, learningRate: 0.001, unit: 'samples', data: 'random', cpuSamples: 1024 },
  { kind: 'train', name: 'xor', title: 'XOR 2-8-1 sigmoid, MSE, SGD, batch 4, 200 epochs', sizes: [2, 8, 1], activation: 'sigmoid', samples: 4, batchSize: 4, epochs: 200, learningRate: 0.5, unit: 'steps', data: 'xor', cpuSamples: 4 },
];

/** Median samples per second of `reps` timed runs of `epochs` epochs over `samples` rows, after one untimed epoch. */
async function samplesPerSecond(train: Trainer, samples: number, epochs: number, reps: number): Promise<number> {
  await train(1);
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await train(epochs);
    rates.push((samples * epochs) / ((performance.now() - t0) / 1000));
  }
  return rates.sort((p, q) => p - q)[Math.floor(rates.length / 2)];
}

/** The products' GFLOP/s under each tiling (`--tilings`: how DEFAULT_TILING was chosen), as lines. */
export function tilingLines(reps: number, peak: number): string[] {
  const tilings: Tiling[] = [DEFAULT_TILING, { mr: 4, nv: 2, kc: 128 }, { mr: 4, nv: 2, kc: 512 }, { mr: 2, nv: 4, kc: 256 }, { mr: 3, nv: 2, kc: 256 }, { mr: 6, nv: 2, kc: 256 }, { mr: 4, nv: 3, kc: 256 }, { mr: 8, nv: 1, kc: 256 }];
  const shapes: [number, number, number][] = [[256, 784, 256], [1024, 1024, 1024]];
  return [`tilings (MR rows × NV vectors, KC), GFLOP/s, best of ${reps} (measured peak ${peak.toFixed(1)}):`, ...tilings.map((t) => {
    const rates = shapes.map(([M, K, N]) => `${M}×${K}×${N}: ${((2 * M * K * N) / matmulMs({ a: 'rows', b: 'rows', M: null, K, N, lda: K, ldb: N, ldc: N, tiling: t }, M, K, reps) / 1e6).toFixed(1)}`);
    return `  ${t.mr} × ${t.nv}, ${String(t.kc).padEnd(4)} ${rates.join('   ')}${t === DEFAULT_TILING ? '   (default)' : ''}`;
  })];
}

/** Everything but the machine's description: peak, products, training, as printable lines. */
export async function measureAll(options: { reps: number; quick: boolean; tilings: boolean; nominal: number | null }): Promise<string[]> {
  const { reps, quick } = options;
  const peak = measuredPeak(reps);
  const lines = [
    `float32 SIMD128 peak of one core: ${options.nominal === null ? '?' : options.nominal.toFixed(1)} GFLOP/s from the reported clock (× 4 lanes × a mul and an add, two of each per cycle: SIMD128 has no fused multiply-add, and relaxed-simd's is not used); ` +
      `${peak.toFixed(1)} GFLOP/s measured by a register-only loop of independent f32x4 mul+add (the core runs faster than the reported clock)`,
  ];
  if (options.tilings) return [...lines, ...tilingLines(reps, peak)];
  const tf = await startTfWasm();
  const shapes: [string, MatmulSpec, number, number][] = [
    ['A·B 256×784×256 (forward)', { a: 'rows', b: 'rows', M: null, K: 784, N: 256, lda: 784, ldb: 256, ldc: 256 }, 256, 784],
    ['Aᵀ·B 784×256×256 (weight gradient)', { a: 'cols', b: 'rows', M: 784, K: null, N: 256, lda: 784, ldb: 256, ldc: 256 }, 784, 256],
    ['A·Bᵀ 256×256×784 (hidden delta)', { a: 'rows', b: 'cols', M: null, K: 256, N: 784, lda: 256, ldb: 256, ldc: 784 }, 256, 256],
    ['A·B 1024×1024×1024', { a: 'rows', b: 'rows', M: null, K: 1024, N: 1024, lda: 1024, ldb: 1024, ldc: 1024 }, 1024, 1024],
  ];
  // the threads column: every core where SharedArrayBuffer is (Node; a cross-origin-isolated page)
  const missing = threadsMissing();
  const threads = missing ? 1 : coreCount();
  lines.push('', `matrix products (best of ${reps}), GFLOP/s; ${threads > 1 ? `on ${threads} threads as well` : `one thread only: ${missing ?? 'one core'}`}:`);
  for (const [name, spec, M, K] of shapes) {
    const flops = 2 * M * K * spec.N;
    const ours = flops / matmulMs(spec, M, K, reps) / 1e6;
    const split = threads > 1 ? flops / (await threadedMatmulMs(spec, M, K, reps, threads)) / 1e6 : null;
    const onThreads = split === null ? '' : `   ${threads} threads ${split.toFixed(1).padStart(5)} (${(split / ours).toFixed(2)}×)`;
    const theirs = name.startsWith('A·B ') ? `   ${tf} tf.matMul: ${(flops / (await tfMatmulMs(M, K, spec.N, reps)) / 1e6).toFixed(1)}` : '';
    lines.push(`  ${name.padEnd(36)} wasm ${ours.toFixed(1).padStart(5)} (${((100 * ours) / peak).toFixed(0)}% of the measured peak)${onThreads}${theirs}`);
  }
  lines.push('', `training, samples/s (median of ${reps}; one untimed epoch first):`);
  for (const w of WORKLOADS) {
    const epochs = w.epochs * (quick ? 1 : 2);
    const wasm = await samplesPerSecond(await oursTrainer(w, 'wasm', w.samples), w.samples, epochs, reps);
    const wasmThreads = threads > 1 ? await samplesPerSecond(await oursTrainer(w, 'wasm', w.samples, threads), w.samples, epochs, reps) : null;
    const cpu = await samplesPerSecond(await oursTrainer(w, 'cpu', w.cpuSamples), w.cpuSamples, w.name === 'xor' ? epochs : 1, Math.min(reps, 3));
    const tfjs = await samplesPerSecond(tfTrainer(w, w.samples), w.samples, epochs, reps);
    const steps = w.unit === 'steps' ? ` (${(wasm / w.batchSize).toFixed(0)} steps/s)` : '';
    const split = wasmThreads === null ? '' : `   ours wasm on ${threads} threads ${wasmThreads.toFixed(0)} (${(wasmThreads / wasm).toFixed(2)}×)`;
    lines.push(`  ${w.title}`, `    ours wasm ${wasm.toFixed(0)}${steps}${split}   ours cpu ${cpu.toFixed(0)}   ${tf} ${tfjs.toFixed(0)}   wasm/tfjs ${(wasm / tfjs).toFixed(2)}×   wasm/cpu ${(wasm / cpu).toFixed(1)}×`);
  }
  return lines;
}
