import type { ResolvedOptimizer } from '../core/config';
import type { ClipSettings } from '../core/optimizer-state';

/**
 * One optimizer step on one parameter array, in float64, given the averaged gradient `g`.
 * `state` holds the optimizer's slots for this array and `t` is the 1-based global step count
 * (Adam's bias correction).
 *
 * - sgd:      θ −= η·g
 * - momentum: v = μ·v + g;  θ −= η·v                 (nesterov: θ −= η·(g + μ·v))
 * - adam:     m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  θ −= η·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
 * - adamw:    adam's step, plus the decoupled decay θ −= η·weightDecay·θ (of θ before the step;
 *             biases only with `decayBiases`: pass `isBias`)
 * - rmsprop:  s = ρs + (1−ρ)g²;  u = μu + η·g/√(s + ε);  θ −= u   (TensorFlow.js's RMSProp)
 *
 * Slots: momentum [v]; adam, adamw [m, v]; rmsprop [s, u].
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
  isBias = false,
): void {
  switch (opt.type) {
    case 'sgd':
      for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
      return;
    case 'momentum': {
      const v = state[0];
      for (let i = 0; i < theta.length; i++) {
        v[i] = opt.momentum * v[i] + g[i];
        theta[i] -= opt.nesterov ? lr * (g[i] + opt.momentum * v[i]) : lr * v[i];
      }
      return;
    }
    case 'adam':
    case 'adamw': {
      const [m, v] = state;
      const c1 = 1 - opt.beta1 ** t;
      const c2 = 1 - opt.beta2 ** t;
      const decay = opt.type === 'adamw' && (!isBias || opt.decayBiases) ? opt.weightDecay : 0;
      for (let i = 0; i < theta.length; i++) {
        m[i] = opt.beta1 * m[i] + (1 - opt.beta1) * g[i];
        v[i] = opt.beta2 * v[i] + (1 - opt.beta2) * g[i] * g[i];
        const t0 = theta[i];
        theta[i] = t0 - lr * decay * t0 - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + opt.epsilon);
      }
      return;
    }
    case 'rmsprop': {
      const [s, u] = state;
      for (let i = 0; i < theta.length; i++) {
        s[i] = opt.rho * s[i] + (1 - opt.rho) * g[i] * g[i];
        u[i] = opt.momentum * u[i] + (lr * g[i]) / Math.sqrt(s[i] + opt.epsilon);
        theta[i] -= u[i];
      }
      return;
    }
  }
}

/**
 * Clips averaged gradients in place, before the optimizer: scales every array by clipNorm/‖g‖
 * when the global norm ‖g‖ over all of them exceeds `norm`, then clamps each element to
 * [−value, value]. `arrays` are the trained parameters' gradients (frozen biases left out).
 *
 * @example
 * const g = [new Float64Array([3, 4])];
 * clipGradients(g, { norm: 1, value: null }); // g = [[0.6, 0.8]]
 */
export function clipGradients(arrays: Float64Array[], clip: ClipSettings): void {
  if (clip.norm !== null) {
    let sq = 0;
    for (const a of arrays) for (let i = 0; i < a.length; i++) sq += a[i] * a[i];
    const norm = Math.sqrt(sq);
    if (norm > clip.norm) {
      const k = clip.norm / norm;
      for (const a of arrays) for (let i = 0; i < a.length; i++) a[i] *= k;
    }
  }
  if (clip.value !== null) {
    const v = clip.value;
    for (const a of arrays) for (let i = 0; i < a.length; i++) a[i] = Math.min(v, Math.max(-v, a[i]));
  }
}
