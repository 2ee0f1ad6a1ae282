// The float32 range the WebGPU backend computes in, and the hyper-parameters it cannot hold.
import type { ResolvedOptimizer } from './optimizer';

/**
 * Largest float32 value; a float64 at or beyond {@link FLOAT32_OVERFLOW} in magnitude becomes ±Infinity in float32.
 *
 * @example
 * Math.fround(FLOAT32_MAX) === FLOAT32_MAX; // true
 */
export const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * 2^128 − 2^103: the magnitude from which a float64 rounds to Infinity in float32.
 *
 * @example
 * Math.fround(FLOAT32_OVERFLOW); // Infinity
 */
export const FLOAT32_OVERFLOW = 3.4028235677973366e38;
/**
 * Smallest normal float32 (GPUs may flush smaller values to 0).
 *
 * @example
 * 1e-39 < FLOAT32_MIN_NORMAL; // true: a subnormal, which a GPU may read as 0
 */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Refuses hyper-parameters the WebGPU backend cannot hold in float32, saying why: a learning
 * rate, λ (L2 or L1), the Huber δ or Adam ε that overflows or falls below float32's smallest normal number, and a
 * momentum or β that rounds to 1.
 *
 * @example
 * checkFloat32Settings({ type: 'adam', beta1: 0.9, beta2: 0.999999999, epsilon: 1e-8 }, 0.01, 0); // RangeError: beta2 rounds to 1
 */
export function checkFloat32Settings(opt: ResolvedOptimizer, learningRate: number, l2: number, l1 = 0, huberDelta = 1): void {
  const range = (name: string, v: number, zeroOk: boolean) => {
    if (zeroOk && v === 0) return;
    if (v >= FLOAT32_OVERFLOW) throw new RangeError(`${name} ${v} is beyond float32's range (largest ${FLOAT32_MAX}), which the WebGPU backend computes in; use a smaller value or backend 'cpu'`);
    if (v < FLOAT32_MIN_NORMAL) throw new RangeError(`${name} ${v} is below float32's smallest normal number (${FLOAT32_MIN_NORMAL}); the WebGPU backend would treat it as 0. Use a larger value or backend 'cpu'`);
  };
  range('learningRate', learningRate, false);
  range('l2', l2, true);
  range('l1', l1, true);
  range('huberDelta', huberDelta, false);
  const one = (name: string, v: number) => {
    if (Math.fround(v) === 1) throw new RangeError(`optimizer.${name} ${v} rounds to 1 in float32, which the WebGPU backend computes in (the update would stop decaying); use at most 0.9999999 or backend 'cpu'`);
  };
  if (opt.type === 'momentum' || opt.type === 'rmsprop') one('momentum', opt.momentum);
  if (opt.type === 'rmsprop') {
    one('rho', opt.rho);
    range('optimizer.epsilon', opt.epsilon, false);
  }
  if (opt.type === 'adam' || opt.type === 'adamw') {
    one('beta1', opt.beta1);
    one('beta2', opt.beta2);
    range('optimizer.epsilon', opt.epsilon, false);
  }
  if (opt.type === 'adamw') range('optimizer.weightDecay', opt.weightDecay, true);
}
