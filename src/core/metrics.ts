/**
 * Regression metrics: for models whose output layer is 'linear', 'relu' or 'tanh' (no
 * classification output), `fit` logs and `evaluate` returns the mean absolute error and R²
 * besides the loss. Both come from two sums per batch, Σ|y − o| and Σ(y − o)² over its rows and
 * outputs (the WebGPU path reduces them on the device, loss.wgsl's METRICS), and from the spread
 * of the targets, Σ(y − ȳ)², which does not depend on the model.
 */
import type { NetSpec } from './config';
import type { Dense } from './data';

/**
 * True when the model's output layer is 'linear', 'relu' or 'tanh': a regression output.
 *
 * @example
 * isRegressionOutput(resolveNetSpec({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse' })); // true
 */
export function isRegressionOutput(net: NetSpec): boolean {
  const out = net.layers[net.layers.length - 1].activation;
  return out === 'linear' || out === 'relu' || out === 'tanh';
}

/**
 * Σ|y − a| and Σ(y − a)² over the first `n` values.
 *
 * @example
 * errorSums([1, 2], [2, 0], 2); // { absErr: 3, sqErr: 5 }
 */
export function errorSums(a: ArrayLike<number>, y: ArrayLike<number>, n: number): { absErr: number; sqErr: number } {
  let absErr = 0;
  let sqErr = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - a[i];
    absErr += Math.abs(d);
    sqErr += d * d;
  }
  return { absErr, sqErr };
}

/**
 * Σ_j Σ_r (y_rj − ȳ_j)²: the targets' total sum of squares, each output column about its own mean
 * (R²'s denominator, pooled over the outputs).
 *
 * @example
 * targetSpread({ data: new Float64Array([1, 2, 3]), rows: 3, cols: 1 }); // 2
 */
export function targetSpread(y: Dense): number {
  let total = 0;
  for (let j = 0; j < y.cols; j++) {
    let mean = 0;
    for (let r = 0; r < y.rows; r++) mean += y.data[r * y.cols + j];
    mean /= y.rows;
    for (let r = 0; r < y.rows; r++) total += (y.data[r * y.cols + j] - mean) ** 2;
  }
  return total;
}

/**
 * MAE = Σ|y − o| / values and R² = 1 − Σ(y − o)² / Σ(y − ȳ)² (pooled over outputs: scikit-learn's
 * `variance_weighted` R², the usual R² for one output). Constant targets (zero spread) give R² = 1
 * for a perfect fit and 0 otherwise, as scikit-learn's `force_finite` does.
 *
 * @example
 * regressionMetrics(3, 5, 6, 20); // { mae: 0.5, r2: 0.75 }
 */
export function regressionMetrics(absErr: number, sqErr: number, values: number, spread: number): { mae: number; r2: number } {
  const r2 = spread > 0 ? 1 - sqErr / spread : sqErr === 0 ? 1 : 0;
  return { mae: absErr / values, r2 };
}

/**
 * MAE and R² of outputs `a` against targets `y` (both `[rows, cols]`), e.g. a model's predictions.
 *
 * @example
 * const { mae, r2 } = metricsOf(await model.predictMatrix(x).then((p) => p.data), yDense);
 */
export function metricsOf(a: ArrayLike<number>, y: Dense): { mae: number; r2: number } {
  const n = y.rows * y.cols;
  const { absErr, sqErr } = errorSums(a, y.data, n);
  return regressionMetrics(absErr, sqErr, n, targetSpread(y));
}
