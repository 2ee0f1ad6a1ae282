// The training features on the CPU path, in Node: each one's math against hand formulas or an
// equivalent run, its effect through the public API, and bad input refused with the model left
// byte-identical. (Both backends together: test/features.browser.test.ts and the parity matrix;
// TensorFlow.js and PyTorch: test/features-tfjs.test.ts, test/features-torch.test.ts.)
import { describe, expect, it } from 'vitest';
import { type FitOptions, MLP, type ModelConfig, Rng } from '../src';
import { resolveConfig } from '../src/core/config';
import { lossSum } from '../src/cpu/losses';
import { backward, forward } from '../src/cpu/network';
import { clipGradients, optimizerStep } from '../src/cpu/optimizers';
import { batchDropKey, dropoutFactors, epochDropKey, keepUnit, pcgHash } from '../src/core/dropout-mask';
import { EarlyStopper } from '../src/fit/early-stopping';
import { metricsOf, regressionMetrics, targetSpread } from '../src/core/metrics';
import { initParams } from '../src/core/params';
import { Plateau, epochRates, resolveSchedule } from '../src/fit/schedules';

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

function data(rows: number, inputs: number, seed = 1) {
  const rng = new Rng(seed, 'features');
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.uniform(-2, 2)));
  return { x, labels: x.map((r) => (r[0] + r[1] > 0 ? 1 : 0) + (r[2] > 1 ? 1 : 0)), real: x.map((r) => [Math.sin(r[0]) + 0.3 * r[1]]) };
}

const classifier: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu', seed: 2 };
const regressor: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse', backend: 'cpu', seed: 2 };

describe('optimizers: one step against the formulas', () => {
  const g = new Float64Array([0.3, -1.2, 2]);
  it('rmsprop: s = ρs + (1−ρ)g², u = μu + ηg/√(s+ε), θ −= u, two steps', () => {
    const theta = new Float64Array([1, 2, 3]);
    const state = [new Float64Array(3), new Float64Array(3)];
    const opt = { type: 'rmsprop' as const, rho: 0.8, epsilon: 1e-7, momentum: 0.5 };
    optimizerStep(opt, theta, g, state, 0.1, 1);
    optimizerStep(opt, theta, g, state, 0.1, 2);
    g.forEach((gi, i) => {
      const s1 = 0.2 * gi * gi;
      const u1 = (0.1 * gi) / Math.sqrt(s1 + 1e-7);
      const s2 = 0.8 * s1 + 0.2 * gi * gi;
      const u2 = 0.5 * u1 + (0.1 * gi) / Math.sqrt(s2 + 1e-7);
      close(theta[i], [1, 2, 3][i] - u1 - u2);
    });
  });
  it('nesterov: v = μv + g, θ −= η(g + μv); plain momentum θ −= ηv', () => {
    const a = new Float64Array([1, 2, 3]);
    const b = new Float64Array([1, 2, 3]);
    optimizerStep({ type: 'momentum', momentum: 0.9, nesterov: true }, a, g, [new Float64Array(3)], 0.1, 1);
    optimizerStep({ type: 'momentum', momentum: 0.9 }, b, g, [new Float64Array(3)], 0.1, 1);
    g.forEach((gi, i) => {
      close(a[i], [1, 2, 3][i] - 0.1 * (gi + 0.9 * gi));
      close(b[i], [1, 2, 3][i] - 0.1 * gi);
    });
  });
  it('adamw: adam step plus θ −= η·wd·θ on weights; biases only with decayBiases', () => {
    const opt = { type: 'adamw' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, decayBiases: false };
    const w = new Float64Array([1, 2, 3]);
    const b = new Float64Array([1, 2, 3]);
    const adam = new Float64Array([1, 2, 3]);
    const slots = () => [new Float64Array(3), new Float64Array(3)];
    optimizerStep(opt, w, g, slots(), 0.01, 1);
    optimizerStep(opt, b, g, slots(), 0.01, 1, true);
    optimizerStep({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, adam, g, slots(), 0.01, 1);
    [1, 2, 3].forEach((t0, i) => {
      close(w[i], adam[i] - 0.01 * 0.1 * t0);
      close(b[i], adam[i]);
    });
  });
});

describe('learning-rate schedules', () => {
  const ctx = { validation: true, regression: false };
  it('step, exponential, cosine (warmup, then half a cosine to the floor) and constant rates', () => {
    expect(Array.from(epochRates(resolveSchedule({ type: 'step', initial: 0.1, every: 2, factor: 0.5 }, ctx), 3, 2, 10))).toEqual([0.05, 0.05]);
    expect(Array.from(epochRates(resolveSchedule({ type: 'exponential', initial: 0.1, decay: 0.5 }, ctx), 2, 1, 10))[0]).toBeCloseTo(0.025, 15);
    const cos = resolveSchedule({ type: 'cosine', initial: 1, warmupSteps: 4, minLearningRate: 0.1 }, ctx);
    const all = Array.from({ length: 3 }, (_, e) => Array.from(epochRates(cos, e, 4, 3))).flat();
    expect(all.slice(0, 4)).toEqual([0.25, 0.5, 0.75, 1]);
    close(all[4], 1);
    close(all[8], 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)));
    expect(all[11]).toBeGreaterThan(0.1);
    expect(Array.from(epochRates(resolveSchedule(0.3, ctx), 5, 2, 10))).toEqual([0.3, 0.3]);
  });
  it('reduceOnPlateau: the rate drops by `factor` after `patience` epochs without improvement, not below the floor', () => {
    const p = new Plateau({ type: 'reduceOnPlateau', initial: 0.1, monitor: 'loss', factor: 0.5, patience: 2, minLearningRate: 0.03, minDelta: 0 });
    const rates = [1, 0.9, 0.95, 0.92, 0.91, 0.93, 0.94, 0.99].map((v) => (p.observe(v), p.rate));
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03]);
  });
  it('each epoch logs the rate of its last step', async () => {
    const m = await MLP.create(classifier);
    const { x, labels } = data(40, 4);
    const h = await m.fit(x, labels, { epochs: 4, batchSize: 10, learningRate: { type: 'cosine', initial: 0.1, warmupSteps: 0 } });
    h.epochs.forEach((e, k) => close(e.learningRate, 0.05 * (1 + Math.cos((Math.PI * (k * 4 + 3)) / 16))));
    const constant = await m.fit(x, labels, { epochs: 2, learningRate: 0.07 });
    expect(constant.epochs.map((e) => e.learningRate)).toEqual([0.07, 0.07]);
  });
  it('a schedule gives the same weights as the equivalent constant-rate fits, epoch by epoch', async () => {
    const { x, labels } = data(30, 4);
    const a = await MLP.create(classifier);
    const b = await MLP.create(classifier);
    await a.fit(x, labels, { epochs: 3, batchSize: 10, shuffle: false, learningRate: { type: 'exponential', initial: 0.4, decay: 0.5 } });
    for (const lr of [0.4, 0.2, 0.1]) await b.fit(x, labels, { epochs: 1, batchSize: 10, shuffle: false, learningRate: lr });
    expect(maxDiff(flat(await a.getWeights()), flat(await b.getWeights()))).toBeLessThan(1e-15);
  });
});

