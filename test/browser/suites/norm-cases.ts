// Layer normalization (issue 24) in the parity matrices: norm on odd widths, beside the z-reading
// activations, a residual block, dropout, L1/L2 and each optimizer family; one layer of one unit
// (its variance is 0, so it outputs β and passes no gradient to z).
import type { ParityCase } from './trainer';

export const NORM_PARITY_CASES: ParityCase[] = [
  {
    name: "norm 'layer': 5-7n-9n-3, tanh then gelu (ε 1e-3), softmax, categorical cross-entropy, adam",
    config: { inputSize: 5, layers: [{ units: 7, activation: 'tanh', norm: 'layer' }, { units: 9, activation: 'gelu', norm: 'layer', normEpsilon: 1e-3 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 51 },
    rows: 29, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 2, 8],
  },
  {
    name: "norm 'layer' on a residual block with dropout: 5-6n-6nr-2, relu/silu, mse, momentum, L2 and L1",
    config: { inputSize: 5, layers: [{ units: 6, activation: 'relu', norm: 'layer' }, { units: 6, activation: 'silu', norm: 'layer', residual: true, dropout: 0.25 }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 52, l2: 0.05, l1: 0.01 },
    rows: 31, fit: { batchSize: 10, learningRate: 0.02, optimizer: 'momentum' }, checkpoints: [1, 3, 12],
  },
  {
    name: "norm 'layer' on a one-unit layer and per-sample steps: 3-1n-4n-1, sigmoid, binary cross-entropy, sgd",
    config: { inputSize: 3, layers: [{ units: 1, activation: 'sigmoid', norm: 'layer' }, { units: 4, activation: 'sigmoid', norm: 'layer' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 53 },
    rows: 9, fit: { batchSize: 1, learningRate: 0.1 }, checkpoints: [1, 9],
  },
];
