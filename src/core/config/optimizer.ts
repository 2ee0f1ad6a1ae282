// Optimizer specs: the names and fields each optimizer takes, checked, with their defaults.
import { describeNonNumber, describeValue, or, readRecord } from '../inspect';
import type { OptimizerSpec } from '../types';
import { checkBoolean, checkChoice, checkNumber } from './checks';

const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop', 'adamw'] as const;

/**
 * An optimizer with every hyper-parameter filled in.
 *
 * @example
 * const adam: ResolvedOptimizer = { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
 */
export type ResolvedOptimizer =
  | { type: 'sgd' }
  | { type: 'momentum'; momentum: number; nesterov?: boolean }
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number }
  | { type: 'rmsprop'; rho: number; epsilon: number; momentum: number }
  | { type: 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number; decayBiases: boolean };

/**
 * Validates an optimizer spec and fills in its defaults (momentum 0.9, nesterov false; Adam and
 * AdamW 0.9, 0.999, 1e-8, AdamW weightDecay 0.01 with biases not decayed; RMSprop ρ 0.9, ε 1e-7,
 * momentum 0).
 *
 * @example
 * resolveOptimizer('momentum'); // { type: 'momentum', momentum: 0.9 }
 */
export function resolveOptimizer(spec: OptimizerSpec | undefined): ResolvedOptimizer {
  if (spec === undefined || typeof spec === 'string') return defaults(checkChoice('optimizer', spec ?? 'sgd', OPTIMIZERS), {});
  const keys = ['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay', 'decayBiases'];
  const o = readRecord(spec, 'optimizer', ['type', ...keys], "a name ('sgd', 'momentum', 'adam', 'rmsprop', 'adamw') or {type, ...}");
  const type = checkChoice('optimizer.type', o.type, OPTIMIZERS);
  const own: Record<string, readonly string[]> = {
    sgd: [], momentum: ['momentum', 'nesterov'], adam: ['beta1', 'beta2', 'epsilon'],
    rmsprop: ['rho', 'epsilon', 'momentum'], adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay', 'decayBiases'],
  };
  for (const k of keys) {
    if (o[k] !== undefined && !own[type].includes(k)) throw new TypeError(`optimizer.${k} does not apply to '${type}'${own[type].length ? ` (it takes ${own[type].join(', ')})` : ''}`);
  }
  return defaults(type, o);
}

/** The optimizer `type` with the hyper-parameters given in `o` checked and the others defaulted. */
function defaults(type: ResolvedOptimizer['type'], o: Record<string, unknown>): ResolvedOptimizer {
  const unit = (n: string, v: unknown): number => {
    if (typeof v !== 'number') throw new TypeError(`optimizer.${n} must be a number in [0, 1), got ${describeNonNumber(v)}`);
    if (!(v >= 0 && v < 1)) throw new RangeError(`optimizer.${n} must be in [0, 1), got ${describeValue(v)}`);
    return v;
  };
  if (type === 'sgd') return { type };
  if (type === 'momentum') {
    const momentum = unit('momentum', or(o.momentum, 0.9));
    return checkBoolean('optimizer.nesterov', or(o.nesterov, false)) ? { type, momentum, nesterov: true } : { type, momentum };
  }
  if (type === 'rmsprop') return { type, rho: unit('rho', or(o.rho, 0.9)), epsilon: checkNumber('optimizer.epsilon', or(o.epsilon, 1e-7), 'positive'), momentum: unit('momentum', or(o.momentum, 0)) };
  const beta1 = unit('beta1', or(o.beta1, 0.9));
  const beta2 = unit('beta2', or(o.beta2, 0.999));
  const epsilon = checkNumber('optimizer.epsilon', or(o.epsilon, 1e-8), 'positive');
  if (type === 'adamw') return { type, beta1, beta2, epsilon, weightDecay: checkNumber('optimizer.weightDecay', or(o.weightDecay, 0.01), 'nonnegative'), decayBiases: checkBoolean('optimizer.decayBiases', or(o.decayBiases, false)) };
  return { type, beta1, beta2, epsilon };
}
