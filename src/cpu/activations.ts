import type { Activation } from '../core/types';

/**
 * Activations and their derivatives, in float64. Each derivative is written in terms of the
 * activation's output `a` (sigmoid' = a(1 − a), tanh' = 1 − a², relu' = [a > 0]), which is what
 * backpropagation keeps from the forward pass. Softmax is row-wise; its Jacobian is applied in
 * the output delta (see `outputDelta`).
 *
 * @example
 * const a = activate('sigmoid', new Float64Array([0]), 1, 1); // [0.5]
 * activationDerivative('sigmoid', a); // [0.25]
 */

/** Numerically safe logistic function (no exp overflow for large |z|). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** a = f(z) for a `[rows, cols]` block (softmax over each row). */
export function activate(name: Activation, z: Float64Array, rows: number, cols: number): Float64Array {
  const a = new Float64Array(z.length);
  switch (name) {
    case 'sigmoid':
      for (let i = 0; i < z.length; i++) a[i] = sigmoid(z[i]);
      break;
    case 'tanh':
      for (let i = 0; i < z.length; i++) a[i] = Math.tanh(z[i]);
      break;
    case 'relu':
      for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : 0;
      break;
    case 'linear':
      a.set(z);
      break;
    case 'softmax':
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let max = -Infinity;
        for (let j = 0; j < cols; j++) max = Math.max(max, z[o + j]);
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += a[o + j] = Math.exp(z[o + j] - max);
        for (let j = 0; j < cols; j++) a[o + j] /= sum;
      }
      break;
  }
  return a;
}

/** f'(z) written in terms of a = f(z), element-wise. Not defined for softmax. */
export function activationDerivative(name: Exclude<Activation, 'softmax'>, a: Float64Array): Float64Array {
  const d = new Float64Array(a.length);
  switch (name) {
    case 'sigmoid':
      for (let i = 0; i < a.length; i++) d[i] = a[i] * (1 - a[i]);
      break;
    case 'tanh':
      for (let i = 0; i < a.length; i++) d[i] = 1 - a[i] * a[i];
      break;
    case 'relu':
      for (let i = 0; i < a.length; i++) d[i] = a[i] > 0 ? 1 : 0;
      break;
    case 'linear':
      d.fill(1);
      break;
  }
  return d;
}
