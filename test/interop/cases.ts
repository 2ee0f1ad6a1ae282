// The architectures and data the interop tests use (browser-safe: no Node imports).
import { type ModelConfig, Rng, type Targets } from '../../src';

/** `rows` seeded rows of `cols` numbers in [-2, 2]. */
export function seededRows(seed: number, rows: number, cols: number): number[][] {
  const rng = new Rng(seed, 'interop-data');
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(-2, 2)));
}

/** The architectures every format is checked on: every activation, with and without biases. */
export const architectures: { name: string; config: ModelConfig }[] = [
  {
    name: '3-8 tanh-6 relu-4 sigmoid-3 softmax, cross-entropy, l2',
    config: {
      inputSize: 3, loss: 'categoricalCrossEntropy', l2: 0.001, seed: 11,
      layers: [{ units: 8, activation: 'tanh' }, { units: 6, activation: 'relu' }, { units: 4, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }],
    },
  },
  {
    name: '4-5 linear-5 relu-2 linear, MSE, no biases',
    config: { inputSize: 4, loss: 'mse', useBias: false, seed: 3, layers: [{ units: 5, activation: 'linear' }, { units: 5, activation: 'relu' }, { units: 2, activation: 'linear' }] },
  },
  {
    name: '2-6 sigmoid-1 sigmoid, binary cross-entropy',
    config: { inputSize: 2, loss: 'binaryCrossEntropy', seed: 5, layers: [{ units: 6, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }] },
  },
  {
    name: '3-6 leakyRelu α 0.2-6 elu-5 selu-5 gelu-4 geluTanh-4 silu-4 softplus-2 mish, MSE',
    config: {
      inputSize: 3, loss: 'mse', seed: 13,
      layers: [
        { units: 6, activation: 'leakyRelu', alpha: 0.2 }, { units: 6, activation: 'elu' }, { units: 5, activation: 'selu' },
        { units: 5, activation: 'gelu' }, { units: 4, activation: 'geluTanh' }, { units: 4, activation: 'silu' }, { units: 4, activation: 'softplus' }, { units: 2, activation: 'mish' },
      ],
    },
  },
];


/** 48 seeded rows for `config` and targets its output layer can fit (class indices, 0/1, or smooth values). */
export function trainingData(config: ModelConfig): { x: number[][]; y: Targets } {
  const x = seededRows(config.seed ?? 1, 48, config.inputSize);
  const out = config.layers[config.layers.length - 1];
  if (out.activation === 'softmax') return { x, y: x.map((_, i) => i % out.units) };
  const y = x.map((row) => Array.from({ length: out.units }, (_, k) => (out.activation === 'sigmoid' ? Number(row[k % row.length] > 0) : Math.sin(row[0] + k))));
  return { x, y };
}
