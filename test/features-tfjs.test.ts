// The training features against TensorFlow.js where it has the same feature, in Node with the
// tfjs 'cpu' backend (float32), from identical starting weights and the same batches (no
// shuffling): RMSprop, Nesterov momentum, per-epoch exponential and step decay and a per-step
// cosine schedule (set through TF.js callbacks), class weights, early stopping's stopping epoch,
// and the mean absolute error metric. Our CPU path is float64, so the differences printed are
// float32 rounding in TF.js.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FitOptions, MLP, type ModelConfig, Rng } from '../src';
import { cosineRate } from '../src/fit/schedules';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterAll(() => tf.disposeVariables());

const TF_ACTIVATION = {
  tanh: 'tanh', relu: 'relu', sigmoid: 'sigmoid', linear: 'linear', softmax: 'softmax',
  elu: 'elu', selu: 'selu', softplus: 'softplus', silu: 'swish', mish: 'mish', gelu: 'gelu', geluTanh: 'gelu_new',
} as const;
const TF_LOSS = { mse: 'meanSquaredError', categoricalCrossEntropy: 'categoricalCrossentropy', binaryCrossEntropy: 'binaryCrossentropy' } as const;

/** Seeded data: 48 rows of 4 inputs, targets as the loss needs (all 3 classes present for softmax). */
function data(config: ModelConfig, rows = 48) {
  const rng = new Rng(5, 'tfjs cross-check');
  const x = Array.from({ length: rows }, () => Array.from({ length: 4 }, () => Math.fround(rng.uniform(-1.5, 1.5))));
  const k = config.layers.at(-1)!.units;
  const y = x.map((r, i) => {
    if (config.loss === 'categoricalCrossEntropy') return Array.from({ length: k }, (_, j) => (j === (i + (r[0] > 0 ? 1 : 0)) % k ? 1 : 0));
    return Array.from({ length: k }, (_, j) => Math.fround(Math.sin(r[0] + j) * 0.7 + r[1] * r[2] * 0.3));
  });
  return { x, y };
}

/** A TF.js model with the same layers and (float32) starting weights as `model`. */
async function twin(model: MLP, config: ModelConfig): Promise<tf.Sequential> {
  const w = await model.getWeights();
  const t = tf.sequential();
  config.layers.forEach((l, i) => {
    if (l.activation === 'leakyRelu') throw new RangeError(`layer ${i}: this twin has no LeakyReLU layer`);
    t.add(tf.layers.dense({ units: l.units, activation: TF_ACTIVATION[l.activation], inputShape: i === 0 ? [config.inputSize] : undefined }));
  });
  t.setWeights(config.layers.flatMap((_, i) => [tf.tensor2d(w.weights[i]), tf.tensor1d(w.biases[i])]));
  return t;
}

const flatOurs = async (m: MLP) => {
  const w = await m.getWeights();
  return [...w.weights.flatMap((l, i) => [...l.flat(), ...w.biases[i]])];
};
const flatTf = (t: tf.Sequential) => t.getWeights().flatMap((v) => Array.from(v.dataSync()));

interface Outcome {
  maxAbs: number;
  maxRel: number;
  ours: number[];
  theirs: number[];
  oursLoss: number[];
  theirsLoss: number[];
  epochsOurs: number;
  epochsTheirs: number;
  oursMae?: number[];
  theirsMae?: number[];
}

