// In-page tests of the training features (learning-rate schedules, early stopping with restored
// weights, dropout, gradient clipping, RMSprop/AdamW/Nesterov, regression metrics, class and
// sample weights): the same model trained on WebGPU and on the CPU path, with logs, histories and
// weights compared by the Node side; the dropout masks compared bit for bit.
import { MLP, type FitOptions, type ModelConfig, Rng } from '../../../src';
import { BatchUniforms } from '../../../src/gpu/kernels/batch-uniform';
import { BufferManager, readBuffer } from '../../../src/gpu/buffers';
import { Launches } from '../../../src/gpu/kernels/launches';
import { batchDropKey, dropoutFactors, dropoutThreshold, epochDropKey } from '../../../src/core/dropout-mask';
import { flat, getDevice, withValidation } from './gpu-context';

/** One feature run: a model, its data size and `fit` options (the same on both backends). */
export interface FeatureCase {
  name: string;
  config: ModelConfig;
  rows: number;
  fit: FitOptions;
  /** Softmax models: label each row with the argmax of its first inputs, this fraction relabelled at random (a task that overfits late). */
  labelNoise?: number;
}

/** What a run on one backend gives back. */
export interface FeatureRun {
  epochs: Record<string, number | undefined>[];
  stopReason: string;
  bestEpoch?: number;
  bestValue?: number;
  restoredBestWeights?: boolean;
  /** The parameters at the end of each epoch (flattened), and at the end of `fit`. */
  perEpoch: number[][];
  final: number[];
  evaluate: Record<string, number | undefined>;
}


/** Seeded data for `c`: inputs in [−2, 2]; one-hot, binary or real targets as its loss needs. */
export function featureData(c: { name: string; config: ModelConfig; rows: number; labelNoise?: number }) {
  const rng = new Rng(77, c.name);
  const out = c.config.layers[c.config.layers.length - 1];
  const x = Array.from({ length: c.rows }, () => Array.from({ length: c.config.inputSize }, () => rng.uniform(-2, 2)));
  const y = x.map((r) => {
    if (c.config.loss === 'categoricalCrossEntropy') {
      const argmax = r.slice(0, out.units).indexOf(Math.max(...r.slice(0, out.units)));
      const noisy = c.labelNoise !== undefined ? (rng.next() < c.labelNoise ? rng.int(out.units) : argmax) : -1;
      const k = noisy >= 0 ? noisy : Math.abs(Math.floor((r[0] + r[1]) * 2)) % out.units;
      return Array.from({ length: out.units }, (_, j) => (j === k ? 1 : 0));
    }
    if (c.config.loss === 'binaryCrossEntropy') return [r[0] * r[1] > 0 ? 1 : 0];
    return Array.from({ length: out.units }, (_, j) => Math.sin(r[0] + j) * 0.8 + 0.3 * r[1] * r[j % r.length]);
  });
  return { x, y };
}

const LOG_FIELDS = ['loss', 'accuracy', 'learningRate', 'mae', 'r2', 'valLoss', 'valAccuracy', 'valMae', 'valR2'] as const;

async function trainOn(model: MLP, c: FeatureCase): Promise<FeatureRun> {
  const { x, y } = featureData(c);
  const perEpoch: number[][] = [];
  const h = await model.fit(x, y, { ...c.fit, onEpochEnd: async () => void perEpoch.push(flat(await model.getWeights())) });
  const evaluation = await model.evaluate(x, y);
  return {
    epochs: h.epochs.map((e) => Object.fromEntries(LOG_FIELDS.map((f) => [f, e[f]]))),
    stopReason: h.stopReason, bestEpoch: h.bestEpoch, bestValue: h.bestValue, restoredBestWeights: h.restoredBestWeights,
    perEpoch, final: flat(await model.getWeights()), evaluate: { ...evaluation },
  };
}

/** Trains `c` on WebGPU and on the CPU path from the same seed; returns both runs. */
export async function featureParity(c: FeatureCase) {
  const device = await getDevice();
  const runs: Record<string, FeatureRun> = {};
  const failures = await withValidation(device, async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      const m = await MLP.create({ ...c.config, backend }, { device });
      try {
        runs[backend] = await trainOn(m, c);
      } finally {
        m.dispose();
      }
    }
    return [];
  });
  return { failures, runs };
}

/**
 * The dropout masks on the device against src/dropout-mask.ts: dropout.wgsl's forward entry on a
 * block of ones gives each element's factor (0 or 1/(1 − p)), its backward entry scales a block of
 * ones in place; for several keys, layers and rates, every element's kept/dropped state is
 * compared, and the factors' values.
 */
