// The wasm backend's benchmark, in Node: its matrix products' GFLOP/s against this machine's
// float32 SIMD128 peak, and training throughput against this library's CPU backend and
// TensorFlow.js's wasm backend (SIMD, one thread). Loaded through a Vite server as bench/run.mjs
// loads bench/main.ts (the library imports its shaders through Vite); from the repository root:
//
// (--quick: fewer repetitions; --tilings: the products under each register block and K tile instead)
//   node --input-type=module -e "const v = await import('vite'); const s = await v.createServer({ configFile: 'vite.config.ts', root: '.', logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false }, optimizeDeps: { noDiscovery: true, include: [] } }); try { process.exitCode = await (await s.ssrLoadModule('/bench/wasm-matmul.ts')).main(process.argv.slice(1)); } finally { await s.close(); }" -- [--quick]
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { ModuleBuilder, ValType } from '../src/wasm/emit/module';
import { seq } from '../src/wasm/emit/encoding';
import { brIf, get, i32, loop, set, tee } from '../src/wasm/emit/instructions';
import { f32x4 } from '../src/wasm/emit/simd';
import { DEFAULT_TILING, type MatmulSpec, type Tiling, addMatmul, matmulScratchBytes } from '../src/wasm/kernels/matmul';
import { oursTrainer, startTfWasm, tfMatmulMs, tfTrainer, type Trainer } from './wasm-systems';
import type { TrainWorkload } from './workloads';

/** The clock /proc/cpuinfo reports (MHz), or null. */
function cpuMHz(): number | null {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** GFLOP/s of a register-only loop: 12 independent f32x4 accumulators, a mul and an add each per step (no loads). */
function measuredPeak(): number {
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
  peak(1000);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    peak(2e7);
    best = Math.max(best, (2e7 * 12 * 8) / (performance.now() - t0) / 1e6);
  }
  return best;
}

/** Milliseconds of the forward product 256×784×256 and of A·B 1024³ under each tiling (`--tilings`: how DEFAULT_TILING was chosen). */
function compareTilings(reps: number, peak: number): void {
  const tilings: Tiling[] = [DEFAULT_TILING, { mr: 4, nv: 2, kc: 128 }, { mr: 4, nv: 2, kc: 512 }, { mr: 2, nv: 4, kc: 256 }, { mr: 3, nv: 2, kc: 256 }, { mr: 6, nv: 2, kc: 256 }, { mr: 4, nv: 3, kc: 256 }, { mr: 8, nv: 1, kc: 256 }];
  const shapes: [number, number, number][] = [[256, 784, 256], [1024, 1024, 1024]];
  console.log(`tilings (MR rows × NV vectors, KC), GFLOP/s, best of ${reps} (measured peak ${peak.toFixed(1)}):`);
  for (const t of tilings) {
    const rates = shapes.map(([M, K, N]) => (2 * M * K * N) / matmulMs({ a: 'rows', b: 'rows', M: null, K, N, lda: K, ldb: N, ldc: N, tiling: t }, M, K, reps) / 1e6);
    console.log(`  ${t.mr} × ${t.nv}, ${String(t.kc).padEnd(4)} ${shapes.map(([M, K, N], i) => `${M}×${K}×${N}: ${rates[i].toFixed(1)}`).join('   ')}${t === DEFAULT_TILING ? '   (default)' : ''}`);
  }
}

/** Best milliseconds of one product of `spec` (M or K = `dim` at run time) over `reps` runs. */
function matmulMs(spec: MatmulSpec, M: number, K: number, reps: number): number {
  const m = new ModuleBuilder();
  addMatmul(m, 'mm', spec, true);
  const N = spec.N;
  // operands, each followed by 64 spare bytes (the kernel reads partial vectors past a buffer's end)
  const a = 64;
  const b = a + M * K * 4 + 64;
  const c = b + K * N * 4 + 64;
  const scratch = c + M * N * 4 + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((scratch + matmulScratchBytes(spec) + 64) / 65536) });
  const mm = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } }).exports.mm as (...a: number[]) => void;
  const f = new Float32Array(memory.buffer);
  for (let i = a / 4; i < c / 4; i++) f[i] = Math.sin(i);
  const run = () => mm(a, b, c, spec.M === null ? M : K, scratch, 0, 0, 0);
  for (let w = 0; w < 3; w++) run();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The three training workloads of the issue. */