/** Trains ours (CPU, float64) and TF.js (cpu, float32) the same way; returns the weight differences. */
async function crossCheck(
  config: ModelConfig, fit: FitOptions, optimizer: tf.Optimizer, tfFit: Partial<tf.ModelFitArgs> = {}, metrics: string[] = [],
): Promise<Outcome> {
  const model = await MLP.create({ ...config, backend: 'cpu', seed: 13 });
  const { x, y } = data(config);
  const t = await twin(model, config);
  t.compile({ optimizer, loss: TF_LOSS[config.loss as keyof typeof TF_LOSS], metrics });
  const ours = await model.fit(x, y, { ...fit, shuffle: false });
  const hist = await t.fit(tf.tensor2d(x), tf.tensor2d(y), { epochs: fit.epochs, batchSize: fit.batchSize, shuffle: false, verbose: 0, ...tfFit });
  const a = await flatOurs(model);
  const b = flatTf(t);
  let maxAbs = 0;
  let maxRel = 0;
  a.forEach((v, i) => {
    const d = Math.abs(v - b[i]);
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(1e-3, Math.abs(v)));
  });
  return {
    maxAbs, maxRel, ours: a, theirs: b,
    oursLoss: ours.epochs.map((e) => e.loss), theirsLoss: hist.history.loss as number[],
    epochsOurs: ours.epochs.length, epochsTheirs: hist.epoch.length,
    oursMae: ours.epochs.map((e) => e.mae!), theirsMae: hist.history.mae as number[] | undefined,
  };
}

const softmaxNet: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy' };
const regressionNet: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'linear' }], loss: 'mse' };

function report(name: string, o: Outcome): void {
  const lossDiff = Math.max(...o.oursLoss.map((l, i) => Math.abs(l - o.theirsLoss[i])));
  console.log(`${name}: ${o.ours.length} parameters after ${o.epochsOurs} epochs, max |Δw| ours vs TF.js = ${o.maxAbs.toExponential(2)} (max relative ${o.maxRel.toExponential(2)}); max |Δ epoch loss| = ${lossDiff.toExponential(2)}`);
}

