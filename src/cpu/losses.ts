import type { LossName } from '../core/types';
import { type ActivationOf, activationDerivative } from './activations';

import { LOG_EPS } from '../core/loss-clamp';

const clampProb = (p: number) => Math.min(1 - LOG_EPS, Math.max(LOG_EPS, p));

/**
 * One element's Huber loss, ½d² for |d| ≤ δ, else δ(|d| − ½δ) (PyTorch's `nn.HuberLoss`).
 *
 * @example
 * huber(3, 1); // 2.5
 */
export const huber = (d: number, delta: number): number => {
  const ad = Math.abs(d);
  return ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
};

/**
 * Sum over the rows of the per-sample loss (divide by the row count for the mean); with
 * `weights`, Σ_r w_r·loss_r. `huberDelta` is δ of the `huber` loss (ignored by the others).
 *
 * @example
 * lossSum('sse', new Float64Array([0.75]), new Float64Array([0.25]), 1, 1); // 0.125
 */
export function lossSum(loss: LossName, a: Float64Array, y: ArrayLike<number>, rows: number, cols: number, weights?: ArrayLike<number> | null, huberDelta = 1): number {
  if (weights) {
    let s = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      s += weights[r] * lossSum(loss, a.subarray(o, o + cols), Array.from({ length: cols }, (_, j) => y[o + j]), 1, cols, null, huberDelta);
    }
    return s;
  }
  let s = 0;
  const n = rows * cols;
  switch (loss) {
    case 'sse':
      for (let i = 0; i < n; i++) s += 0.5 * (y[i] - a[i]) ** 2;
      return s;
    case 'mse':
      for (let i = 0; i < n; i++) s += (y[i] - a[i]) ** 2;
      return s / cols;
    case 'huber':
      for (let i = 0; i < n; i++) s += huber(a[i] - y[i], huberDelta);
      return s / cols;
    case 'binaryCrossEntropy':
      for (let i = 0; i < n; i++) {
        const p = clampProb(a[i]);
        s -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
      }
      return s;
    case 'categoricalCrossEntropy':
      for (let i = 0; i < n; i++) if (y[i] !== 0) s -= y[i] * Math.log(clampProb(a[i]));
      return s;
  }
}

/**
 * The output layer's error term δ_L = ∂loss/∂z_L for each sample (not divided by the batch size).
 * Sigmoid + binary cross-entropy and softmax + categorical cross-entropy use the fused δ = a − y;
 * otherwise δ = ∂loss/∂a ⊙ f'(z), with softmax's Jacobian applied row by row (∂loss/∂a of `huber`
 * is clamp(a − y, −δ, δ)/cols). With `weights`, each row's δ is multiplied by its weight; `z` is
 * the output layer's pre-activation, needed when its f' is written in terms of z.
 *
 * @example
 * outputDelta('sse', 'linear', new Float64Array([0.191]), new Float64Array([1]), 1, 1); // [-0.809]
 */
export function outputDelta(
  loss: LossName,
  activation: ActivationOf,
  a: Float64Array,
  y: ArrayLike<number>,
  rows: number,
  cols: number,
  weights?: ArrayLike<number> | null,
  z?: ArrayLike<number>,
  huberDelta = 1,
): Float64Array {
  const delta = unweightedDelta(loss, activation, a, y, rows, cols, z, huberDelta);
  if (weights) for (let i = 0; i < delta.length; i++) delta[i] *= weights[Math.floor(i / cols)];
  return delta;
}

function unweightedDelta(loss: LossName, activation: ActivationOf, a: Float64Array, y: ArrayLike<number>, rows: number, cols: number, z: ArrayLike<number> | undefined, huberDelta: number): Float64Array {
  const n = rows * cols;
  const delta = new Float64Array(n);
  if (loss === 'binaryCrossEntropy' || loss === 'categoricalCrossEntropy') {
    for (let i = 0; i < n; i++) delta[i] = a[i] - y[i];
    return delta;
  }
  // ∂loss/∂a
  const g = new Float64Array(n);
  const scale = loss === 'mse' ? 2 / cols : loss === 'huber' ? 1 / cols : 1;
  if (loss === 'huber') for (let i = 0; i < n; i++) g[i] = scale * Math.min(huberDelta, Math.max(-huberDelta, a[i] - y[i]));
  else for (let i = 0; i < n; i++) g[i] = scale * (a[i] - y[i]);
  if ((typeof activation === 'string' ? activation : activation.activation) === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += g[o + j] * a[o + j];
      for (let j = 0; j < cols; j++) delta[o + j] = a[o + j] * (g[o + j] - dot);
    }
    return delta;
  }
  const fprime = activationDerivative(activation, a, z);
  for (let i = 0; i < n; i++) delta[i] = g[i] * fprime[i];
  return delta;
}

/**
 * Number of rows whose prediction is right: argmax match for several outputs, or the same side
 * of 0.5 for one output.
 */
export function correctCount(a: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (cols === 1) {
      if (a[o] > 0.5 === y[o] > 0.5) correct++;
      continue;
    }
    let pa = 0;
    let py = 0;
    for (let j = 1; j < cols; j++) {
      if (a[o + j] > a[o + pa]) pa = j;
      if (y[o + j] > y[o + py]) py = j;
    }
    if (pa === py) correct++;
  }
  return correct;
}