export async function dropoutMasks() {
  const device = await getDevice();
  const rows = 37;
  const units = 53;
  const results: { p: number; layer: number; key: number; elements: number; mismatches: number; kept: number; worstFactor: number }[] = [];
  const failures = await withValidation(device, async () => {
    const buffers = new BufferManager(device);
    const launches = new Launches(device, buffers);
    try {
      const n = rows * units;
      const keys = [0, 1, 2].flatMap((e) => [0, 5].map((b) => batchDropKey(epochDropKey(7, e), b)));
      const uniforms = new BatchUniforms(device, buffers, launches.cache, keys.length, 'dropout test');
      uniforms.write(keys.map((dropKey, i) => ({ start: 0, rows, step: i + 1, index: i, lr: 0, c1: 1, c2: 1, dropKey })));
      const ones = buffers.upload('ones', new Float32Array(n).fill(1));
      for (const p of [0.1, 0.5, 0.9]) {
        for (const layer of [0, 3]) {
          for (const direction of ['forward', 'backward'] as const) {
            const dst = buffers.upload('dst', new Float32Array(n).fill(1));
            const common = { dst, cols: units, rows, layer, threshold: dropoutThreshold(p), scale: 1 / (1 - p) };
            const d = direction === 'forward' ? launches.dropout({ direction, src: ones, ...common }) : launches.dropout({ direction, ...common });
            for (let slot = 0; slot < keys.length; slot++) {
              if (direction === 'backward') device.queue.writeBuffer(dst, 0, new Float32Array(n).fill(1));
              const enc = device.createCommandEncoder();
              const pass = enc.beginComputePass();
              launches.encode(pass, [d], uniforms, slot);
              pass.end();
              device.queue.submit([enc.finish()]);
              const got = new Float32Array(await readBuffer(device, buffers, dst, 0, n * 4));
              const want = dropoutFactors(keys[slot], layer, p, rows, units);
              let mismatches = 0;
              let kept = 0;
              let worstFactor = 0;
              for (let i = 0; i < n; i++) {
                if ((got[i] !== 0) !== (want[i] !== 0)) mismatches++;
                if (want[i] !== 0) {
                  kept++;
                  worstFactor = Math.max(worstFactor, Math.abs(got[i] - want[i]) / want[i]);
                }
              }
              if (direction === 'forward') results.push({ p, layer, key: keys[slot], elements: n, mismatches, kept, worstFactor });
              else if (mismatches > 0) results.push({ p, layer, key: keys[slot], elements: n, mismatches, kept: -1, worstFactor });
            }
            launches.release([d]);
          }
        }
      }
      uniforms.destroy();
    } finally {
      buffers.dispose();
    }
    return [];
  });
  return { failures, results };
}

/** A bad `fit` call on a WebGPU model: the error it gives and whether the weights stayed the same. */
export async function badFeatureInputs(calls: { name: string; options: Record<string, unknown>; dropout?: number }[]) {
  const device = await getDevice();
  const out: { name: string; error: string; type: string; unchanged: boolean }[] = [];
  const failures = await withValidation(device, async () => {
    const config: ModelConfig = { inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 5, backend: 'webgpu' };
    const m = await MLP.create(config, { device });
    try {
      const x = Array.from({ length: 12 }, (_, i) => [i / 12, Math.sin(i), 1]);
      const y = x.map((_, i) => i % 2);
      for (const c of calls) {
        const before = JSON.stringify(await m.getWeights());
        const r = await m.fit(x, y, c.options as FitOptions).then(() => ({ error: 'accepted', type: '' }), (e: Error) => ({ error: e.message, type: e.constructor.name }));
        out.push({ name: c.name, ...r, unchanged: JSON.stringify(await m.getWeights()) === before });
      }
      // a dropout of 1 is refused by MLP.create
      const made = await MLP.create({ ...config, layers: [{ units: 4, activation: 'tanh', dropout: 1 }, config.layers[1]] }, { device }).then(
        (bad) => (bad.dispose(), { error: 'accepted', type: '' }),
        (e: Error) => ({ error: e.message, type: e.constructor.name }),
      );
      out.push({ name: 'dropout 1', ...made, unchanged: true });
    } finally {
      m.dispose();
    }
    return [];
  });
  return { failures, out };
}

/**
 * Batch norm's running estimates through setWeights on WebGPU: a CPU model's weights (γ, β and
 * running estimates seeded in [−2, 2], the variances in [0.1, 2]) set on a WebGPU model read back
 * as float32 holds them and predict as the CPU does; a running variance past float32's range is
 * refused naming it, the model unchanged.
 */
export async function batchNormWeights() {
  const device = await getDevice();
  const rng = new Rng(71, 'batch norm weights');
  const out = { weightsDiff: NaN, predictionDiff: NaN, error: '', unchanged: false };
  const failures = await withValidation(device, async () => {
    const config: ModelConfig = { inputSize: 3, layers: [{ units: 5, activation: 'gelu', norm: 'batch' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 7 };
    const cpu = await MLP.create({ ...config, backend: 'cpu' });
    const gpu = await MLP.create({ ...config, backend: 'webgpu' }, { device });
    try {
      const w = await cpu.getWeights();
      const seeded = (lo: number) => Array.from({ length: 5 }, () => Math.fround(rng.uniform(lo, 2)));
      w.norms = [{ scale: seeded(-2), shift: seeded(-2), runningMean: seeded(-2), runningVar: seeded(0.1) }, null];
      await cpu.setWeights(w);
      await gpu.setWeights(w);
      const diff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
      out.weightsDiff = diff(flat(await cpu.getWeights()), flat(await gpu.getWeights()));
      const x = Array.from({ length: 7 }, () => [0, 1, 2].map(() => rng.uniform(-2, 2)));
      out.predictionDiff = diff((await cpu.predict(x)).flat(), (await gpu.predict(x)).flat());
      const before = JSON.stringify(await gpu.getWeights());
      const bad = { ...w, norms: [{ ...w.norms[0]!, runningVar: [1, 1, 1, 1e39, 1] }, null] };
      out.error = await gpu.setWeights(bad).then(() => 'accepted', (e: Error) => e.message);
      out.unchanged = JSON.stringify(await gpu.getWeights()) === before;
    } finally {
      cpu.dispose();
      gpu.dispose();
    }
    return [];
  });
  return { failures, ...out };
}
