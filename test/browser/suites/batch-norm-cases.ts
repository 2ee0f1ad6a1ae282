// Batch normalization (issue 24) in the parity matrices: norm 'batch' on odd widths and short last
// batches, beside a z-reading activation, a residual block with dropout, L1/L2 and each optimizer
// family; one layer of one unit. Each backend's matrix compares γ, β and the running mean and
// variance with the weights, and predictions (which use the running estimates).
import type { ParityCase } from './trainer';

export const BATCH_NORM_PARITY_CASES: ParityCase[] = [
  {
    name: "norm 'batch': 5-7b-9b-3, tanh then gelu (ε 1e-3, momentum 0.3), softmax, categorical cross-entropy, adam, last batch of 5",
    config: { inputSize: 5, layers: [{ units: 7, activation: 'tanh', norm: 'batch' }, { units: 9, activation: 'gelu', norm: 'batch', normEpsilon: 1e-3, normMomentum: 0.3 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 61 },
    rows: 29, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 2, 8],
  },
  {
    name: "norm 'batch' on a residual block with dropout: 5-6b-6br-2, relu/silu, mse, momentum, L2 and L1",
    config: { inputSize: 5, layers: [{ units: 6, activation: 'relu', norm: 'batch' }, { units: 6, activation: 'silu', norm: 'batch', residual: true, dropout: 0.25 }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 62, l2: 0.05, l1: 0.01 },
    rows: 32, fit: { batchSize: 10, learningRate: 0.02, optimizer: 'momentum' }, checkpoints: [1, 3, 12],
  },
  {
    name: "norm 'batch' on a one-unit layer: 3-1b-4b-1, sigmoid, binary cross-entropy, sgd, batches of 3",
    config: { inputSize: 3, layers: [{ units: 1, activation: 'sigmoid', norm: 'batch' }, { units: 4, activation: 'sigmoid', norm: 'batch' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 63 },
    rows: 9, fit: { batchSize: 3, learningRate: 0.1 }, checkpoints: [1, 9],
  },
];
