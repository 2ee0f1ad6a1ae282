/**
 * An epoch plan's settings in the form the generated code reads them: the optimizer's code and
 * hyper-parameters and the clipping in the control block, and per batch the table entry (its rows
 * in the order array, its learning rate, Adam's bias corrections and its dropout key).
 */
import { CTRL, OPTIMIZER, TABLE } from './control';
import type { WasmMemory } from './memory';
import type { ResolvedOptimizer } from '../core/config';
import type { ClipSettings } from '../core/optimizer-state';
import type { EpochPlan } from '../core/trainer';
import { batchDropKey } from '../core/dropout-mask';

/** Writes `opt`'s code and hyper-parameters, the slots it uses (`slots`) and `clip` into the control block. */
export function writeOptimizer(mem: WasmMemory, opt: ResolvedOptimizer, slots: number, clip: ClipSettings | null | undefined): void {
  const v = mem.view();
  const i = (field: number, value: number) => v.setUint32(field, value, true);
  const f = (field: number, value: number) => v.setFloat32(field, value, true);
  i(CTRL.optimizer, opt.type === 'adamw' ? OPTIMIZER.adam : OPTIMIZER[opt.type]);
  i(CTRL.nesterov, opt.type === 'momentum' && opt.nesterov ? 1 : 0);
  i(CTRL.decayBiases, opt.type === 'adamw' && opt.decayBiases ? 1 : 0);
  f(CTRL.momentum, opt.type === 'momentum' || opt.type === 'rmsprop' ? opt.momentum : 0);
  f(CTRL.beta1, opt.type === 'adam' || opt.type === 'adamw' ? opt.beta1 : 0);
  f(CTRL.beta2, opt.type === 'adam' || opt.type === 'adamw' ? opt.beta2 : 0);
  f(CTRL.epsilon, opt.type === 'adam' || opt.type === 'adamw' || opt.type === 'rmsprop' ? opt.epsilon : 0);
  f(CTRL.rho, opt.type === 'rmsprop' ? opt.rho : 0);
  f(CTRL.weightDecay, opt.type === 'adamw' ? opt.weightDecay : 0);
  i(CTRL.slotCount, slots);
  f(CTRL.clipNorm, clip?.norm ?? 0);
  f(CTRL.clipValue, clip?.value ?? Infinity);
}

/**
 * Writes the table entries of `plans` (epoch k's order at k·n in the order array, its batches
 * after the previous epochs') and the orders themselves; returns the number of entries.
 *
 * @example
 * const total = writePlans(mem, plans, n, 32); // then train(0, total)
 */
export function writePlans(mem: WasmMemory, plans: EpochPlan[], n: number, batchSize: number): number {
  const v = mem.view();
  const { table, order } = mem.layout;
  let e = 0;
  plans.forEach((plan, k) => {
    mem.u32(order + k * n * 4, n).set(plan.order);
    const opt = plan.optimizer;
    const betas = opt.type === 'adam' || opt.type === 'adamw' ? [opt.beta1, opt.beta2] : null;
    for (let start = 0, b = 0; start < n; start += batchSize, b++, e++) {
      const at = table + e * TABLE.bytes;
      const t = plan.stepsBefore + b + 1;
      v.setUint32(at + TABLE.orderAt, k * n + start, true);
      v.setUint32(at + TABLE.rows, Math.min(batchSize, n - start), true);
      v.setUint32(at + TABLE.dropKey, plan.dropKey === undefined ? 0 : batchDropKey(plan.dropKey, (plan.firstBatch ?? 0) + b), true);
      v.setUint32(at + TABLE.flags, plan.dropKey === undefined ? 0 : 1, true);
      v.setFloat32(at + TABLE.lr, plan.learningRates?.[b] ?? plan.learningRate, true);
      v.setFloat32(at + TABLE.c1, betas ? 1 - betas[0] ** t : 1, true);
      v.setFloat32(at + TABLE.c2, betas ? 1 - betas[1] ** t : 1, true);
    }
  });
  return e;
}