describe('optimizers against TensorFlow.js', () => {
  it('RMSprop (ρ 0.9, momentum 0.5, ε 1e-7) = tf.train.rmsprop, 10 epochs of 6 batches', async () => {
    const o = await crossCheck(regressionNet, { epochs: 10, batchSize: 8, learningRate: 0.01, optimizer: { type: 'rmsprop', rho: 0.9, momentum: 0.5, epsilon: 1e-7 } }, tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7));
    report('RMSprop', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
    o.oursLoss.forEach((l, i) => expect(Math.abs(l - o.theirsLoss[i])).toBeLessThan(1e-5 * Math.max(1, l)));
  });

  it('RMSprop without momentum on a softmax model', async () => {
    const o = await crossCheck(softmaxNet, { epochs: 8, batchSize: 12, learningRate: 0.005, optimizer: 'rmsprop' }, tf.train.rmsprop(0.005, 0.9, 0, 1e-7));
    report('RMSprop (defaults)', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
  });

  it('Nesterov momentum (μ 0.9) = tf.train.momentum(η, 0.9, true)', async () => {
    const o = await crossCheck(softmaxNet, { epochs: 10, batchSize: 8, learningRate: 0.05, optimizer: { type: 'momentum', momentum: 0.9, nesterov: true } }, tf.train.momentum(0.05, 0.9, true));
    report('Nesterov momentum', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
    // and it is not plain momentum
    const plain = await crossCheck(softmaxNet, { epochs: 10, batchSize: 8, learningRate: 0.05, optimizer: { type: 'momentum', momentum: 0.9 } }, tf.train.momentum(0.05, 0.9, true));
    expect(plain.maxAbs).toBeGreaterThan(100 * o.maxAbs);
  });
});

describe('learning-rate schedules against TensorFlow.js (rates set through its callbacks)', () => {
  it('exponential decay 0.8 per epoch (sgd)', async () => {
    const opt = tf.train.sgd(0.3);
    const o = await crossCheck(softmaxNet, { epochs: 8, batchSize: 8, learningRate: { type: 'exponential', initial: 0.3, decay: 0.8 } }, opt, {
      callbacks: { onEpochBegin: async (epoch: number) => opt.setLearningRate(0.3 * 0.8 ** epoch) },
    });
    report('exponential decay', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
  });

  it('step decay (×0.5 every 3 epochs, momentum)', async () => {
    const opt = tf.train.momentum(0.1, 0.9);
    const o = await crossCheck(regressionNet, { epochs: 9, batchSize: 8, learningRate: { type: 'step', initial: 0.1, every: 3, factor: 0.5 }, optimizer: 'momentum' }, opt, {
      callbacks: { onEpochBegin: async (epoch: number) => opt.setLearningRate(0.1 * 0.5 ** Math.floor(epoch / 3)) },
    });
    report('step decay', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
  });

  it('cosine with 4 warmup steps, per step (sgd)', async () => {
    const opt = tf.train.sgd(0.2);
    const schedule = { type: 'cosine' as const, initial: 0.2, warmupSteps: 4, minLearningRate: 0.01 };
    let step = 0;
    const o = await crossCheck(softmaxNet, { epochs: 6, batchSize: 8, learningRate: schedule }, opt, {
      callbacks: { onBatchBegin: async () => opt.setLearningRate(cosineRate(schedule, step++, 36)) },
    });
    report('cosine with warmup', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
  });
});

describe('class weights, early stopping and MAE against TensorFlow.js', () => {
  it('classWeight {0: 1, 1: 4, 2: 0.5} on a softmax model = TF.js fit classWeight', async () => {
    const classWeight = { 0: 1, 1: 4, 2: 0.5 };
    const o = await crossCheck(softmaxNet, { epochs: 8, batchSize: 8, learningRate: 0.1, classWeight }, tf.train.sgd(0.1), { classWeight });
    report('classWeight', o);
    expect(o.maxAbs).toBeLessThan(2e-5);
    o.oursLoss.forEach((l, i) => expect(Math.abs(l - o.theirsLoss[i])).toBeLessThan(1e-5 * Math.max(1, l)));
  });

  it('early stopping on valLoss (patience 2) stops at the same epoch as tf.callbacks.earlyStopping', async () => {
    const { x, y } = data(softmaxNet, 64);
    const val: [number[][], number[][]] = [x.slice(48), y.slice(48)];
    const fit: FitOptions = { epochs: 200, batchSize: 8, learningRate: 0.3, validationData: val, earlyStopping: { monitor: 'valLoss', patience: 2 } };
    const model = await MLP.create({ ...softmaxNet, backend: 'cpu', seed: 13 });
    const t = await twin(model, softmaxNet);
    t.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy' });
    const ours = await model.fit(x.slice(0, 48), y.slice(0, 48), { ...fit, shuffle: false });
    const theirs = await t.fit(tf.tensor2d(x.slice(0, 48)), tf.tensor2d(y.slice(0, 48)), {
      epochs: 200, batchSize: 8, shuffle: false, verbose: 0, validationData: [tf.tensor2d(val[0]), tf.tensor2d(val[1])],
      callbacks: [tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 })],
    });
    const valTheirs = theirs.history.val_loss as number[];
    const best = valTheirs.indexOf(Math.min(...valTheirs)) + 1;
    console.log(`early stopping: ours stopped after ${ours.epochs.length} epochs (best ${ours.bestEpoch}, ${ours.stopReason}), TF.js after ${theirs.epoch.length} (best ${best}); max |Δ valLoss| ${Math.max(...ours.epochs.map((e, i) => Math.abs(e.valLoss! - valTheirs[i]))).toExponential(2)}`);
    expect(ours.stopReason).toBe('earlyStopping');
    expect(ours.epochs.length).toBe(theirs.epoch.length);
    expect(ours.bestEpoch).toBe(best);
    expect(ours.epochs.length).toBeLessThan(200);
  });

  it('mae per epoch (batch-wise, before each update) = TF.js metrics: ["mae"]', async () => {
    const o = await crossCheck(regressionNet, { epochs: 5, batchSize: 8, learningRate: 0.05 }, tf.train.sgd(0.05), {}, ['mae']);
    const d = Math.max(...o.oursMae!.map((m, i) => Math.abs(m - o.theirsMae![i])));
    console.log(`mae: ours ${o.oursMae!.map((m) => m.toFixed(6)).join(', ')}; TF.js ${o.theirsMae!.map((m) => m.toFixed(6)).join(', ')}; max |Δ| ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-5);
  });
});
