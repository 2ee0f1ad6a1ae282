import { SELU, activationAlpha, keepsPreActivation } from '../core/activation-spec';
import type { Activation, LayerSpec } from '../core/types';
import {
  elu, gelu, geluDerivative, geluTanh, geluTanhDerivative, mish, mishDerivative, selu, sigmoid, silu, siluDerivative, softplus,
  softplusDerivative,
} from './activation-functions';

/**
 * Activations and their derivatives, in float64. Each derivative is written in terms of the
 * activation's output `a` (sigmoid' = a(1 − a), tanh' = 1 − a², relu' = [a > 0]), which is what
 * backpropagation keeps from the forward pass, except for the non-invertible ones (gelu,
 * geluTanh, silu, mish, and leakyRelu with a negative slope), written in terms of z. Softmax is
 * row-wise; its Jacobian is applied in the output delta (see `outputDelta`).
 *
 * @example
 * const a = activate('sigmoid', new Float64Array([0]), 1, 1); // [0.5]
 * activationDerivative('sigmoid', a); // [0.25]
 */

export { sigmoid } from './activation-functions';

/** A layer's activation and its `alpha` (leakyRelu, elu), as the functions here take it. */
export type ActivationOf = Activation | Pick<LayerSpec, 'activation' | 'alpha'>;
const nameOf = (f: ActivationOf): Activation => (typeof f === 'string' ? f : f.activation);
const alphaOf = (f: ActivationOf): number => activationAlpha(typeof f === 'string' ? { activation: f } : f);

/** The element-wise f(z) of each activation but softmax. */
function scalarActivation(name: Exclude<Activation, 'softmax'>, alpha: number): (z: number) => number {
  switch (name) {
    case 'sigmoid': return sigmoid;
    case 'tanh': return Math.tanh;
    case 'relu': return (z) => (z > 0 ? z : 0);
    case 'linear': return (z) => z;
    case 'leakyRelu': return (z) => (z > 0 ? z : alpha * z);
    case 'elu': return (z) => elu(z, alpha);
    case 'selu': return selu;
    case 'gelu': return gelu;
    case 'geluTanh': return geluTanh;
    case 'silu': return silu;
    case 'softplus': return softplus;
    case 'mish': return mish;
  }
}

/** a = f(z) for a `[rows, cols]` block (softmax over each row). */
export function activate(f: ActivationOf, z: Float64Array, rows: number, cols: number): Float64Array {
  const name = nameOf(f);
  if (name !== 'softmax') return z.map(scalarActivation(name, alphaOf(f)));
  const a = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, z[o + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += a[o + j] = Math.exp(z[o + j] - max);
    for (let j = 0; j < cols; j++) a[o + j] /= sum;
  }
  return a;
}

/** f' of one element, from its output `a` and (for the activations that need it) its input `z`. */
function scalarDerivative(name: Exclude<Activation, 'softmax'>, alpha: number): (a: number, z: number) => number {
  switch (name) {
    case 'sigmoid': return (a) => a * (1 - a);
    case 'tanh': return (a) => 1 - a * a;
    case 'relu': return (a) => (a > 0 ? 1 : 0);
    case 'linear': return () => 1;
    // a > 0 exactly when z > 0 while alpha ≥ 0; a negative slope reads z (keepsPreActivation)
    case 'leakyRelu': return alpha < 0 ? (_a, z) => (z > 0 ? 1 : alpha) : (a) => (a > 0 ? 1 : alpha);
    case 'elu': return (a) => (a > 0 ? 1 : a + alpha);
    case 'selu': return (a) => (a > 0 ? SELU.scale : a + SELU.scale * SELU.alpha);
    case 'softplus': return softplusDerivative;
    case 'gelu': return (_a, z) => geluDerivative(z);
    case 'geluTanh': return (_a, z) => geluTanhDerivative(z);
    case 'silu': return (_a, z) => siluDerivative(z);
    case 'mish': return (_a, z) => mishDerivative(z);
  }
}

/**
 * f'(z) element-wise, written in terms of a = f(z), or of `z` for the activations that are not
 * invertible (`keepsPreActivation`: then `z` is required). Not defined for softmax.
 */
export function activationDerivative(f: ActivationOf, a: ArrayLike<number>, z?: ArrayLike<number>): Float64Array {
  const name = nameOf(f) as Exclude<Activation, 'softmax'>;
  const alpha = alphaOf(f);
  const fprime = scalarDerivative(name, alpha);
  const d = new Float64Array(a.length);
  if (z === undefined) {
    if (keepsPreActivation({ activation: name, alpha })) throw new TypeError(`activationDerivative('${name}'${alpha < 0 ? `, alpha ${alpha}` : ''}) needs the pre-activation z`);
    for (let i = 0; i < a.length; i++) d[i] = fprime(a[i], NaN);
    return d;
  }
  for (let i = 0; i < a.length; i++) d[i] = fprime(a[i], z[i]);
  return d;
}
