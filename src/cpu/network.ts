import { type NetSpec, fanIn, outputSize } from '../config';
import type { Params } from '../params';
import { activate, activationDerivative } from './activations';
import { correctCount, lossSum, outputDelta } from './losses';
import { matmulAB, matmulABT, matmulATB } from './matmul';

/**
 * The CPU reference path: plain float64 backpropagation, one named step at a time.
 * It is the oracle the WebGPU path is tested against, and the fallback where WebGPU is missing.
 */

/** Gradients with the same shapes as {@link Params}. */
export interface Gradients {
  weights: Float64Array[];
  biases: Float64Array[];
}

/**
 * Forward pass over a `[rows, inputSize]` batch. Returns every layer's output, with the input
 * itself first: `acts[0] = x`, `acts[l + 1] = f_l(acts[l]·W_l + b_l)`.
 */
export function forward(net: NetSpec, p: Params, x: ArrayLike<number>, rows: number): ArrayLike<number>[] {
  const acts: ArrayLike<number>[] = [x];
  net.layers.forEach((layer, l) => {
    const n = layer.units;
    // z = a_prev · W + b
    const z = matmulAB(acts[l], p.weights[l], rows, fanIn(net, l), n);
    if (net.useBias) {
      const b = p.biases[l];
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) z[r * n + j] += b[j];
    }
    // a = f(z)
    acts.push(activate(layer.activation, z, rows, n));
  });
  return acts;
}

/**
 * Backward pass: from the forward activations and targets, the gradients of the summed
 * per-sample loss (not yet divided by the batch size, no L2). Each layer's step reads:
 * output delta δ_L = ∂loss/∂z_L; ∂W_l += a_prevᵀ·δ_l; ∂b_l += Σ_batch δ_l;
 * hidden delta δ_{l−1} = (δ_l·W_lᵀ) ⊙ f'(a_{l−1}).
 */
export function backward(net: NetSpec, p: Params, acts: ArrayLike<number>[], y: ArrayLike<number>, rows: number): Gradients {
  const L = net.layers.length;
  const grads: Gradients = {
    weights: p.weights.map((w) => new Float64Array(w.length)),
    biases: p.biases.map((b) => new Float64Array(b.length)),
  };
  // output delta
  let delta = outputDelta(net.loss, net.layers[L - 1].activation, acts[L] as Float64Array, y, rows, outputSize(net));
  for (let l = L - 1; l >= 0; l--) {
    const n = net.layers[l].units;
    const k = fanIn(net, l);
    // ∂W_l += a_prevᵀ · δ_l
    const gW = matmulATB(acts[l], delta, k, rows, n);
    for (let i = 0; i < gW.length; i++) grads.weights[l][i] += gW[i];
    // ∂b_l += Σ_batch δ_l
    const gb = grads.biases[l];
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) gb[j] += delta[r * n + j];
    if (l === 0) break;
    // hidden delta: δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'(a_{l−1})
    const back = matmulABT(delta, p.weights[l], rows, n, k);
    const fprime = activationDerivative(net.layers[l - 1].activation as Exclude<typeof net.layers[0]['activation'], 'softmax'>, acts[l] as Float64Array);
    for (let i = 0; i < back.length; i++) back[i] *= fprime[i];
    delta = back;
  }
  return grads;
}

/** Summed loss and correct count of a batch given its output activations. */
export function batchStats(net: NetSpec, out: ArrayLike<number>, y: ArrayLike<number>, rows: number): { lossSum: number; correct: number } {
  const k = outputSize(net);
  const a = out instanceof Float64Array ? out : Float64Array.from(out);
  return { lossSum: lossSum(net.loss, a, y, rows, k), correct: correctCount(a, y, rows, k) };
}

/**
 * The objective J = (1/m)·Σ loss + λ/(2m)·ΣW² and its gradient (averaged, with L2), for a whole
 * batch. Used by gradient checking and the tests; training uses the same pieces step by step.
 */
export function lossAndGradients(net: NetSpec, p: Params, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): { loss: number; grads: Gradients } {
  const acts = forward(net, p, x, rows);
  const { lossSum: s } = batchStats(net, acts[acts.length - 1], y, rows);
  let sq = 0;
  for (const w of p.weights) for (let i = 0; i < w.length; i++) sq += w[i] * w[i];
  const grads = backward(net, p, acts, y, rows);
  grads.weights.forEach((g, l) => {
    for (let i = 0; i < g.length; i++) g[i] = (g[i] + net.l2 * p.weights[l][i]) / rows;
  });
  grads.biases.forEach((g) => {
    for (let i = 0; i < g.length; i++) g[i] /= rows;
  });
  return { loss: s / rows + (net.l2 / (2 * rows)) * sq, grads };
}
