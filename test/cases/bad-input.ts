// Table of bad inputs: each must throw an error whose message matches, and leave the model's
// weights exactly as they were. Shared by the Node (CPU) test and the browser (WebGPU) test.
import type { MLP as MLPClass, ModelConfig } from '../../src';

type MLPStatic = typeof MLPClass;
export interface BadInputCase {
  name: string;
  /** Runs the bad call against `model` (a fresh 2-3-2 softmax model) or the MLP class. */
  run: (model: MLPClass, MLP: MLPStatic, backend: 'cpu' | 'webgpu') => Promise<unknown>;
  message: RegExp;
  /** The case legitimately changes or frees the model (dispose, the first of two fits). */
  altersModel?: boolean;
}

export const baseConfig = (backend: 'cpu' | 'webgpu'): ModelConfig => ({
  inputSize: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  loss: 'categoricalCrossEntropy',
  seed: 4,
  backend,
});
const X = [[0, 1], [1, 0], [1, 1]];
const Y = [0, 1, 1];

export const badInputCases: BadInputCase[] = [
  { name: 'x with the wrong column count', run: (m) => m.fit([[1, 2, 3]], [0]), message: /x must have 2 columns.*got 3/ },
  { name: 'ragged rows', run: (m) => m.fit([[1, 2], [3]], [0, 1]), message: /ragged rows: row 0 has 2 entries but row 1 has 1/ },
  { name: 'NaN in inputs', run: (m) => m.fit([[1, NaN]], [0]), message: /x must hold finite numbers, got NaN at row 0, column 1/ },
  { name: 'Infinity in inputs', run: (m) => m.fit([[1, 2], [Infinity, 0]], [0, 1]), message: /got Infinity at row 1, column 0/ },
  { name: 'NaN in targets', run: (m) => m.fit(X, [[1, 0], [NaN, 1], [0, 1]]), message: /y must hold finite numbers, got NaN at row 1, column 0/ },
  { name: 'label out of range', run: (m) => m.fit(X, [0, 2, 1]), message: /y\[1\] is a class label and must be an integer in \[0, 1\], got 2/ },
  { name: 'fractional label', run: (m) => m.fit(X, [0, 0.5, 1]), message: /y\[1\].*integer.*got 0\.5/ },
  { name: 'targets not one-hot', run: (m) => m.fit(X, [[1, 1], [0, 1], [1, 0]]), message: /y row 0 must be one-hot/ },
  { name: 'targets outside [0, 1] for cross-entropy', run: (m) => m.fit(X, [[2, -1], [0, 1], [1, 0]]), message: /must lie in \[0, 1\], got 2 at row 0/ },
  { name: 'row count mismatch', run: (m) => m.fit(X, [0, 1]), message: /y must have one row per sample of x \(3\), got 2/ },
  { name: 'empty data', run: (m) => m.fit([], []), message: /x must not be empty, got 0 rows/ },
  { name: 'x not an array', run: (m) => m.fit('abc' as never, [0]), message: /x must be an array of rows/ },
  { name: 'matrix shape mismatch', run: (m) => m.fit({ data: new Float32Array(5), shape: [3, 2] }, Y), message: /x\.data must have shape\[0\]\*shape\[1\] = 6 entries, got 5/ },
  { name: 'batchSize 0', run: (m) => m.fit(X, Y, { batchSize: 0 }), message: /batchSize must be a positive integer, got 0/ },
  { name: 'batchSize 2.5', run: (m) => m.fit(X, Y, { batchSize: 2.5 }), message: /batchSize must be a positive integer, got 2\.5/ },
  { name: 'batchSize -4', run: (m) => m.fit(X, Y, { batchSize: -4 }), message: /batchSize must be a positive integer, got -4/ },
  { name: 'epochs 0', run: (m) => m.fit(X, Y, { epochs: 0 }), message: /epochs must be a positive integer, got 0/ },
  { name: 'learningRate 0', run: (m) => m.fit(X, Y, { learningRate: 0 }), message: /learningRate must be a finite number > 0, got 0/ },
  { name: 'learningRate NaN', run: (m) => m.fit(X, Y, { learningRate: NaN }), message: /learningRate must be a finite number > 0, got NaN/ },
  { name: 'learningRate negative', run: (m) => m.fit(X, Y, { learningRate: -0.1 }), message: /learningRate must be a finite number > 0, got -0\.1/ },
  { name: 'unknown optimizer', run: (m) => m.fit(X, Y, { optimizer: 'adagrad' as never }), message: /optimizer must be one of 'sgd', 'momentum', 'adam', 'rmsprop', 'adamw', got "adagrad"/ },
  { name: 'momentum out of range', run: (m) => m.fit(X, Y, { optimizer: { type: 'momentum', momentum: 1.5 } }), message: /optimizer\.momentum must be in \[0, 1\), got 1\.5/ },
  { name: 'validationSplit 1', run: (m) => m.fit(X, Y, { validationSplit: 1 }), message: /validationSplit must be in \[0, 1\), got 1/ },
  { name: 'validationSplit leaving no validation rows', run: (m) => m.fit(X, Y, { validationSplit: 0.1 }), message: /leaves 0 for validation/ },
  { name: 'onEpochEnd not a function', run: (m) => m.fit(X, Y, { onEpochEnd: 3 as never }), message: /onEpochEnd must be a function, got 3/ },
  { name: 'predict with wrong width', run: (m) => m.predict([[1, 2, 3]]), message: /x must have 2 columns/ },
  { name: 'setWeights with wrong shape', run: (m) => m.setWeights({ weights: [[[1, 2, 3]], [[1, 2]]], biases: [[0, 0, 0], [0, 0]] }), message: /weights\[0\] must have 2 rows \(fan-in\) of 3, got 1 rows/ },
  { name: 'setWeights with NaN', run: (m) => m.setWeights({ weights: [[[1, 2, NaN], [1, 2, 3]], [[1, 2], [1, 2], [1, 2]]], biases: [[0, 0, 0], [0, 0]] }), message: /weights\[0\]\[0\]\[2\] must be a finite number, got NaN/ },
  { name: 'unknown activation', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), layers: [{ units: 3, activation: 'swish' as never }, { units: 2, activation: 'softmax' }] }), message: /layers\[0\]\.activation must be one of .*got "swish"/ },
  { name: 'softmax on a hidden layer', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), layers: [{ units: 3, activation: 'softmax' }, { units: 2, activation: 'softmax' }] }), message: /layers\[0\]\.activation 'softmax' is only allowed on the output layer/ },
  { name: 'unknown loss', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), loss: 'hinge' as never }), message: /loss must be one of .*got "hinge"/ },
  { name: 'cross-entropy without softmax', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }] }), message: /loss 'categoricalCrossEntropy' needs a 'softmax' output layer, got 'sigmoid'/ },
  { name: 'binary cross-entropy without sigmoid', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), loss: 'binaryCrossEntropy' }), message: /loss 'binaryCrossEntropy' needs a 'sigmoid' output layer, got 'softmax'/ },
  { name: 'units 0', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), layers: [{ units: 0, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), message: /layers\[0\]\.units must be an integer in \[1, 1048576\], got 0/ },
  { name: 'inputSize not an integer', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), inputSize: 1.5 }), message: /inputSize must be an integer in \[1, 1048576\], got 1\.5/ },
  { name: 'negative l2', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), l2: -1 }), message: /l2 must be a finite number >= 0, got -1/ },
  { name: 'unknown backend', run: (_m, MLP, b) => MLP.create({ ...baseConfig(b), backend: 'cuda' as never }), message: /backend must be one of 'cpu', 'webgpu', 'wasm', 'auto', got "cuda"/ },
  { name: 'fit after dispose', run: async (m) => { m.dispose(); return m.fit(X, Y); }, message: /fit\(\) called after dispose\(\)/, altersModel: true },
  { name: 'second concurrent fit', run: async (m) => { const first = m.fit(X, Y, { epochs: 3 }); try { return await m.fit(X, Y); } finally { await first; } }, message: /fit\(\) is already running on this model/, altersModel: true },
];
