// Parity matrix: every hidden activation, loss, optimizer and batching mode appears at least once.
import type { Activation } from '../../../src/core/types';
import type { ParityCase } from './trainer';

const layers = (hidden: 'sigmoid' | 'tanh' | 'relu' | 'linear', out: 'sigmoid' | 'tanh' | 'relu' | 'linear' | 'softmax', outUnits = 3) => [
  { units: 6, activation: hidden },
  { units: 5, activation: hidden },
  { units: outUnits, activation: out },
];

export const parityCases: ParityCase[] = [
  // batching modes (sgd): full batch, mini-batch that does not divide the data, per-sample
  { name: 'full batch, sigmoid/sigmoid, mse, sgd', config: { inputSize: 5, layers: layers('sigmoid', 'sigmoid'), loss: 'mse', seed: 1 }, rows: 43, fit: { batchSize: 43, learningRate: 0.5 }, checkpoints: [1, 10, 100] },
  { name: 'mini-batch 8 of 43, tanh/linear, sse, sgd', config: { inputSize: 5, layers: layers('tanh', 'linear'), loss: 'sse', seed: 2 }, rows: 43, fit: { batchSize: 8, learningRate: 0.05 }, checkpoints: [1, 2, 17] },
  { name: 'per-sample (batch 1), relu/softmax, categorical cross-entropy, sgd', config: { inputSize: 5, layers: layers('relu', 'softmax'), loss: 'categoricalCrossEntropy', seed: 3 }, rows: 10, fit: { batchSize: 1, learningRate: 0.05 }, checkpoints: [1, 10] },
  // optimizers
  { name: 'momentum, sigmoid/sigmoid, binary cross-entropy, mini-batch', config: { inputSize: 5, layers: layers('sigmoid', 'sigmoid', 1), loss: 'binaryCrossEntropy', seed: 4 }, rows: 40, fit: { batchSize: 10, learningRate: 0.1, optimizer: 'momentum' }, checkpoints: [1, 3, 25] },
  { name: 'adam, tanh/softmax, categorical cross-entropy, mini-batch', config: { inputSize: 5, layers: layers('tanh', 'softmax'), loss: 'categoricalCrossEntropy', seed: 5 }, rows: 40, fit: { batchSize: 10, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 3, 25] },
  { name: 'adam, relu/linear, mse, full batch, L2', config: { inputSize: 5, layers: layers('relu', 'linear'), loss: 'mse', seed: 6, l2: 0.3 }, rows: 30, fit: { batchSize: 30, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 10, 100] },
  // remaining activation/loss pairings
  { name: 'linear hidden, softmax output under sse, sgd', config: { inputSize: 5, layers: layers('linear', 'softmax'), loss: 'sse', seed: 7 }, rows: 30, fit: { batchSize: 6, learningRate: 0.1 }, checkpoints: [1, 2, 20] },
  { name: 'relu output, mse, momentum, no bias', config: { inputSize: 5, layers: layers('tanh', 'relu'), loss: 'mse', seed: 8, useBias: false }, rows: 30, fit: { batchSize: 5, learningRate: 0.02, optimizer: 'momentum' }, checkpoints: [1, 2, 17] },
  { name: 'tanh output, sse, sgd, frozen biases, L2', config: { inputSize: 5, layers: layers('sigmoid', 'tanh'), loss: 'sse', seed: 9, freezeBias: true, l2: 0.1 }, rows: 30, fit: { batchSize: 30, learningRate: 0.2 }, checkpoints: [1, 10, 100] },
];

