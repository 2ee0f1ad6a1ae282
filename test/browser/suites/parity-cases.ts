// Parity matrix: every hidden activation, loss, optimizer and batching mode appears at least once.
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
