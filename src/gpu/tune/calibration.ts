import { type ResolvedConfig, resolveOptimizer } from '../../core/config';
import type { EpochPlan } from '../../core/trainer';
import type { Dense } from '../../core/data';
import type { Params } from '../../core/params';
import { Rng } from '../../core/random';
import type { TuneMode } from './autotune';
import { BatchUniforms, passBatches } from '../kernels/batch-uniform';
import { createWebGpuBackend } from '../backend';
import { BufferManager } from '../buffers';
import { Launches } from '../kernels/launches';
import { USAGE } from '../usage';

/** What the GPU side of `'auto'`'s calibration measured. */
export interface GpuStepTiming {
  /** Milliseconds per training step once everything is ready (steps grouped as `fit` groups them). */
  stepMs: number;
  /** Milliseconds from creating the trainer to its first completed step: tuning, compiling, uploading. */
  setupMs: number;
}

/** The fixed costs of an adapter: one more launch in a pass, and compiling one small pipeline. */
export interface LaunchCost {
  launchMs: number;
  compileMs: number;
}

/**
 * Random training data shaped for `config`: `rows` inputs in [0, 1) and targets the loss accepts
 * (one-hot rows for categorical cross-entropy, 0/1 for binary, values in [0, 1) otherwise).
 *
 * @example
 * const { x, y } = syntheticData(config, 256);
 */
export function syntheticData(config: ResolvedConfig, rows: number): { x: Dense; y: Dense } {
  const rng = new Rng(config.seed, 'calibration');
  const outputs = config.layers[config.layers.length - 1].units;
  const x = new Float32Array(rows * config.inputSize);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    if (config.loss === 'categoricalCrossEntropy') y[r * outputs + rng.int(outputs)] = 1;
    else for (let j = 0; j < outputs; j++) y[r * outputs + j] = config.loss === 'binaryCrossEntropy' ? rng.int(2) : rng.next();
  }
  return { x: { data: x, rows, cols: config.inputSize }, y: { data: y, rows, cols: outputs } };
}

/** An epoch of one batch of `rows` rows, plain SGD with a step too small to move anything. */
export function calibrationPlan(rows: number, stepsBefore = 0): EpochPlan {
  return { order: Uint32Array.from({ length: rows }, (_, i) => i), batchSize: rows, learningRate: 1e-9, optimizer: resolveOptimizer('sgd'), stepsBefore };
}

/**
 * Times training steps of `config` at batch `rows` on `device`: the setup of a WebGPU trainer on
 * synthetic data, then steps grouped as `fit` groups short epochs, for about `budgetMs`. The
 * pipelines compiled and the tuner's choices stay with the device for the model that follows.
 *
 * @example
 * const { stepMs, setupMs } = await timeGpuSteps(config, params, device, 256, 'fast', 200);
 */
export async function timeGpuSteps(config: ResolvedConfig, params: Params, device: GPUDevice, rows: number, tune: TuneMode, budgetMs: number): Promise<GpuStepTiming> {
  // the setup: tuning within `tune`, compiling, uploading, one step
  const t0 = performance.now();
  const gpu = await createWebGpuBackend(config, params, device, { ownsDevice: false, tune });
  try {
    const { x, y } = syntheticData(config, rows);
    await gpu.setTrainingData(x, y, rows);
    await gpu.trainEpochs([calibrationPlan(rows)], null);
    const setupMs = performance.now() - t0;
    const t1 = performance.now();
    await gpu.trainEpochs([calibrationPlan(rows, 1)], null);
    const one = performance.now() - t1;
    const k = Math.max(1, Math.min(gpu.maxEpochsPerCall(1), Math.floor(budgetMs / Math.max(one, 1e-3))));
    if (k < 2) return { stepMs: one, setupMs };
    // two grouped runs of half the steps each; the faster counts (other work only adds time)
    const half = Math.max(1, Math.floor(k / 2));
    let best = one;
    for (let run = 0; run < 2; run++) {
      const t2 = performance.now();
      await gpu.trainEpochs(Array.from({ length: half }, (_, i) => calibrationPlan(rows, 2 + run * half + i)), null);
      best = Math.min(best, (performance.now() - t2) / half);
    }
    return { stepMs: best, setupMs };
  } finally {
    gpu.clearTrainingData();
    gpu.dispose();
  }
}

/**
 * The fixed costs of `device`: how long a small pipeline (softmax.wgsl) takes to compile, and
 * what each launch adds to a pass (64 launches against one, each submitted and awaited).
 *
 * @example
 * const { launchMs, compileMs } = await measureLaunchCost(device);
 */
export async function measureLaunchCost(device: GPUDevice): Promise<LaunchCost> {
  const buffers = new BufferManager(device);
  try {
    const launches = new Launches(device, buffers);
    const z = buffers.create('calibration logits', 16, USAGE.STORAGE | USAGE.COPY_DST);
    const t0 = performance.now();
    const d = await launches.deferred(() => launches.softmax({ z, cols: 1, rows: 1 }));
    const compileMs = performance.now() - t0;
    const uniforms = new BatchUniforms(device, buffers, launches.cache, 1, 'calibration');
    uniforms.write(passBatches(1, 1));
    const run = async (count: number) => {
      const t = performance.now();
      const enc = device.createCommandEncoder({ label: 'calibration' });
      const pass = enc.beginComputePass();
      for (let i = 0; i < count; i++) launches.encode(pass, [d], uniforms, 0);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t;
    };
    await run(1);
    const few = Math.min(await run(1), await run(1));
    const many = Math.min(await run(65), await run(65));
    return { launchMs: Math.max(0, (many - few) / 64), compileMs };
  } finally {
    buffers.dispose();
  }
}