describe('early stopping', () => {
  it('EarlyStopper: improvement beyond minDelta resets the count; patience epochs without it stop', () => {
    const s = new EarlyStopper({ monitor: 'valAccuracy', patience: 2, minDelta: 0.01, restoreBestWeights: false });
    expect([0.5, 0.6, 0.605, 0.7, 0.69, 0.7].map((v, i) => s.observe(i + 1, v))).toEqual(['improved', 'improved', 'wait', 'improved', 'wait', 'stop']);
    expect(s.bestEpoch).toBe(4);
  });
  it('restoreBestWeights: the model ends with exactly the best epoch\'s parameters; the history says why it stopped', async () => {
    const { x, labels } = data(40, 4, 3);
    const m = await MLP.create({ ...classifier, layers: [{ units: 24, activation: 'relu' }, { units: 3, activation: 'softmax' }] });
    const seen: number[][] = [];
    const h = await m.fit(x, labels.map((_, i) => (i * 7) % 3), {
      epochs: 300, batchSize: 8, learningRate: 0.3, validationSplit: 0.3, earlyStopping: { patience: 4, restoreBestWeights: true },
      onEpochEnd: async () => void seen.push(flat(await m.getWeights())),
    });
    expect(h.stopReason).toBe('earlyStopping');
    expect(h.stopped).toBe(false);
    expect(h.epochs.length).toBe(h.bestEpoch! + 4);
    expect(h.bestValue).toBe(Math.min(...h.epochs.map((e) => e.valLoss!)));
    expect(h.restoredBestWeights).toBe(true);
    expect(flat(await m.getWeights())).toEqual(seen[h.bestEpoch! - 1]);
    expect(flat(await m.getWeights())).not.toEqual(seen.at(-1));
  });
  it('without earlyStopping: completed, no best epoch; an abort: aborted', async () => {
    const { x, labels } = data(20, 4);
    const m = await MLP.create(classifier);
    const h = await m.fit(x, labels, { epochs: 2 });
    expect([h.stopReason, h.bestEpoch]).toEqual(['completed', undefined]);
    const c = new AbortController();
    c.abort();
    expect((await m.fit(x, labels, { epochs: 2, signal: c.signal, earlyStopping: { monitor: 'loss' } })).stopReason).toBe('aborted');
  });
});

