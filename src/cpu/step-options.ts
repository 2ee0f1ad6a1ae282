import type { EpochPlan } from '../core/trainer';
import { type Dense, gatherRows } from '../core/data';
import { batchDropKey } from '../core/dropout-mask';
import type { StepOptions } from './network';

/**
 * What batch `b` of an epoch plan adds to a plain step on the CPU path: its learning rate (from
 * the schedule's per-step rates, else the plan's rate), its dropout key, and its rows' weights
 * (`weights`, one per training row, gathered through the plan's order from `start` for `m` rows).
 * The WebGPU path puts the same rate and key into the batch uniform (src/gpu/batch-uniform.ts).
 *
 * @example
 * const step = batchStep(plan, 0, null, 0, 32); // { learningRate: plan.learningRate, weights: null }
 */
export function batchStep(plan: EpochPlan, b: number, weights: Dense | null, start: number, m: number): StepOptions & { learningRate: number } {
  const learningRate = plan.learningRates?.[b] ?? plan.learningRate;
  const rows = weights ? gatherRows(weights, plan.order, start, m) : null;
  return plan.dropKey === undefined ? { learningRate, weights: rows, training: true } : { learningRate, weights: rows, training: true, dropKey: batchDropKey(plan.dropKey, (plan.firstBatch ?? 0) + b) };
}
