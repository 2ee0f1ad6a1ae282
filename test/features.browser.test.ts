// The training features on WebGPU against the CPU path, in headless Chromium: dropout masks bit
// for bit, early stopping (same best epoch, the best epoch's parameters restored on the device),
// schedules (the same rate per epoch), regression metrics, layer norm's γ and β through early
// stopping, clipNorm, L2 and AdamW, batch norm's running estimates through early stopping, and bad input refused on WebGPU with the model unchanged. Weight parity of each feature under training is in the parity matrix
// (test/browser/suites/parity-cases.ts, run by test/trainer.browser.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './browser/harness';
import type { FeatureCase, FeatureRun } from './browser/suites/features';
import { worstRatio } from './cases/tolerance';

const SUITE = '/test/browser/suites/features.ts';
let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowser();
});
afterAll(async () => session?.close());

/** float32 GPU vs float64 CPU after k steps (the parity suite's tolerances). */
const weightTolerance = (steps: number) => (steps <= 20 ? { atol: 5e-6, rtol: 5e-4 } : { atol: 2e-5, rtol: 2e-3 });

/** Every logged number of both runs within 1e-3·max(1, |cpu|); the learning rates within 1e-6 relative. */
function compareLogs(name: string, gpu: FeatureRun, cpu: FeatureRun): number {
  expect(gpu.epochs.length, `${name}: epochs trained`).toBe(cpu.epochs.length);
  let worst = 0;
  cpu.epochs.forEach((e, k) => {
    for (const [field, v] of Object.entries(e)) {
      const g = gpu.epochs[k][field];
      if (v === undefined) {
        expect(g, `${name}: epoch ${k + 1} ${field}`).toBeUndefined();
        continue;
      }
      expect(typeof g, `${name}: epoch ${k + 1} ${field}`).toBe('number');
      const d = Math.abs((g as number) - v);
      if (field === 'learningRate') expect(d, `${name}: epoch ${k + 1} learningRate ${g} vs ${v}`).toBeLessThanOrEqual(1e-6 * Math.abs(v));
      else if (field !== 'accuracy' && field !== 'valAccuracy') {
        worst = Math.max(worst, d / Math.max(1, Math.abs(v)));
        expect(d, `${name}: epoch ${k + 1} ${field} gpu ${g} cpu ${v}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(v)));
      }
    }
  });
  return worst;
}

async function runBoth(c: FeatureCase): Promise<{ gpu: FeatureRun; cpu: FeatureRun }> {
  const r = await session.run<{ failures: string[]; runs: Record<'webgpu' | 'cpu', FeatureRun> }>(SUITE, 'featureParity', c);
  expect(r.failures, r.failures.join('\n')).toEqual([]);
  return { gpu: r.runs.webgpu, cpu: r.runs.cpu };
}

/**
 * Runs `c` (early stopping with restoreBestWeights) on both backends: the same best epoch; the
 * device's final parameters (`length` values) are its copy of that epoch's, whose last `changed`
 * values (or all) differ from the last epoch's, and within the parity tolerance of the CPU's.
 */
async function expectBestRestored(c: FeatureCase, length: number, changed: number | 'all', what: string): Promise<void> {
  const { gpu, cpu } = await runBoth(c);
  compareLogs(c.name, gpu, cpu);
  expect(gpu.stopReason).toBe('earlyStopping');
  expect(gpu.bestEpoch).toBe(cpu.bestEpoch);
  const best = gpu.bestEpoch!;
  expect(gpu.final.length).toBe(length);
  expect(gpu.final).toEqual(gpu.perEpoch[best - 1]);
  const tail = (a: number[]) => (changed === 'all' ? a : a.slice(-changed));
  expect(tail(gpu.final)).not.toEqual(tail(gpu.perEpoch.at(-1)!));
  const ratio = worstRatio(cpu.final, gpu.final, weightTolerance(best * 5));
  console.log(`${c.name}: stopped after ${gpu.epochs.length} epochs on both, best epoch ${best}; restored ${what} gpu vs cpu use ${(ratio * 100).toFixed(1)}% of the tolerance`);
  expect(ratio).toBeLessThanOrEqual(1);
}

const layers = (hidden: 'tanh' | 'relu' | 'sigmoid', out: 'softmax' | 'linear', units: number, dropout = 0) => [
  { units: 16, activation: hidden, ...(dropout ? { dropout } : {}) },
  { units: 12, activation: hidden },
  { units, activation: out },
] as ModelLayers;
type ModelLayers = FeatureCase['config']['layers'];

describe('dropout masks: dropout.wgsl and src/dropout-mask.ts draw the same units', () => {
  it('forward and backward entry points, p 0.1 / 0.5 / 0.9, two layers, six step keys: identical kept/dropped pattern, same factors', async () => {
    const r = await session.run<{ failures: string[]; results: { p: number; layer: number; key: number; elements: number; mismatches: number; kept: number; worstFactor: number }[] }>(SUITE, 'dropoutMasks');
    expect(r.failures, r.failures.join('\n')).toEqual([]);
    let elements = 0;
    for (const m of r.results) {
      expect(m.mismatches, `p ${m.p}, layer ${m.layer}, key ${m.key}: ${m.mismatches} of ${m.elements} elements differ`).toBe(0);
      if (m.kept < 0) continue;
      elements += m.elements;
      // the kept fraction is 1 − p within 5 standard deviations of a binomial draw
      const sd = Math.sqrt(m.p * (1 - m.p) / m.elements);
      expect(Math.abs(m.kept / m.elements - (1 - m.p)), `p ${m.p}: kept ${m.kept} of ${m.elements}`).toBeLessThanOrEqual(5 * sd);
      expect(m.worstFactor, 'factor 1/(1 − p) in float32').toBeLessThanOrEqual(1e-7);
    }
    console.log(`dropout masks: ${r.results.length} forward blocks, ${elements} elements compared, 0 mismatches (backward entry: 0 mismatches)`);
    expect(r.results.length).toBe(36);
  });
});

describe('early stopping on both backends', () => {
  const overfit: FeatureCase = {
    name: 'early stopping (valLoss, patience 3, restore), relu/softmax, noisy labels, sgd',
    config: { inputSize: 4, layers: layers('relu', 'softmax', 3), loss: 'categoricalCrossEntropy', seed: 41 },
    rows: 48, labelNoise: 0.2, fit: { epochs: 80, batchSize: 8, learningRate: 0.2, validationSplit: 0.25, earlyStopping: { patience: 3, restoreBestWeights: true } },
  };

  it('stops at the same epoch with the same best epoch; the model ends with exactly the best epoch\'s parameters (restored on the device on WebGPU)', async () => {
    const { gpu, cpu } = await runBoth(overfit);
    const worstLog = compareLogs(overfit.name, gpu, cpu);
    expect(gpu.stopReason).toBe('earlyStopping');
    expect(cpu.stopReason).toBe('earlyStopping');
    expect(gpu.bestEpoch).toBe(cpu.bestEpoch);
    expect(gpu.epochs.length).toBe(gpu.bestEpoch! + 3);
    expect(gpu.restoredBestWeights).toBe(true);
    expect(cpu.restoredBestWeights).toBe(true);
    const best = gpu.bestEpoch!;
    // the best value is the best epoch's logged valLoss, and no later epoch beat it
    expect(gpu.bestValue).toBe(gpu.epochs[best - 1].valLoss);
    for (const e of gpu.epochs.slice(best)) expect(e.valLoss!).toBeGreaterThanOrEqual(gpu.bestValue!);
    // restored: bit-for-bit the parameters read after the best epoch, not those of the last epoch
    for (const run of [gpu, cpu]) {
      expect(run.final).toEqual(run.perEpoch[best - 1]);
      expect(run.final).not.toEqual(run.perEpoch.at(-1));
    }
    expect(best).toBeGreaterThan(5);
    const steps = best * 5;
    const ratio = worstRatio(cpu.final, gpu.final, weightTolerance(steps));
    console.log(`${overfit.name}: stopped after ${gpu.epochs.length} epochs on both, best epoch ${best} (valLoss gpu ${gpu.bestValue} cpu ${cpu.bestValue}); restored weights gpu vs cpu use ${(ratio * 100).toFixed(1)}% of the tolerance; logs within ${worstLog.toExponential(2)} relative`);
    expect(ratio).toBeLessThanOrEqual(1);
  });

  it("layer norm: γ and β restored with the weights from the device's best copy, counted by clipNorm, left out of L2 and AdamW's decay, as on the CPU", async () => {
    // one network for both runs: the second compiles only its optimizer's pipelines
    const layers = [{ units: 9, activation: 'tanh', norm: 'layer' }, { units: 7, activation: 'silu', norm: 'layer' }, { units: 3, activation: 'softmax' }] as ModelLayers;
    const c: FeatureCase = {
      name: "early stopping (valLoss, restore) with norm 'layer', 4-9n-7n-3, tanh then silu, nesterov, clipNorm 0.1, L2",
      config: { inputSize: 4, layers, loss: 'categoricalCrossEntropy', seed: 43, l2: 0.05 },
      rows: 48, labelNoise: 0.2,
      fit: { epochs: 60, batchSize: 8, learningRate: 0.3, optimizer: { type: 'momentum', momentum: 0.9, nesterov: true }, clipNorm: 0.1, validationSplit: 0.25, earlyStopping: { patience: 2, restoreBestWeights: true } },
    };
    // weights, biases, then γ and β of both layers (flat): the best epoch's, not the last epoch's
    await expectBestRestored(c, 4 * 9 + 9 * 7 + 7 * 3 + 9 + 7 + 3 + 2 * 9 + 2 * 7, 'all', 'parameters');
    const decayed: FeatureCase = {
      name: "norm 'layer', 4-9n-7n-3, tanh then silu, adamw (weight decay 0.2)",
      config: { inputSize: 4, layers, loss: 'categoricalCrossEntropy', seed: 44 },
      rows: 24, fit: { epochs: 4, batchSize: 6, learningRate: 0.05, optimizer: { type: 'adamw', weightDecay: 0.2 } },
    };
    const both = await runBoth(decayed);
    compareLogs(decayed.name, both.gpu, both.cpu);
    const adamw = worstRatio(both.cpu.final, both.gpu.final, weightTolerance(16));
    console.log(`${decayed.name}: parameters gpu vs cpu after 16 steps use ${(adamw * 100).toFixed(1)}% of the tolerance`);
    expect(adamw).toBeLessThanOrEqual(1);
  });

  it("batch norm: the running mean and variance restored with the weights from the device's best copy, as on the CPU", async () => {
    const c: FeatureCase = {
      name: "early stopping (valLoss, restore) with norm 'batch', 4-9b-7b-3, tanh then silu, momentum, validation from the running estimates",
      config: { inputSize: 4, layers: [{ units: 9, activation: 'tanh', norm: 'batch' }, { units: 7, activation: 'silu', norm: 'batch' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 45 },
      rows: 48, labelNoise: 0.2,
      fit: { epochs: 60, batchSize: 8, learningRate: 0.05, optimizer: { type: 'momentum', momentum: 0.9 }, validationSplit: 0.25, earlyStopping: { patience: 2, restoreBestWeights: true } },
    };
    // weights, biases, then γ, β, running mean and variance of both layers (flat): the best epoch's,
    // whose last layer's norm values differ from the last epoch's
    await expectBestRestored(c, 4 * 9 + 9 * 7 + 7 * 3 + 9 + 7 + 3 + 4 * 9 + 4 * 7, 4 * 7, 'parameters and running estimates');
  });

  it("batch norm: setWeights carries the running estimates to the device (read back as float32 holds them, the CPU's predictions); a variance past float32 refused", async () => {
    const r = await session.run<{ failures: string[]; weightsDiff: number; predictionDiff: number; error: string; unchanged: boolean }>(SUITE, 'batchNormWeights');
    console.log(`batch norm setWeights on WebGPU: parameters within ${r.weightsDiff.toExponential(2)}, predictions within ${r.predictionDiff.toExponential(2)} of the CPU; ${r.error}`);
    expect(r.failures).toEqual([]);
    expect(r.weightsDiff).toBeLessThanOrEqual(1e-7);
    expect(r.predictionDiff).toBeLessThanOrEqual(1e-5);
    expect(r.error).toMatch(/norms\[0\]\.runningVar\[3\] must be a finite number float32 can hold .*, got 1e\+39/);
    expect(r.unchanged).toBe(true);
  });

  it('monitor loss without validation data, exponential decay: same stop and rates', async () => {
    const c: FeatureCase = {
      name: 'early stopping on loss (minDelta 0.02), exponential decay 0.7',
      config: { inputSize: 4, layers: layers('tanh', 'softmax', 3), loss: 'categoricalCrossEntropy', seed: 42 },
      rows: 24, fit: { epochs: 60, batchSize: 6, learningRate: { type: 'exponential', initial: 0.3, decay: 0.7 }, earlyStopping: { monitor: 'loss', minDelta: 0.02, patience: 2 } },
    };
    const { gpu, cpu } = await runBoth(c);
    compareLogs(c.name, gpu, cpu);
    expect(gpu.stopReason).toBe('earlyStopping');
    expect(gpu.bestEpoch).toBe(cpu.bestEpoch);
    gpu.epochs.forEach((e, k) => expect(e.learningRate).toBeCloseTo(0.3 * 0.7 ** k, 12));
    expect(gpu.restoredBestWeights).toBeUndefined();
    expect(gpu.final).toEqual(gpu.perEpoch.at(-1));
    console.log(`${c.name}: stopped after ${gpu.epochs.length} epochs (best ${gpu.bestEpoch}) on both backends`);
  });
});

describe('regression metrics and schedules on both backends', () => {
  it('mae and r2 (train, validation, evaluate) agree; reduceOnPlateau lowers the rate at the same epochs; accuracy-free monitors', async () => {
    const c: FeatureCase = {
      name: 'regression: tanh/linear, rmsprop, clipNorm 1, reduceOnPlateau on valMae, dropout 0.2',
      config: { inputSize: 4, layers: layers('tanh', 'linear', 2, 0.2), loss: 'mse', seed: 43 },
      rows: 60, fit: { epochs: 24, batchSize: 12, optimizer: 'rmsprop', clipNorm: 1, validationSplit: 0.2, learningRate: { type: 'reduceOnPlateau', initial: 0.01, monitor: 'valMae', patience: 2, factor: 0.5, minDelta: 0 } },
    };
    const { gpu, cpu } = await runBoth(c);
    const worst = compareLogs(c.name, gpu, cpu);
    for (const run of [gpu, cpu]) {
      for (const e of run.epochs) for (const f of ['mae', 'r2', 'valMae', 'valR2']) expect(typeof e[f], f).toBe('number');
      expect(run.evaluate.mae).toBeTypeOf('number');
      expect(run.evaluate.r2).toBeTypeOf('number');
    }
    expect(Math.abs(gpu.evaluate.mae! - cpu.evaluate.mae!)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(gpu.evaluate.r2! - cpu.evaluate.r2!)).toBeLessThanOrEqual(1e-4);
    expect(gpu.epochs.at(-1)!.r2!).toBeGreaterThan(gpu.epochs[0].r2!);
    const rates = gpu.epochs.map((e) => e.learningRate);
    console.log(`${c.name}: rates per epoch ${rates.join(', ')}; final mae gpu ${gpu.epochs.at(-1)!.mae} cpu ${cpu.epochs.at(-1)!.mae}, r2 gpu ${gpu.epochs.at(-1)!.r2} cpu ${cpu.epochs.at(-1)!.r2}; evaluate mae gpu ${gpu.evaluate.mae} cpu ${cpu.evaluate.mae}, r2 gpu ${gpu.evaluate.r2} cpu ${cpu.evaluate.r2}; logs within ${worst.toExponential(2)} relative`);
    expect(Math.min(...(rates as number[]))).toBeLessThan(0.01);
    expect(worstRatio(cpu.final, gpu.final, weightTolerance(24 * 4))).toBeLessThanOrEqual(1);
  });

  it('cosine with warmup: each epoch logs the rate of its last step, from the same formula on both backends', async () => {
    const c: FeatureCase = {
      name: 'cosine, warmup 5 steps, adamw, sample weights',
      config: { inputSize: 4, layers: layers('relu', 'softmax', 3), loss: 'categoricalCrossEntropy', seed: 44 },
      rows: 40, fit: { epochs: 6, batchSize: 8, optimizer: 'adamw', learningRate: { type: 'cosine', initial: 0.02, warmupSteps: 5, minLearningRate: 0.002 }, sampleWeight: Array.from({ length: 40 }, (_, i) => (i % 5) + 0.5) },
    };
    const { gpu, cpu } = await runBoth(c);
    compareLogs(c.name, gpu, cpu);
    const T = 6 * 5;
    const at = (t: number) => (t < 5 ? (0.02 * (t + 1)) / 5 : 0.002 + 0.018 * 0.5 * (1 + Math.cos((Math.PI * (t - 5)) / (T - 5))));
    gpu.epochs.forEach((e, k) => expect(e.learningRate).toBeCloseTo(at(k * 5 + 4), 12));
    expect(worstRatio(cpu.final, gpu.final, weightTolerance(T))).toBeLessThanOrEqual(1);
  });
});

describe('bad input on the WebGPU backend', () => {
  it('each bad feature option is a RangeError/TypeError naming the option and the allowed values, and the weights are unchanged', async () => {
    const calls = [
      { name: 'patience -1', options: { earlyStopping: { monitor: 'loss', patience: -1 } }, message: /earlyStopping\.patience must be an integer in \[0, 1000000\], got -1/ },
      { name: 'unknown schedule type', options: { learningRate: { type: 'linear', initial: 0.1 } }, message: /learningRate\.type must be one of 'step', 'exponential', 'cosine', 'reduceOnPlateau', got "linear"/ },
      { name: 'monitor without validation data', options: { earlyStopping: { monitor: 'valLoss' } }, message: /earlyStopping\.monitor 'valLoss' needs validation data/ },
      { name: 'plateau monitor without validation data', options: { learningRate: { type: 'reduceOnPlateau', initial: 0.1 } }, message: /learningRate\.monitor 'valLoss' needs validation data/ },
      { name: 'clipNorm 0', options: { clipNorm: 0 }, message: /clipNorm must be a finite number > 0, got 0/ },
      { name: 'classWeight of a negative weight', options: { classWeight: { 1: -2 } }, message: /classWeight\[1\] must be a finite number >= 0, got -2/ },
      { name: 'sampleWeight of the wrong length', options: { sampleWeight: [1, 2, 3] }, message: /sampleWeight must have one weight per row of x \(12\), got 3/ },
      { name: 'rmsprop rho 1', options: { optimizer: { type: 'rmsprop', rho: 1 } }, message: /optimizer\.rho must be in \[0, 1\), got 1/ },
      { name: 'mae monitor on a classifier', options: { earlyStopping: { monitor: 'mae' } }, message: /earlyStopping\.monitor 'mae' is logged for regression outputs/ },
      { name: 'dropout 1', options: {}, message: /layers\[0\]\.dropout must be in \[0, 1\).*got 1/ },
    ];
    const r = await session.run<{ failures: string[]; out: { name: string; error: string; type: string; unchanged: boolean }[] }>(SUITE, 'badFeatureInputs', calls.slice(0, -1).map(({ name, options }) => ({ name, options })));
    expect(r.failures, r.failures.join('\n')).toEqual([]);
    expect(r.out.map((o) => o.name)).toEqual(calls.map((c) => c.name));
    r.out.forEach((o, i) => {
      expect(o.error, o.name).toMatch(calls[i].message);
      expect(['RangeError', 'TypeError'], o.name).toContain(o.type);
      expect(o.unchanged, `${o.name}: weights unchanged`).toBe(true);
    });
  });
});