describe('dropout', () => {
  it('pcgHash is the 32-bit PCG hash (checked against BigInt arithmetic)', () => {
    const M = (1n << 32n) - 1n;
    const ref = (v: number) => {
      const st = (BigInt(v) * 747796405n + 2891336453n) & M;
      const w = ((st >> ((st >> 28n) + 4n)) ^ st) * 277803737n & M;
      return Number((w >> 22n) ^ w);
    };
    for (let i = 0; i < 2000; i++) {
      const v = Math.imul(i, 2654435761) >>> 0;
      expect(pcgHash(v)).toBe(ref(v));
    }
  });
  it('masks: drop fraction ≈ p, different per step and layer, factors 0 or 1/(1 − p)', () => {
    const key = batchDropKey(epochDropKey(1, 0), 0);
    const f = dropoutFactors(key, 0, 0.3, 100, 100);
    const kept = f.filter((v) => v !== 0).length / f.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(5 * Math.sqrt(0.21 / 1e4));
    expect(new Set(f)).toEqual(new Set([0, 1 / 0.7]));
    expect(dropoutFactors(batchDropKey(epochDropKey(1, 0), 1), 0, 0.3, 100, 100)).not.toEqual(f);
    expect(dropoutFactors(key, 1, 0.3, 100, 100)).not.toEqual(f);
    expect(dropoutFactors(key, 0, 0.3, 100, 100)).toEqual(f);
    expect(keepUnit(key, 0, 5, 0)).toBe(true);
  });
  it('backprop through a fixed mask agrees with central differences', () => {
    const net = resolveConfig({ inputSize: 3, layers: [{ units: 5, activation: 'sigmoid', dropout: 0.4 }, { units: 4, activation: 'tanh', dropout: 0.25 }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 4 });
    const p = initParams(net);
    const x = [0.3, -1, 0.5, 1.2, 0.1, -0.4];
    const y = [0.2, -0.3, 0.5, 0.1];
    const weights = [0.5, 2];
    const step = { dropKey: 12345, weights };
    // J = (1/m)·Σ_r w_r·loss_r with the mask of `step` (no L2 here)
    const J = () => lossSum('mse', forward(net, p, x, 2, step).acts[3] as Float64Array, y, 2, 2, weights) / 2;
    const pass = forward(net, p, x, 2, step);
    const g = backward(net, p, pass.acts, y, 2, undefined, { pass, weights });
    let worst = 0;
    p.weights.forEach((w, l) => {
      for (let i = 0; i < w.length; i++) {
        const s = w[i];
        w[i] = s + 1e-6;
        const plus = J();
        w[i] = s - 1e-6;
        const minus = J();
        w[i] = s;
        worst = Math.max(worst, Math.abs((plus - minus) / 2e-6 - g.weights[l][i] / 2));
      }
    });
    expect(worst).toBeLessThan(1e-8);
  });
  it('only while training: predictions equal those of the same weights without dropout; training differs and is reproducible', async () => {
    const { x, real } = data(32, 4);
    const drop = { ...regressor, layers: [{ units: 8, activation: 'tanh' as const, dropout: 0.5 }, regressor.layers[1]] };
    const a = await MLP.create(drop);
    const b = await MLP.create(regressor);
    expect(await a.predict(x)).toEqual(await b.predict(x));
    const fit: FitOptions = { epochs: 3, batchSize: 8, learningRate: 0.1 };
    await a.fit(x, real, fit);
    await b.fit(x, real, fit);
    expect(maxDiff(flat(await a.getWeights()), flat(await b.getWeights()))).toBeGreaterThan(1e-3);
    const again = await MLP.create(drop);
    await again.fit(x, real, fit);
    expect(flat(await again.getWeights())).toEqual(flat(await a.getWeights()));
    expect((await a.toJSON()).config.layers[0]).toEqual({ units: 8, activation: 'tanh', dropout: 0.5 });
    expect((await MLP.fromJSON(await a.toJSON(), { backend: 'cpu' })).config.layers[0].dropout).toBe(0.5);
  });
});

describe('gradient clipping', () => {
  it('clipGradients: global norm first, then value', () => {
    const g = [new Float64Array([3, 0]), new Float64Array([4])];
    clipGradients(g, { norm: 1, value: 0.7 });
    expect([...g[0], ...g[1]].map((v) => +v.toFixed(12))).toEqual([0.6, 0, 0.7]);
    const h = [new Float64Array([0.3, -0.4])];
    clipGradients(h, { norm: 1, value: null });
    expect(Array.from(h[0])).toEqual([0.3, -0.4]);
  });
  it('a clipNorm above every gradient norm and a huge clipValue change nothing; a small clipNorm does', async () => {
    const { x, labels } = data(24, 4);
    const run = async (o: FitOptions) => {
      const m = await MLP.create(classifier);
      await m.fit(x, labels, { epochs: 2, batchSize: 8, learningRate: 0.5, shuffle: false, ...o });
      return flat(await m.getWeights());
    };
    const plain = await run({});
    expect(await run({ clipNorm: 1e6, clipValue: 1e6 })).toEqual(plain);
    expect(maxDiff(await run({ clipNorm: 0.01 }), plain)).toBeGreaterThan(1e-3);
  });
});

describe('class and sample weights', () => {
  it('sampleWeight 2 everywhere with sgd = twice the learning rate', async () => {
    const { x, labels } = data(30, 4);
    const a = await MLP.create(classifier);
    const b = await MLP.create(classifier);
    await a.fit(x, labels, { epochs: 2, batchSize: 10, learningRate: 0.1, sampleWeight: new Float64Array(30).fill(2) });
    await b.fit(x, labels, { epochs: 2, batchSize: 10, learningRate: 0.2 });
    expect(maxDiff(flat(await a.getWeights()), flat(await b.getWeights()))).toBeLessThan(1e-14);
  });
  it('classWeight = the same weights given per sample, also after a validation split; weighted loss reported', async () => {
    const { x, labels } = data(30, 4);
    const a = await MLP.create(classifier);
    const b = await MLP.create(classifier);
    const cw = [0.5, 3, 1];
    const ha = await a.fit(x, labels, { epochs: 2, batchSize: 7, validationSplit: 0.2, classWeight: { 0: 0.5, 1: 3 } });
    const hb = await b.fit(x, labels, { epochs: 2, batchSize: 7, validationSplit: 0.2, sampleWeight: labels.map((c) => cw[c]) });
    expect(flat(await a.getWeights())).toEqual(flat(await b.getWeights()));
    expect(ha.epochs.map((e) => e.loss)).toEqual(hb.epochs.map((e) => e.loss));
    const plain = await MLP.create(classifier);
    const hp = await plain.fit(x, labels, { epochs: 2, batchSize: 7, validationSplit: 0.2 });
    expect(ha.epochs[0].loss).not.toBeCloseTo(hp.epochs[0].loss, 3);
    expect(ha.epochs[0].valLoss).not.toBeCloseTo(hp.epochs[0].valLoss!, 12); // different weights after epoch 1, unweighted either way
  });
  it('a sample of weight 0 contributes nothing: training on it alone leaves the weights unchanged', async () => {
    const { x, labels } = data(6, 4);
    const m = await MLP.create(classifier);
    const before = flat(await m.getWeights());
    await m.fit(x, labels, { epochs: 3, batchSize: 6, sampleWeight: [0, 0, 0, 0, 0, 0], optimizer: 'sgd' });
    expect(flat(await m.getWeights())).toEqual(before);
  });
});

describe('regression metrics', () => {
  it('targetSpread, regressionMetrics and metricsOf against the textbook formulas', () => {
    expect(targetSpread({ data: new Float64Array([1, 10, 3, 20]), rows: 2, cols: 2 })).toBe(2 + 50);
    expect(regressionMetrics(3, 5, 6, 20)).toEqual({ mae: 0.5, r2: 0.75 });
    expect(regressionMetrics(0, 0, 4, 0).r2).toBe(1);
    const y = { data: new Float64Array([1, 2, 3, 4]), rows: 4, cols: 1 };
    const m = metricsOf([1.5, 2, 2.5, 4], y);
    close(m.mae, 0.25);
    close(m.r2, 1 - 0.5 / 5);
  });
  it('a regression model logs mae and r2 (train and validation) and evaluate returns them; a classifier does not', async () => {
    const { x, real, labels } = data(40, 4);
    const m = await MLP.create(regressor);
    // a rate so small that the weights barely move: the epoch's metrics equal those of predict
    const h = await m.fit(x, real, { epochs: 1, batchSize: 8, learningRate: 1e-12, validationData: [x, real] });
    const e = h.epochs[0];
    const ev = await m.evaluate(x, real);
    const byHand = metricsOf((await m.predict(x)).flat(), { data: Float64Array.from(real.flat()), rows: 40, cols: 1 });
    for (const v of [e.mae!, e.valMae!, ev.mae!]) close(v, byHand.mae, 1e-9);
    for (const v of [e.r2!, e.valR2!, ev.r2!]) close(v, byHand.r2, 1e-9);
    const c = await MLP.create(classifier);
    const hc = await c.fit(x, labels, { epochs: 1 });
    expect([hc.epochs[0].mae, hc.epochs[0].r2, (await c.evaluate(x, labels)).mae]).toEqual([undefined, undefined, undefined]);
  });
});
