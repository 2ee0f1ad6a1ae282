import type { ResolvedOptimizer } from './config';

/**
 * Optimizer slots of a whole network, as plain float64 arrays: for each layer, the weight slots
 * and the bias slots (momentum: [velocity]; Adam: [first moment, second moment]; SGD: none).
 * Moves training between backends (device loss) without losing momentum or Adam state.
 *
 * @example
 * const state: OptimizerState | null = await backend.readOptimizerState();
 */
export interface OptimizerState {
  /** `n`: the slots of a normalized layer's γ/β (CPU path only so far). */
  layers: { w: Float64Array[]; b: Float64Array[]; n?: Float64Array[] }[];
}

/**
 * A deep copy.
 *
 * @example
 * const kept = cloneOptimizerState(state);
 */
export function cloneOptimizerState(s: OptimizerState): OptimizerState {
  return { layers: s.layers.map((l) => ({ w: l.w.map((a) => a.slice()), b: l.b.map((a) => a.slice()), ...(l.n ? { n: l.n.map((a) => a.slice()) } : {}) })) };
}

/**
 * Number of state slots each optimizer keeps per parameter.
 *
 * @example
 * optimizerSlots({ type: 'momentum', momentum: 0.9 }); // 1
 */
export function optimizerSlots(opt: ResolvedOptimizer): number {
  return opt.type === 'sgd' ? 0 : opt.type === 'momentum' ? 1 : 2;
}

/**
 * Gradient clipping settings of a `fit`: by the global L2 norm and/or by value (null: off).
 *
 * @example
 * const clip: ClipSettings = { norm: 1, value: null };
 */
export interface ClipSettings {
  norm: number | null;
  value: number | null;
}