const WORKLOADS: (TrainWorkload & { cpuSamples: number })[] = [
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

export async function main(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const reps = quick ? 2 : 5;
  const mhz = cpuMHz();
  const nominal = mhz === null ? null : (mhz / 1000) * 4 * 2 * 2;
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${mhz ?? '?'} MHz (/proc/cpuinfo); Node ${process.versions.node}, V8 ${process.versions.v8}`);
  const peak = measuredPeak();
  console.log(
    `float32 SIMD128 peak of one core: ${nominal === null ? '?' : nominal.toFixed(1)} GFLOP/s from the clock /proc/cpuinfo reports (${mhz} MHz × 4 lanes × a mul and an add, two of each per cycle: ` +
      `SIMD128 has no fused multiply-add, and relaxed-simd's is not used); ${peak.toFixed(1)} GFLOP/s measured by a register-only loop of independent f32x4 mul+add (the core runs faster than the reported clock)`,
  );
  if (args.includes('--tilings')) {
    compareTilings(reps, peak);
    return 0;
  }
  const tf = await startTfWasm();
  const shapes: [string, MatmulSpec, number, number][] = [
    ['A·B 256×784×256 (forward)', { a: 'rows', b: 'rows', M: null, K: 784, N: 256, lda: 784, ldb: 256, ldc: 256 }, 256, 784],
    ['Aᵀ·B 784×256×256 (weight gradient)', { a: 'cols', b: 'rows', M: 784, K: null, N: 256, lda: 784, ldb: 256, ldc: 256 }, 784, 256],
    ['A·Bᵀ 256×256×784 (hidden delta)', { a: 'rows', b: 'cols', M: null, K: 256, N: 784, lda: 256, ldb: 256, ldc: 784 }, 256, 256],
    ['A·B 1024×1024×1024', { a: 'rows', b: 'rows', M: null, K: 1024, N: 1024, lda: 1024, ldb: 1024, ldc: 1024 }, 1024, 1024],
  ];
  console.log(`\nmatrix products (best of ${reps}), GFLOP/s:`);
  for (const [name, spec, M, K] of shapes) {
    const flops = 2 * M * K * spec.N;
    const ours = flops / matmulMs(spec, M, K, reps) / 1e6;
    const theirs = name.startsWith('A·B ') ? flops / (await tfMatmulMs(M, K, spec.N, reps)) / 1e6 : null;
    console.log(`  ${name.padEnd(36)} wasm ${ours.toFixed(1).padStart(5)} (${((100 * ours) / peak).toFixed(0)}% of the measured peak)${theirs === null ? '' : `   ${tf}: ${theirs.toFixed(1)}`}`);
  }
  console.log(`\ntraining, samples/s (median of ${reps}; one untimed epoch first):`);
  for (const w of WORKLOADS) {
    const epochs = w.epochs * (quick ? 1 : 2);
    const rows = { wasm: await samplesPerSecond(await oursTrainer(w, 'wasm', w.samples), w.samples, epochs, reps) };
    const cpu = await samplesPerSecond(await oursTrainer(w, 'cpu', w.cpuSamples), w.cpuSamples, w.name === 'xor' ? epochs : 1, Math.min(reps, 3));
    const tfjs = await samplesPerSecond(tfTrainer(w, w.samples), w.samples, epochs, reps);
    const steps = w.unit === 'steps' ? ` (${(rows.wasm / w.batchSize).toFixed(0)} steps/s)` : '';
    console.log(`  ${w.title}\n    ours wasm ${rows.wasm.toFixed(0)}${steps}   ours cpu ${cpu.toFixed(0)}   ${tf} ${tfjs.toFixed(0)}   wasm/tfjs ${(rows.wasm / tfjs).toFixed(2)}×   wasm/cpu ${(rows.wasm / cpu).toFixed(1)}×`);
  }
  return 0;
}
