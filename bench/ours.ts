// This project's systems under benchmark: the WebGPU trainer, the float64 CPU trainer, 'auto',
// and the matmul kernel alone. Runs in the browser page (bench/page.ts) and under Node with Dawn.
import { MLP } from '../src';
import { tunedVariant, tuningOf } from '../src/gpu/tune/autotune';
import { type MatmulVariantId, shapeKey } from '../src/gpu/kernels/matmul-variants';
import { tuneMatmuls } from '../src/gpu/tune/training-timing';
import { BatchUniforms, passBatches } from '../src/gpu/kernels/batch-uniform';
import { BufferManager } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { type Dispatch, Launches } from '../src/gpu/kernels/launches';
import { PipelineCache } from '../src/gpu/kernels/pipelines';
import { requestGpu } from '../src/gpu/device';
import { USAGE } from '../src/gpu/usage';
import type { ModelConfig } from '../src/core/types';
import type { History, Matrix } from '../src/core/types';
import { type MatmulWorkload, type TrainWorkload, operand, trainingData } from './workloads';

/** What a system reports beside its times. */
export interface SystemInfo {
  /** Seconds from creating the model to its first completed training step (a fresh device for ours on WebGPU). */
  firstStepSeconds?: number;
  /** Pipelines compiled for that first step (ours on WebGPU). */
  firstStepPipelines?: number;
  /** The backend that trained, and why (ours-auto). */
  backend?: string;
  reason?: string;
  /** The matmul variant of each product shape (ours on WebGPU). */
  variants?: Record<string, string>;
  /** The training loss after the warm-up epoch, then after each timed repetition (it must fall: a benchmark that trains nothing proves nothing). */
  losses?: number[];
}

/** A prepared benchmark: `rep()` runs one timed repetition and returns its seconds. */
export interface Prepared {
  rep(): Promise<number>;
  dispose(): void;
  info?: SystemInfo;
}

/** A kernel benchmark from `run(count)` (`count` launches, then wait): one warm-up launch, then `count` per repetition. */
export async function repeatedLaunches(run: (count: number) => Promise<void>, count: number, dispose: () => void, info?: SystemInfo): Promise<Prepared> {
  await run(1);
  return {
    rep: async () => {
      const t0 = performance.now();
      await run(count);
      return (performance.now() - t0) / 1000;
    },
    dispose,
    info,
  };
}

/** The model every system trains for workload `w`. */
export function workloadConfig(w: TrainWorkload, inputs: number): ModelConfig {
  const sizes = w.sizes.slice(1);
  return {
    inputSize: inputs,
    layers: sizes.map((units, i) => ({ units, activation: i === sizes.length - 1 ? w.output ?? w.activation : w.activation })),
    loss: w.loss ?? 'mse',
    initializer: 'xavier',
    seed: 3,
  };
}

/** The products of one training step of `w`: forward A·W, weight gradient aᵀ·δ, hidden delta δ·Wᵀ per layer. */
function modelShapes(w: TrainWorkload): string[] {
  const b = Math.min(w.batchSize, w.samples);
  return w.sizes.slice(1).flatMap((units, l) => {
    const fanIn = w.sizes[l];
    const out = [shapeKey({ M: b, N: units, K: fanIn, form: 'AB' }), shapeKey({ M: fanIn, N: units, K: b, form: 'ATB' })];
    if (l > 0) out.push(shapeKey({ M: b, N: fanIn, K: units, form: 'ABT' }));
    return out;
  });
}

/** The last epoch's loss of a fit (NaN if it ran none). */
const lastLoss = (h: History) => h.epochs.at(-1)?.loss ?? NaN;

/** `fit` options of workload `w` (without epochs). */
const fitOptions = (w: TrainWorkload) => ({ batchSize: w.batchSize, learningRate: w.learningRate, optimizer: w.optimizer ?? ('sgd' as const), shuffle: true });

/**
 * Seconds from `MLP.create` to the end of a one-batch `fit` (the first completed step), on a
 * device of its own for WebGPU (nothing compiled before), with the pipelines that took.
 */
export async function firstStep(w: TrainWorkload, backend: 'webgpu' | 'wasm' | 'cpu' | 'auto', newDevice: (() => Promise<GPUDevice>) | null, hint = true): Promise<FirstStep> {
  const d = trainingData(w);
  const rows = Math.min(w.batchSize, w.samples);
  const x: Matrix = { data: d.x.subarray(0, rows * d.inputs), shape: [rows, d.inputs] };
  const y: Matrix = { data: d.y.subarray(0, rows * d.outputs), shape: [rows, d.outputs] };
  const device = newDevice ? await newDevice() : null;
  try {
    const t0 = performance.now();
    // without the hint, 'auto' starts on wasm and decides at the first fit
    const model = await MLP.create({ ...workloadConfig(w, d.inputs), backend }, { ...(device ? { device } : {}), ...(hint ? { auto: { batchSize: w.batchSize } } : {}) });
    const created = performance.now();
    await model.fit(x, y, { ...fitOptions(w), epochs: 1 });
    const done = performance.now();
    // the same one-batch fit again: the step itself, with nothing left to compile
    await model.fit(x, y, { ...fitOptions(w), epochs: 1 });
    const again = (performance.now() - done) / 1000;
    model.dispose();
    const stats = device ? PipelineCache.for(device).stats() : null;
    return {
      seconds: (done - t0) / 1000, createSeconds: (created - t0) / 1000, againSeconds: again,
      pipelines: stats ? Object.values(stats.pipelines).reduce((a, b) => a + b, 0) : undefined,
      compileSeconds: stats?.asyncMs.length ? Math.max(...stats.asyncMs) / 1000 : undefined,
    };
  } finally {
    device?.destroy();
  }
}

