import { checkNumber, describeValue, fanIn, outputSize, resolveConfig } from './config';
import { activate, activationDerivative } from './cpu/activations';
import { matmulAB, matmulABT } from './cpu/matmul';
import { backward, batchStats } from './cpu/network';
import { outputDelta } from './cpu/losses';
import { toInputs, toTargets } from './data';
import { type Params, paramsFromArrays, paramsToArrays, sumSquaredWeights } from './params';
import type { Activation, Inputs, ModelConfig, Targets, Weights } from './types';

/** One layer's intermediate values during a {@link traceStep}, one row per sample. */
export interface LayerTrace {
  /** The layer's activation function. */
  activation: Activation;
  /** Net input z = a_prev · W + b, `[rows][units]` (the tutorials' "net"). */
  z: number[][];
  /** Output a = f(z), `[rows][units]` (the tutorials' "out"). */
  a: number[][];
  /** Error term δ = ∂loss/∂z for each sample, `[rows][units]`. */
  delta: number[][];
  /** ∂J/∂W averaged over the rows, L2 term included, `[fanIn][units]`. */
  gradWeights: number[][];
  /** ∂J/∂b averaged over the rows, `[units]` (reported even when biases are frozen). */
  gradBiases: number[];
}

/** Everything one plain gradient-descent step computes, as returned by {@link traceStep}. */
export interface StepTrace {
  /** The inputs, `[rows][inputSize]`. */
  input: number[][];
  /** The targets, `[rows][outputs]` (class indices expanded to one-hot rows). */
  target: number[][];
  /** Hidden and output layers, in order. */
  layers: LayerTrace[];
  /** The objective before the step: mean per-sample loss plus λ/(2m)·ΣW². */
  loss: number;
  /** The same objective after the step, with the updated parameters. */
  lossAfter: number;
  /** The parameters the step started from. */
  before: Weights;
  /** The parameters after W −= η·∂J/∂W and b −= η·∂J/∂b (biases unchanged when frozen or unused). */
  after: Weights;
}

const rowsOf = (data: ArrayLike<number>, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, j) => data[r * cols + j]));

function objective(net: ReturnType<typeof resolveConfig>, p: Params, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): number {
  let a: ArrayLike<number> = x;
  net.layers.forEach((layer, l) => {
    const z = matmulAB(a, p.weights[l], rows, fanIn(net, l), layer.units);
    if (net.useBias) for (let r = 0; r < rows; r++) for (let j = 0; j < layer.units; j++) z[r * layer.units + j] += p.biases[l][j];
    a = activate(layer.activation, z, rows, layer.units);
  });
  return batchStats(net, a, y, rows).lossSum / rows + (net.l2 / (2 * rows)) * sumSquaredWeights(p);
}

/**
 * Runs one full-batch plain gradient-descent step on the CPU (float64) and returns every
 * intermediate value: each layer's z, a and δ, the averaged gradients, the loss before and after,
 * and the updated parameters. It uses the same forward, delta and gradient functions as the CPU
 * trainer, so `after` equals what `fit(x, y, { epochs: 1, batchSize: rows, learningRate,
 * optimizer: 'sgd', shuffle: false })` produces. Meant for teaching views and debugging; it does
 * not touch any model.
 *
 * @param config the model's configuration (`weights`/`biases` in it are ignored: pass `params`)
 * @param params the parameters to start from, as `MLP.getWeights()` returns them
 * @param x inputs, `[rows][inputSize]` or a matrix
 * @param y targets, in any form `fit` accepts
 * @param learningRate the step size η (> 0)
 *
 * @example
 * const t = traceStep(
 *   { inputSize: 2, layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], loss: 'sse', freezeBias: true },
 *   { weights: [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]], biases: [[0.35, 0.35], [0.6, 0.6]] },
 *   [[0.05, 0.1]], [[0.01, 0.99]], 0.5,
 * );
 * t.layers[0].z[0][0]; // net_h1 = 0.3775
 * t.loss;              // E_total = 0.298371109…
 * t.after.weights[1][0][0]; // w5 = 0.358916480…
 */
export function traceStep(config: ModelConfig, params: Weights, x: Inputs, y: Targets, learningRate: number): StepTrace {
  const net = resolveConfig({ ...config, weights: undefined, biases: undefined });
  if (params === null || typeof params !== 'object') throw new TypeError(`params must be {weights, biases}, got ${describeValue(params)}`);
  const p = paramsFromArrays(net, params.weights, params.biases);
  const lr = checkNumber('learningRate', learningRate, 'positive');
  const X = toInputs(x, net);
  const Y = toTargets(y, net, X.rows);
  const m = X.rows;
  const L = net.layers.length;

  // forward: z_l = a_{l−1}·W_l + b_l, a_l = f_l(z_l)
  const zs: Float64Array[] = [];
  const acts: ArrayLike<number>[] = [X.data];
  net.layers.forEach((layer, l) => {
    const n = layer.units;
    const z = matmulAB(acts[l], p.weights[l], m, fanIn(net, l), n);
    if (net.useBias) for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) z[r * n + j] += p.biases[l][j];
    zs.push(z);
    acts.push(activate(layer.activation, z, m, n));
  });
  const loss = batchStats(net, acts[L], Y.data, m).lossSum / m + (net.l2 / (2 * m)) * sumSquaredWeights(p);

  // deltas: δ_L from the loss, δ_{l−1} = (δ_l·W_lᵀ) ⊙ f'(a_{l−1})
  const deltas: Float64Array[] = new Array(L);
  deltas[L - 1] = outputDelta(net.loss, net.layers[L - 1].activation, acts[L] as Float64Array, Y.data, m, outputSize(net));
  for (let l = L - 1; l > 0; l--) {
    const back = matmulABT(deltas[l], p.weights[l], m, net.layers[l].units, fanIn(net, l));
    const fprime = activationDerivative(net.layers[l - 1].activation as Exclude<Activation, 'softmax'>, acts[l] as Float64Array);
    for (let i = 0; i < back.length; i++) back[i] *= fprime[i];
    deltas[l - 1] = back;
  }

  // gradients, exactly as the CPU trainer computes them, then averaged with the L2 term
  const grads = backward(net, p, acts, Y.data, m);
  for (let l = 0; l < L; l++) {
    const gw = grads.weights[l];
    for (let i = 0; i < gw.length; i++) gw[i] = (gw[i] + net.l2 * p.weights[l][i]) / m;
    const gb = grads.biases[l];
    for (let i = 0; i < gb.length; i++) gb[i] /= m;
  }

  // update: plain gradient descent
  const next: Params = {
    weights: p.weights.map((w, l) => w.map((v, i) => v - lr * grads.weights[l][i])),
    biases: p.biases.map((b, l) => (net.useBias && !net.freezeBias ? b.map((v, i) => v - lr * grads.biases[l][i]) : b.slice())),
  };

  const layers: LayerTrace[] = net.layers.map((layer, l) => {
    const n = layer.units;
    const k = fanIn(net, l);
    return {
      activation: layer.activation,
      z: rowsOf(zs[l], m, n),
      a: rowsOf(acts[l + 1], m, n),
      delta: rowsOf(deltas[l], m, n),
      gradWeights: rowsOf(grads.weights[l], k, n),
      gradBiases: Array.from(grads.biases[l]),
    };
  });
  return {
    input: rowsOf(X.data, m, X.cols),
    target: rowsOf(Y.data, m, Y.cols),
    layers,
    loss,
    lossAfter: objective(net, next, X.data, Y.data, m),
    before: paramsToArrays(net, p),
    after: paramsToArrays(net, next),
  };
}
