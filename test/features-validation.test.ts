// Bad input for the training features on the CPU path, in Node: each is refused with a
// RangeError/TypeError naming the option and the values it takes, and the model is left
// byte-identical (weights, biases, optimizer slots and counters). The WebGPU side is in
// test/features.browser.test.ts.
import { describe, expect, it } from 'vitest';
import { MLP, type ModelConfig, Rng } from '../src';
import { stateBytes } from './cases/state';

const classifier: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu', seed: 2 };
const regressor: ModelConfig = { inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse', backend: 'cpu', seed: 2 };

function data(rows: number, inputs: number) {
  const rng = new Rng(1, 'features');
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.uniform(-2, 2)));
  return { x, real: x.map((r) => [Math.sin(r[0]) + 0.3 * r[1]]) };
}

describe('bad input: a clear error naming the option and the allowed values; the model unchanged', () => {
  const cases: [string, (m: MLP, x: number[][], y: number[]) => Promise<unknown>, RegExp][] = [
    ['patience -1', (m, x, y) => m.fit(x, y, { earlyStopping: { monitor: 'loss', patience: -1 } }), /^earlyStopping\.patience must be an integer in \[0, 1000000\], got -1$/],
    ['earlyStopping not an object', (m, x, y) => m.fit(x, y, { earlyStopping: true as never }), /earlyStopping must be \{monitor\?, patience\?, minDelta\?, restoreBestWeights\?\}, got true/],
    ['unknown earlyStopping field', (m, x, y) => m.fit(x, y, { earlyStopping: { patiense: 2 } as never }), /patiense.*patience/],
    ['unknown monitor', (m, x, y) => m.fit(x, y, { earlyStopping: { monitor: 'val_loss' as never } }), /earlyStopping\.monitor must be one of 'loss', 'valLoss', 'accuracy', 'valAccuracy', 'mae', 'valMae', 'r2', 'valR2', got "val_loss"/],
    ['monitor needing validation data', (m, x, y) => m.fit(x, y, { earlyStopping: { monitor: 'valAccuracy' } }), /earlyStopping\.monitor 'valAccuracy' needs validation data: pass validationData or validationSplit, or monitor 'loss' \/ 'accuracy'/],
    ['default monitor without validation data', (m, x, y) => m.fit(x, y, { earlyStopping: {} }), /earlyStopping\.monitor 'valLoss' needs validation data/],
    ['unknown schedule type', (m, x, y) => m.fit(x, y, { learningRate: { type: 'polynomial', initial: 0.1 } as never }), /learningRate\.type must be one of 'step', 'exponential', 'cosine', 'reduceOnPlateau', got "polynomial"/],
    ['schedule field of another type', (m, x, y) => m.fit(x, y, { learningRate: { type: 'step', initial: 0.1, every: 2, factor: 0.5, decay: 0.9 } as never }), /learningRate\.decay does not apply to a 'step' schedule \(it takes initial, every, factor\)/],
    ['step factor 0', (m, x, y) => m.fit(x, y, { learningRate: { type: 'step', initial: 0.1, every: 2, factor: 0 } }), /learningRate\.factor must be in \(0, 1\], got 0/],
    ['minLearningRate above initial', (m, x, y) => m.fit(x, y, { learningRate: { type: 'cosine', initial: 0.1, minLearningRate: 0.2 } }), /minLearningRate 0\.2 must not exceed learningRate\.initial 0\.1/],
    ['negative warmupSteps', (m, x, y) => m.fit(x, y, { learningRate: { type: 'cosine', initial: 0.1, warmupSteps: -1 } }), /learningRate\.warmupSteps must be an integer in \[0, /],
    ['schedule without initial', (m, x, y) => m.fit(x, y, { learningRate: { type: 'exponential', decay: 0.9 } as never }), /learningRate\.initial must be a finite number > 0, got undefined/],
    ['clipValue -1', (m, x, y) => m.fit(x, y, { clipValue: -1 }), /clipValue must be a finite number > 0, got -1/],
    ['clipNorm NaN', (m, x, y) => m.fit(x, y, { clipNorm: NaN }), /clipNorm must be a finite number > 0, got NaN/],
    ['classWeight class out of range', (m, x, y) => m.fit(x, y, { classWeight: { 3: 2 } }), /classWeight names class "3", but this model's classes are 0\.\.2/],
    ['classWeight NaN', (m, x, y) => m.fit(x, y, { classWeight: [1, NaN] }), /classWeight\[1\] must be a finite number >= 0, got NaN/],
    ['sampleWeight wrong length', (m, x, y) => m.fit(x, y, { sampleWeight: [1, 2] }), /sampleWeight must have one weight per row of x \(12\), got 2/],
    ['sampleWeight negative', (m, x, y) => m.fit(x, y, { sampleWeight: x.map((_, i) => (i === 5 ? -1 : 1)) }), /sampleWeight\[5\] must be a finite number >= 0, got -1/],
    ['sampleWeight not an array', (m, x, y) => m.fit(x, y, { sampleWeight: 'ones' as never }), /sampleWeight must be an array or typed array of 12 weights/],
    ['unknown optimizer field', (m, x, y) => m.fit(x, y, { optimizer: { type: 'adamw', decay: 0.1 } as never }), /decay/],
    ['nesterov on adam', (m, x, y) => m.fit(x, y, { optimizer: { type: 'adam', nesterov: true } as never }), /optimizer\.nesterov does not apply to 'adam'/],
    ['rmsprop rho 1', (m, x, y) => m.fit(x, y, { optimizer: { type: 'rmsprop', rho: 1 } }), /optimizer\.rho must be in \[0, 1\), got 1/],
    ['adamw negative weightDecay', (m, x, y) => m.fit(x, y, { optimizer: { type: 'adamw', weightDecay: -0.1 } }), /optimizer\.weightDecay must be a finite number >= 0, got -0\.1/],
    ['nesterov not a boolean', (m, x, y) => m.fit(x, y, { optimizer: { type: 'momentum', nesterov: 'yes' as never } }), /optimizer\.nesterov must be a boolean/],
  ];
  for (const [name, run, message] of cases) {
    it(name, async () => {
      const m = await MLP.create({ ...classifier, inputSize: 3 });
      const x = Array.from({ length: 12 }, (_, i) => [i / 12, Math.sin(i), 1]);
      const y = x.map((_, i) => i % 3);
      await m.fit(x, y, { epochs: 1, optimizer: 'adam' });
      const before = await stateBytes(m);
      const err = await run(m, x, y).then(() => null, (e: Error) => e);
      expect(err, 'rejected').not.toBeNull();
      expect(err!.constructor === RangeError || err!.constructor === TypeError, `${err!.constructor.name}: ${err!.message}`).toBe(true);
      expect(err!.message).toMatch(message);
      expect(await stateBytes(m)).toBe(before);
    });
  }
  it('classWeight on a regression model', async () => {
    const m = await MLP.create(regressor);
    const { x, real } = data(10, 4);
    const before = await stateBytes(m);
    await expect(m.fit(x, real, { classWeight: { 0: 2 } })).rejects.toThrow(/^classWeight applies to softmax models and one-unit sigmoid models with 'binaryCrossEntropy'; this model's output is 1 'linear' unit with 'mse' \(use sampleWeight\)$/);
    expect(await stateBytes(m)).toBe(before);
  });
  it('dropout 1, dropout on the output layer, a non-number dropout: refused by MLP.create', async () => {
    const base = { inputSize: 3, loss: 'mse' as const, backend: 'cpu' as const };
    await expect(MLP.create({ ...base, layers: [{ units: 4, activation: 'tanh', dropout: 1 }, { units: 1, activation: 'linear' }] })).rejects.toThrow(/^layers\[0\]\.dropout must be in \[0, 1\) \(the probability of dropping each unit while training; 0 = none\), got 1$/);
    await expect(MLP.create({ ...base, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'linear', dropout: 0.5 }] })).rejects.toThrow(/layers\[1\]\.dropout 0\.5 is on the output layer; dropout applies to hidden layers only/);
    await expect(MLP.create({ ...base, layers: [{ units: 4, activation: 'tanh', dropout: '0.5' as never }, { units: 1, activation: 'linear' }] })).rejects.toThrow(TypeError);
  });
});
