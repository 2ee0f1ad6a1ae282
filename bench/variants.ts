// Every matmul variant on the shapes of the benchmark: GFLOP/s of each (the same launches as
// bench/ours.ts's kernel workloads), and what the autotuner chooses for each shape with
// tune: 'full' against the fastest variant timed here. Runs in the page and under Node.
import { type MatmulShape, type MatmulVariantId, applicableVariants, defaultVariant, shapeKey, traitsOf } from '../src/gpu/kernels/matmul-variants';
import { tuneMatmuls } from '../src/gpu/tune/training-timing';
import { BatchUniforms, passBatches } from '../src/gpu/kernels/batch-uniform';
import { BufferManager } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { Launches } from '../src/gpu/kernels/launches';
import { USAGE } from '../src/gpu/usage';
import { requestGpu } from '../src/gpu/device';
import { memoryStore, setTuningStore } from '../src/gpu/tune/cache';
import { operand, variantShapes, workloads } from './workloads';

/** GFLOP/s of one variant on one shape (null: it does not apply), and its compile time. */
export interface VariantRate {
  variant: MatmulVariantId;
  gflops: number | null;
  compileMs: number | null;
  note?: string;
}

/** One shape: every variant's rate, the default, and the tuner's choice against the best measured. */
export interface ShapeReport {
  shape: MatmulShape;
  rates: VariantRate[];
  defaultVariant: MatmulVariantId;
  tuned: MatmulVariantId | null;
  /** The tuner's choice's rate / the best rate measured here (1 = it chose the fastest). */
  tunedVsBest: number | null;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Seconds for `count` launches of `variant` on `shape` (one pass, wait for the queue), median of `reps`. */
async function timeVariant(device: GPUDevice, shape: MatmulShape, variant: MatmulVariantId, count: number, reps: number): Promise<{ seconds: number; compileMs: number }> {
  const buffers = new BufferManager(device);
  const launches = new Launches(device, buffers, { matmulVariant: variant });
  try {
    const { M, N, K, form } = shape;
    const a = buffers.upload('A', operand(M * K, 'A'));
    const b = buffers.upload('B', operand(K * N, 'B'));
    const c = buffers.create('C', M * N * 4, USAGE.STORAGE | USAGE.COPY_SRC);
    const t0 = performance.now();
    const d = await launches.deferred(() => launches.matmul({ a, b, c, M, N, K, transA: form === 'ATB', transB: form === 'ABT', label: `variant ${variant}` }));
    const compileMs = performance.now() - t0;
    const uniforms = new BatchUniforms(device, buffers, launches.cache, 1, 'variants');
    uniforms.write(passBatches(M, M));
    const run = async (n: number) => {
      const enc = device.createCommandEncoder({ label: 'variant' });
      const pass = enc.beginComputePass();
      for (let i = 0; i < n; i++) launches.encode(pass, [d], uniforms, 0);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(1);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      await run(count);
      times.push((performance.now() - t) / 1000);
    }
    return { seconds: median(times), compileMs };
  } finally {
    buffers.dispose();
  }
}

/**
 * Times every variant that applies to each shape (`count` launches per repetition, `reps`
 * repetitions), then lets the autotuner choose for the shape with `tune: 'full'` on a fresh
 * tuning state and reports its choice against the fastest variant measured here.
 */
export async function variantReport(device: GPUDevice, shapes: MatmulShape[], count: (s: MatmulShape) => number, reps = 3): Promise<ShapeReport[]> {
  const traits = traitsOf(device);
  const out: ShapeReport[] = [];
  for (const shape of shapes) {
    const rates: VariantRate[] = [];
    for (const variant of applicableVariants(shape, traits)) {
      try {
        const n = count(shape);
        const { seconds, compileMs } = await timeVariant(device, shape, variant, n, reps);
        rates.push({ variant, gflops: (2 * shape.M * shape.N * shape.K * n) / seconds / 1e9, compileMs });
      } catch (e) {
        rates.push({ variant, gflops: null, compileMs: null, note: (e as Error).message.split('\n')[0] });
      }
    }
    const tuned = await tunerChoice(device, shape);
    const best = Math.max(...rates.map((r) => r.gflops ?? 0));
    const tunedRate = rates.find((r) => r.variant === tuned)?.gflops ?? null;
    out.push({ shape, rates, defaultVariant: defaultVariant(shape, traits), tuned, tunedVsBest: tunedRate && best ? tunedRate / best : null });
  }
  return out;
}

/** What `tune: 'full'` chooses for `shape` on `device`. */
async function tunerChoice(device: GPUDevice, shape: MatmulShape): Promise<MatmulVariantId | null> {
  const buffers = new BufferManager(device);
  const ctx: GpuContext = { net: { inputSize: shape.K, layers: [{ units: shape.N, activation: 'linear' }], loss: 'mse', useBias: false, freezeBias: false, l2: 0, l1: 0 }, device, buffers, launches: new Launches(device, buffers), checkAlive: () => {} }; // a K→N layer (the tuner reads only device, buffers and launches)
  try {
    const modes = { TRANS_A: shape.form === 'ATB', TRANS_B: shape.form === 'ABT', EPILOGUE: 0, ACTIVATION: 0, HAS_BIAS: false };
    const [choice] = await tuneMatmuls(ctx, [{ shape, modes }], 'full');
    return choice?.variant ?? null;
  } finally {
    buffers.dispose();
  }
}

/** The rows of a report as text. */
export function formatVariantReport(report: ShapeReport[]): string[] {
  const lines: string[] = [];
  for (const r of report) {
    lines.push(`${shapeKey(r.shape)}: default ${r.defaultVariant}; tuner (full) chose ${r.tuned ?? 'nothing'}${r.tunedVsBest ? ` = ${(r.tunedVsBest * 100).toFixed(0)}% of the fastest here` : ''}`);
    for (const v of [...r.rates].sort((x, y) => (y.gflops ?? 0) - (x.gflops ?? 0))) {
      lines.push(`  ${v.variant.padEnd(16)} ${v.gflops === null ? `failed: ${v.note}` : `${v.gflops.toFixed(2).padStart(7)} GFLOP/s`}${v.compileMs === null ? '' : `   (compile ${v.compileMs.toFixed(0)} ms)`}`);
    }
  }
  return lines;
}

/**
 * The variant table on `device` (default: a device requested here, destroyed after) for matmul
 * workload `workload` (its shape and launch count), else for the shapes of {@link variantShapes};
 * the tuner measures afresh (in-memory store). `scale` sizes the launches.
 */
export async function variantTable(scale: number, device?: GPUDevice | null, workload?: string): Promise<{ lines: string[]; report: ShapeReport[] }> {
  setTuningStore(memoryStore());
  const own = device ? null : (await requestGpu()).device;
  const d = device ?? own;
  if (!d) throw new Error('no WebGPU device for the variant table');
  try {
    const w = workload ? workloads(scale).find((x) => x.name === workload) : undefined;
    if (workload && w?.kind !== 'matmul') throw new Error(`${workload} is not a matmul workload`);
    const shapes = w?.kind === 'matmul' ? [{ M: w.M, N: w.N, K: w.K, form: 'AB' as const }] : variantShapes();
    const count = (s: MatmulShape) => (w?.kind === 'matmul' ? w.count : Math.max(1, Math.round((scale * 2e9) / (2 * s.M * s.N * s.K))));
    const report = await variantReport(d, shapes, count);
    return { lines: [`device features: ${[...d.features].join(', ')}`, ...formatVariantReport(report)], report };
  } finally {
    own?.destroy();
  }
}
