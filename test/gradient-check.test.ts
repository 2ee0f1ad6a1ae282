// Backpropagation against central differences (tutorial 003) for every activation × loss pair,
// with and without L2.
import { describe, expect, it } from 'vitest';
import { type Activation, type LossName, type ModelConfig, MLP, Rng, gradientCheck } from '../src';

const pairs: { loss: LossName; outputs: Activation[] }[] = [
  { loss: 'sse', outputs: ['sigmoid', 'tanh', 'relu', 'linear', 'softmax'] },
  { loss: 'mse', outputs: ['sigmoid', 'tanh', 'relu', 'linear', 'softmax'] },
  { loss: 'binaryCrossEntropy', outputs: ['sigmoid'] },
  { loss: 'categoricalCrossEntropy', outputs: ['softmax'] },
];
const hidden: Activation[] = ['sigmoid', 'tanh', 'relu', 'linear'];

function data(rng: Rng, rows: number, inputs: number, outputs: number, loss: LossName) {
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => rng.uniform(-2, 2)));
  const y = Array.from({ length: rows }, () => {
    if (loss === 'categoricalCrossEntropy') {
      const row = new Array(outputs).fill(0);
      row[rng.int(outputs)] = 1;
      return row;
    }
    return Array.from({ length: outputs }, () => (loss === 'binaryCrossEntropy' ? rng.next() : rng.uniform(-1, 1)));
  });
  return { x, y };
}

describe('gradientCheck: backprop vs central differences (ε = 1e-4), relative difference < 1e-7', () => {
  for (const { loss, outputs } of pairs) {
    for (const out of outputs) {
      for (const act of hidden) {
        for (const l2 of [0, 0.7]) {
          it(`${act} hidden → ${out} output, ${loss}, λ = ${l2}`, async () => {
            const rng = new Rng(11, `${loss}/${out}/${act}/${l2}`);
            const config: ModelConfig = {
              inputSize: 3,
              layers: [
                { units: 4, activation: act },
                { units: 3, activation: act },
                { units: 3, activation: out },
              ],
              loss,
              l2,
              seed: 5,
              initializer: { type: 'normal', scale: 0.8 },
              backend: 'cpu',
            };
            const model = await MLP.create(config);
            const weights = await model.getWeights();
            // non-zero biases so their gradients are exercised too
            weights.biases = weights.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
            const { x, y } = data(rng, 5, 3, 3, loss);
            const r = gradientCheck({ config, weights }, x, y);
            expect(r.parameters).toBe(4 * 4 + 5 * 3 + 4 * 3);
            expect(r.relativeDifference, JSON.stringify(r)).toBeLessThan(1e-7);
            expect(r.maxAbsoluteDifference, JSON.stringify(r)).toBeLessThan(1e-7);
          });
        }
      }
    }
  }

  // The newer activations, each once as the hidden activation and once as a regression output
  // (leakyRelu also with a negative slope, whose f' reads z), with L2 on.
  const modern: { activation: Activation; alpha?: number }[] = [
    { activation: 'leakyRelu' }, { activation: 'leakyRelu', alpha: -0.3 }, { activation: 'elu', alpha: 0.7 }, { activation: 'selu' },
    { activation: 'gelu' }, { activation: 'geluTanh' }, { activation: 'silu' }, { activation: 'softplus' }, { activation: 'mish' },
  ];
  for (const spec of modern) {
    for (const place of ['hidden', 'output'] as const) {
      it(`${spec.activation}${spec.alpha === undefined ? '' : ` α = ${spec.alpha}`} as the ${place} activation, mse, λ = 0.3`, async () => {
        const rng = new Rng(17, `${spec.activation}/${spec.alpha}/${place}`);
        const layer = (units: number) => ({ units, ...spec });
        const config: ModelConfig = {
          inputSize: 3,
          layers: place === 'hidden' ? [layer(5), layer(4), { units: 2, activation: 'linear' }] : [{ units: 5, activation: 'tanh' }, layer(3)],
          loss: 'mse', l2: 0.3, seed: 7, initializer: { type: 'normal', scale: 0.6 }, backend: 'cpu',
        };
        const model = await MLP.create(config);
        const weights = await model.getWeights();
        weights.biases = weights.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
        const { x, y } = data(rng, 7, 3, config.layers.at(-1)!.units, 'mse');
        const r = gradientCheck({ config, weights }, x, y);
        expect(r.relativeDifference, JSON.stringify({ layers: config.layers, r })).toBeLessThan(1e-7);
        expect(r.maxAbsoluteDifference, JSON.stringify({ layers: config.layers, r })).toBeLessThan(1e-7);
      });
    }
  }
});