/** A WebGPU device of its own (for the time to the first step: nothing compiled on it before). */
export async function freshDevice(): Promise<GPUDevice> {
  const p = await requestGpu();
  if (!p.device) throw new Error(`no WebGPU device in the page: ${p.description}`);
  return p.device;
}

/** The time to the first step of one system, and its parts. */
export interface FirstStep {
  /** `MLP.create` to the end of the first one-batch `fit`. */
  seconds: number;
  /** Of which `MLP.create`. */
  createSeconds: number;
  /** The same `fit` again on the same model (the step, the upload and the readback, nothing to compile). */
  againSeconds: number;
  /** Pipelines compiled on the fresh device (ours on WebGPU). */
  pipelines?: number;
  /** The longest asynchronous compile, from its request to its pipeline (ours on WebGPU). */
  compileSeconds?: number;
}

/**
 * Builds the model and data, measures the time to the first step (on a fresh device for WebGPU
 * when `newDevice` is given), runs the warm-up epoch, and returns the timed repetition.
 */
export async function prepareTraining(w: TrainWorkload, backend: 'webgpu' | 'wasm' | 'cpu' | 'auto', device: GPUDevice | null, newDevice: (() => Promise<GPUDevice>) | null = null): Promise<Prepared> {
  const first = await firstStep(w, backend, backend === 'cpu' || backend === 'wasm' ? null : newDevice);
  const d = trainingData(w);
  const x: Matrix = { data: d.x, shape: [w.samples, d.inputs] };
  const y: Matrix = { data: d.y, shape: [w.samples, d.outputs] };
  const model = await MLP.create({ ...workloadConfig(w, d.inputs), backend }, { ...(device ? { device } : {}), auto: { batchSize: w.batchSize } });
  const losses = [lastLoss(await model.fit(x, y, { ...fitOptions(w), epochs: 1 }))];
  const info: SystemInfo = { firstStepSeconds: first.seconds, firstStepPipelines: first.pipelines, backend: model.backend, reason: model.backendReason, losses };
  if (device && model.backend === 'webgpu') {
    const mine = new Set(modelShapes(w));
    info.variants = Object.fromEntries(
      [...tuningOf(device).choices.values()].map((c) => [shapeKey(c.shape), `${c.variant} (${c.source})`] as const).filter(([k]) => mine.has(k)),
    );
  }
  return {
    rep: async () => {
      const t0 = performance.now();
      const history = await model.fit(x, y, { ...fitOptions(w), epochs: w.epochs });
      const seconds = (performance.now() - t0) / 1000;
      losses.push(lastLoss(history));
      return seconds;
    },
    dispose: () => model.dispose(),
    info,
  };
}

/**
 * The matmul kernel alone: `count` launches in one pass, then waits for the queue. The variant is
 * `variant`, else what the autotuner chooses for the shape with `tune` ('full' by default).
 */
export async function prepareMatmul(w: MatmulWorkload, device: GPUDevice, variant?: MatmulVariantId, tune: 'fast' | 'full' = 'full'): Promise<Prepared> {
  const buffers = new BufferManager(device);
  const launches = new Launches(device, buffers, variant ? { matmulVariant: variant } : { tuned: (shape) => tunedVariant(device, shape) });
  const shape = { M: w.M, N: w.N, K: w.K, form: 'AB' as const };
  if (!variant) {
    const ctx: GpuContext = { net: { inputSize: w.K, layers: [{ units: w.N, activation: 'linear' }], loss: 'mse', useBias: false, freezeBias: false, l2: 0, l1: 0 }, device, buffers, launches, checkAlive: () => {} }; // a K→N layer (the tuner reads only device, buffers and launches)
    await tuneMatmuls(ctx, [{ shape, modes: { TRANS_A: false, TRANS_B: false, EPILOGUE: 0, ACTIVATION: 0, HAS_BIAS: false } }], tune);
  }
  const a = buffers.upload('A', operand(w.M * w.K, 'A'));
  const b = buffers.upload('B', operand(w.K * w.N, 'B'));
  const c = buffers.create('C', w.M * w.N * 4, USAGE.STORAGE | USAGE.COPY_SRC);
  const d: Dispatch = await launches.deferred(() => launches.matmul({ a, b, c, M: w.M, N: w.N, K: w.K, label: 'bench matmul' }));
  const uniforms = new BatchUniforms(device, buffers, launches.cache, 1, 'bench');
  uniforms.write(passBatches(w.M, w.M));
  const run = async (count: number) => {
    const enc = device.createCommandEncoder({ label: 'bench matmul' });
    const pass = enc.beginComputePass();
    for (let i = 0; i < count; i++) launches.encode(pass, [d], uniforms, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  return repeatedLaunches(run, w.count, () => {
    launches.release([d]);
    buffers.dispose();
  }, { variants: { [`AB ${w.M}x${w.N}x${w.K}`]: d.matmul?.variant ?? '?' } });
}
