import type { ResolvedOptimizer } from '../config';

/**
 * One optimizer step on one parameter array, in float64, given the averaged gradient `g`.
 * `state` holds the optimizer's slots for this array (momentum: velocity; Adam: first and
 * second moments) and `t` is the 1-based global step count (Adam's bias correction).
 *
 * - sgd:      θ −= η·g
 * - momentum: v = μ·v + g;  θ −= η·v
 * - adam:     m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  θ −= η·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
 *
 * @example
 * const w = new Float64Array([1]);
 * optimizerStep({ type: 'sgd' }, w, new Float64Array([2]), [], 0.1, 1); // w = [0.8]
 */
export function optimizerStep(
  opt: ResolvedOptimizer,
  theta: Float64Array,
  g: Float64Array,
  state: Float64Array[],
  lr: number,
  t: number,
): void {
  switch (opt.type) {
    case 'sgd':
      for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
      return;
    case 'momentum': {
      const v = state[0];
      for (let i = 0; i < theta.length; i++) {
        v[i] = opt.momentum * v[i] + g[i];
        theta[i] -= lr * v[i];
      }
      return;
    }
    case 'adam': {
      const [m, v] = state;
      const c1 = 1 - opt.beta1 ** t;
      const c2 = 1 - opt.beta2 ** t;
      for (let i = 0; i < theta.length; i++) {
        m[i] = opt.beta1 * m[i] + (1 - opt.beta1) * g[i];
        v[i] = opt.beta2 * v[i] + (1 - opt.beta2) * g[i] * g[i];
        theta[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + opt.epsilon);
      }
      return;
    }
  }
}

/** Number of state slots each optimizer keeps per parameter. */
export function optimizerSlots(opt: ResolvedOptimizer): number {
  return opt.type === 'sgd' ? 0 : opt.type === 'momentum' ? 1 : 2;
}