// training features (issue 14): optimizers, schedules, clipping, dropout, class and sample weights
const weights43 = Array.from({ length: 43 }, (_, i) => 0.25 + (i % 4) * 0.5);
parityCases.push(
  { name: 'rmsprop with momentum, tanh/linear, mse, mini-batch', config: { inputSize: 5, layers: layers('tanh', 'linear'), loss: 'mse', seed: 21 }, rows: 40, fit: { batchSize: 10, learningRate: 0.01, optimizer: { type: 'rmsprop', rho: 0.9, momentum: 0.5 } }, checkpoints: [1, 3, 25] },
  { name: 'adamw (weight decay 0.05, biases not decayed), relu/softmax, categorical cross-entropy', config: { inputSize: 5, layers: layers('relu', 'softmax'), loss: 'categoricalCrossEntropy', seed: 22 }, rows: 40, fit: { batchSize: 8, learningRate: 0.01, optimizer: { type: 'adamw', weightDecay: 0.05 } }, checkpoints: [1, 3, 20] },
  { name: 'nesterov momentum, sigmoid/sigmoid, binary cross-entropy', config: { inputSize: 5, layers: layers('sigmoid', 'sigmoid', 1), loss: 'binaryCrossEntropy', seed: 23 }, rows: 40, fit: { batchSize: 10, learningRate: 0.1, optimizer: { type: 'momentum', momentum: 0.9, nesterov: true } }, checkpoints: [1, 3, 25] },
  { name: 'clipNorm 0.05 and clipValue 0.02, sgd, tanh/linear, sse, L2', config: { inputSize: 5, layers: layers('tanh', 'linear'), loss: 'sse', seed: 24, l2: 0.1 }, rows: 43, fit: { batchSize: 8, learningRate: 0.5, clipNorm: 0.05, clipValue: 0.02 }, checkpoints: [1, 2, 17] },
  { name: 'cosine schedule with warmup, adam, tanh/softmax', config: { inputSize: 5, layers: layers('tanh', 'softmax'), loss: 'categoricalCrossEntropy', seed: 25 }, rows: 40, fit: { batchSize: 10, learningRate: { type: 'cosine', initial: 0.02, warmupSteps: 6, minLearningRate: 0.001 }, optimizer: 'adam' }, checkpoints: [1, 3, 25] },
  { name: 'exponential schedule, momentum, sigmoid/sigmoid, mse', config: { inputSize: 5, layers: layers('sigmoid', 'sigmoid'), loss: 'mse', seed: 26 }, rows: 40, fit: { batchSize: 10, learningRate: { type: 'exponential', initial: 0.5, decay: 0.8 }, optimizer: 'momentum' }, checkpoints: [1, 3, 25] },
  { name: 'step schedule, sgd, relu/linear, sse', config: { inputSize: 5, layers: layers('relu', 'linear'), loss: 'sse', seed: 27 }, rows: 30, fit: { batchSize: 6, learningRate: { type: 'step', initial: 0.05, every: 2, factor: 0.5 } }, checkpoints: [1, 3, 10] },
  { name: 'dropout 0.5 and 0.2 on the hidden layers, sigmoid/softmax, sgd', config: { inputSize: 5, layers: [{ units: 6, activation: 'sigmoid', dropout: 0.5 }, { units: 5, activation: 'sigmoid', dropout: 0.2 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 28 }, rows: 40, fit: { batchSize: 10, learningRate: 0.5 }, checkpoints: [1, 3, 25] },
  { name: 'dropout 0.3, tanh/linear, mse, adam', config: { inputSize: 5, layers: [{ units: 6, activation: 'tanh', dropout: 0.3 }, { units: 5, activation: 'relu' }, { units: 3, activation: 'linear' }], loss: 'mse', seed: 29 }, rows: 43, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 2, 17] },
  { name: 'classWeight {0: 0.5, 2: 3}, relu/softmax, categorical cross-entropy, momentum', config: { inputSize: 5, layers: layers('relu', 'softmax'), loss: 'categoricalCrossEntropy', seed: 30 }, rows: 40, fit: { batchSize: 10, learningRate: 0.05, optimizer: 'momentum', classWeight: { 0: 0.5, 2: 3 } }, checkpoints: [1, 3, 25] },
  { name: 'classWeight [1, 4] on a sigmoid-binary model, sgd', config: { inputSize: 5, layers: layers('tanh', 'sigmoid', 1), loss: 'binaryCrossEntropy', seed: 31 }, rows: 40, fit: { batchSize: 8, learningRate: 0.2, classWeight: [1, 4] }, checkpoints: [1, 3, 20] },
  { name: 'sampleWeight, tanh/linear, sse, sgd, mini-batch', config: { inputSize: 5, layers: layers('tanh', 'linear'), loss: 'sse', seed: 32 }, rows: 43, fit: { batchSize: 8, learningRate: 0.05, sampleWeight: weights43 }, checkpoints: [1, 2, 17] },
);

// residual blocks (issue 24): the skip in forward and backward, on the first layer (input as wide),
// two in a row, with dropout before the add, and next to plain layers
parityCases.push(
  { name: 'residual: 5-5r-5r-7-3, tanh/relu/softmax, dropout 0.3 on a residual layer, adam', config: { inputSize: 5, layers: [{ units: 5, activation: 'tanh', residual: true }, { units: 5, activation: 'relu', residual: true, dropout: 0.3 }, { units: 7, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 41 }, rows: 37, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 2, 12] },
  { name: 'residual: 5-6-6r-6r-2, sigmoid/linear hidden, linear output, mse, momentum, L2', config: { inputSize: 5, layers: [{ units: 6, activation: 'sigmoid' }, { units: 6, activation: 'linear', residual: true }, { units: 6, activation: 'sigmoid', residual: true }, { units: 2, activation: 'linear' }], loss: 'mse', seed: 42, l2: 0.05 }, rows: 31, fit: { batchSize: 10, learningRate: 0.02, optimizer: 'momentum' }, checkpoints: [1, 3, 15] },
);

// residual blocks whose f' reads z (gelu, silu): the skip's gradient meets f'(z); with Huber and L1
parityCases.push(
  { name: 'residual with gelu and silu: 5-6-6r-6r-3, dropout 0.2 on a residual layer, huber, L1, adam', config: { inputSize: 5, layers: [{ units: 6, activation: 'gelu' }, { units: 6, activation: 'gelu', residual: true, dropout: 0.2 }, { units: 6, activation: 'silu', residual: true }, { units: 3, activation: 'linear' }], loss: 'huber', l1: 0.01, seed: 43 }, rows: 29, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 2, 10] },
);

// regularization and losses (issue 24): L1 beside L2, the Huber loss on an element-wise and a softmax output
parityCases.push(
  { name: 'huber (δ 0.5), L1 0.02 and L2 0.05, tanh/linear, adam, mini-batch', config: { inputSize: 5, layers: layers('tanh', 'linear'), loss: 'huber', huberDelta: 0.5, l1: 0.02, l2: 0.05, seed: 41 }, rows: 37, fit: { batchSize: 8, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 4] },
  { name: 'huber (δ 1), L1 0.05, relu/softmax, sgd, clipNorm 0.5', config: { inputSize: 5, layers: layers('relu', 'softmax'), loss: 'huber', l1: 0.05, seed: 42 }, rows: 30, fit: { batchSize: 10, learningRate: 0.3, clipNorm: 0.5 }, checkpoints: [1, 4] },
);
// the newer activations: one network each, hidden (with dropout) and output, and a 1-2-1 whose
// first layer sees z up to ±80 (weights ±40 on inputs in [−2, 2])
const MODERN: { activation: Activation; alpha?: number }[] = [
  { activation: 'leakyRelu' }, { activation: 'leakyRelu', alpha: -0.2 }, { activation: 'elu', alpha: 0.5 }, { activation: 'selu' },
  { activation: 'gelu' }, { activation: 'geluTanh' }, { activation: 'silu' }, { activation: 'softplus' }, { activation: 'mish' },
];
for (const spec of MODERN) {
  const label = `${spec.activation}${spec.alpha === undefined ? '' : ` α ${spec.alpha}`}`;
  parityCases.push(
    {
      name: `${label} hidden (dropout 0.25) and output, 5-7-6-3, mse, adam`,
      config: { inputSize: 5, layers: [{ units: 7, ...spec }, { units: 6, ...spec, dropout: 0.25 }, { units: 3, ...spec }], loss: 'mse', seed: 40 },
      rows: 23, fit: { batchSize: 7, learningRate: 0.01, optimizer: 'adam' }, checkpoints: [1, 3],
    },
    {
      name: `${label} at z up to ±80, 1-2-1, mse, sgd`,
      config: { inputSize: 1, layers: [{ units: 2, ...spec }, { units: 1, ...spec }], loss: 'mse', seed: 41, useBias: false, weights: [[[40, -40]], [[0.5], [-0.25]]] },
      rows: 9, fit: { batchSize: 9, learningRate: 1e-4 }, checkpoints: [1, 2],
    },
  );
}
