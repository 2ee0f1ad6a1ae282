// Backpropagation against central differences (tutorial 003) for every activation × loss pair,
// with and without L2; the Huber loss on every output with L1 (alone and beside L2).
import { describe, expect, it } from 'vitest';
import { type Activation, type LossName, type ModelConfig, MLP, Rng, gradientCheck, traceStep } from '../src';

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

  // Huber's δ = 0.5 puts errors on both sides of the kink (targets in [−1, 1]); seeded weights
  // are never within ε of 0, where L1's subgradient jumps.
  const huberOutputs: Activation[] = ['sigmoid', 'tanh', 'relu', 'linear', 'softmax'];
  for (const out of huberOutputs) {
    for (const act of ['tanh', 'relu'] as const) {
      for (const [l1, l2] of [[0, 0], [0.3, 0], [0.3, 0.7]]) {
        it(`${act} hidden → ${out} output, huber (δ = 0.5), λ₁ = ${l1}, λ = ${l2}`, async () => {
          const rng = new Rng(12, `huber/${out}/${act}/${l1}/${l2}`);
          const config: ModelConfig = {
            inputSize: 3, layers: [{ units: 4, activation: act }, { units: 5, activation: act }, { units: 3, activation: out }],
            loss: 'huber', huberDelta: 0.5, l1, l2, seed: 6, initializer: { type: 'normal', scale: 0.8 }, backend: 'cpu',
          };
          const weights = await (await MLP.create(config)).getWeights();
          weights.biases = weights.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
          const { x, y } = data(rng, 7, 3, 3, 'huber');
          const r = gradientCheck({ config, weights }, x, y);
          expect(r.parameters, `3-4-5-3 ${act}/${out}`).toBe(4 * 4 + 5 * 5 + 6 * 3);
          expect(r.relativeDifference, `3-4-5-3 ${act}/${out}: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
          expect(r.maxAbsoluteDifference, `3-4-5-3 ${act}/${out}: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
        });
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

describe('gradientCheck with a fixed dropout mask and sample weights (3 → 5 → 4 → 3, 7 rows)', () => {
  const shape = 'shape 3 → 5 → 4 → 3, 7 rows';
  const configOf = (act: Activation, loss: LossName, out: Activation): ModelConfig => ({
    inputSize: 3,
    layers: [
      { units: 5, activation: act, dropout: 0.4 },
      { units: 4, activation: act, dropout: 0.25 },
      { units: 3, activation: out },
    ],
    loss,
    l2: 0.3,
    seed: 9,
    // smaller than above: dropout's 1/(1 − p) scaling pushed a linear net's softmax below the
    // cross-entropy clamp (LOG_EPS = 1e-7), where the loss is flat and central differences read 0
    initializer: { type: 'normal', scale: 0.5 },
    backend: 'cpu',
  });
  const setup = async (config: ModelConfig, tag: string) => {
    const rng = new Rng(17, tag);
    const weights = await (await MLP.create(config)).getWeights();
    weights.biases = weights.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
    const { x, y } = data(rng, 7, 3, 3, config.loss);
    return { weights, x, y, sampleWeight: Array.from({ length: 7 }, () => rng.uniform(0, 2)) };
  };

  for (const act of hidden) {
    for (const [loss, out] of [['categoricalCrossEntropy', 'softmax'], ['mse', 'linear']] as [LossName, Activation][]) {
      it(`${act} hidden → ${out}, ${loss}: gradient with the mask, with the weights, and with both`, async () => {
        const config = configOf(act, loss, out);
        const { weights, x, y, sampleWeight } = await setup(config, `${act}/${loss}`);
        for (const options of [{ dropout: { seed: 9, epoch: 2, batch: 1 } }, { sampleWeight }, { dropout: { seed: 9 }, sampleWeight }]) {
          const r = gradientCheck({ config, weights }, x, y, options);
          expect(r.relativeDifference, `${shape}, ${Object.keys(options)}: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
          expect(r.maxAbsoluteDifference, `${shape}, ${Object.keys(options)}: ${JSON.stringify(r)}`).toBeLessThan(1e-7);
        }
      });
    }
  }

  it('forward: the checked objective is the traced one, which the mask and the weights change', async () => {
    const config = configOf('tanh', 'categoricalCrossEntropy', 'softmax');
    const { weights, x, y, sampleWeight } = await setup(config, 'objective');
    const masked = traceStep(config, weights, x, y, 0.1, { dropout: { seed: 9 }, sampleWeight });
    const plain = traceStep(config, weights, x, y, 0.1);
    expect(Math.abs(masked.loss - plain.loss), shape).toBeGreaterThan(1e-3);
    // weights 0/1: the weighted objective is the kept rows' summed loss over all 7 rows (+ L2)
    const keep = [1, 0, 1, 1, 0, 1, 0];
    const kept = traceStep(config, weights, x.filter((_, r) => keep[r]), y.filter((_, r) => keep[r]), 0.1);
    const zeroOne = traceStep(config, weights, x, y, 0.1, { sampleWeight: keep });
    const l2Term = (rows: number) => (0.3 / (2 * rows)) * weights.weights.flat(2).reduce((s, w) => s + w * w, 0);
    expect(zeroOne.loss - l2Term(7), shape).toBeCloseTo(((kept.loss - l2Term(4)) * 4) / 7, 12);
  });

  it('names bad options', async () => {
    const config = configOf('tanh', 'mse', 'linear');
    const { weights, x, y } = await setup(config, 'bad');
    expect(() => gradientCheck({ config, weights }, x, y, { sampleWeight: [1] })).toThrow(/gradientCheck options.sampleWeight must have one weight per row of x \(7\), got 1/);
    expect(() => gradientCheck({ config, weights }, x, y, { dropout: { seed: 1.5 } })).toThrow(/gradientCheck options.dropout.seed must be an integer/);
    expect(() => gradientCheck({ config, weights }, x, y, { dropout: { seed: 1, step: 2 } as never })).toThrow(/step/);
  });
});
