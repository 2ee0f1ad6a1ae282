import type { ResolvedOptimizer } from '../../core/config';
import { KERNELS, optimizerCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** Gradient clipping of an update: by the global norm (the `norms` slots clip.wgsl fills) and/or by value. */
export interface OptimizerClip {
  norm: number | null;
  value: number | null;
  norms: GPUBuffer | null;
  slots: number;
}

/** One optimizer step over `count` parameters (optimizer.wgsl). */
export interface OptimizerOptions {
  theta: GPUBuffer;
  grad: GPUBuffer;
  s1: GPUBuffer | null;
  s2: GPUBuffer | null;
  /** Where the state before the step goes: [θ | s1 | s2]. */
  prev: GPUBuffer;
  /** Nothing runs while flags[0] (the divergence latch) is set. */
  flags: GPUBuffer;
  count: number;
  l2: number;
  /** λ₁ of the L1 term (default 0: none). */
  l1?: number;
  opt: ResolvedOptimizer;
  label?: string;
  /** A bias buffer (AdamW decays biases only with `decayBiases`). */
  bias?: boolean;
  clip?: OptimizerClip;
}

/**
 * The launch of one optimizer step; settings fixed for a whole fit are pipeline constants.
 *
 * @example
 * optimizerRequest({ theta, grad, s1: null, s2: null, prev, flags, count: 100, l2: 0, opt: resolveOptimizer('sgd') });
 */
export function optimizerRequest(o: OptimizerOptions): LaunchRequest {
  const k = KERNELS.optimizer;
  const opt = o.opt;
  const adam = opt.type === 'adam' || opt.type === 'adamw';
  const params = {
    count: o.count, l2: o.l2, l1: o.l1 ?? 0,
    momentum: opt.type === 'momentum' || opt.type === 'rmsprop' ? opt.momentum : 0,
    beta1: adam ? opt.beta1 : 0,
    beta2: adam ? opt.beta2 : opt.type === 'rmsprop' ? opt.rho : 0, // rmsprop's ρ plays β₂'s role
    epsilon: adam || opt.type === 'rmsprop' ? opt.epsilon : 0,
  };
  // the defaults leave these constants off, so the common pipelines are shared
  const constants: Record<string, number | boolean> = { OPTIMIZER: optimizerCode(opt.type) };
  if (opt.type === 'momentum' && opt.nesterov) constants.NESTEROV = true;
  if (opt.type === 'adamw' && (!o.bias || opt.decayBiases) && opt.weightDecay > 0) constants.WEIGHT_DECAY = opt.weightDecay;
  if (o.clip?.norm) Object.assign(constants, { CLIP_NORM: o.clip.norm, NORM_SLOTS: o.clip.slots });
  if (o.clip?.value) constants.CLIP_VALUE = o.clip.value;
  return request(k, 'main', {
    label: o.label ?? `optimizer ${opt.type}`, constants, params,
    buffers: { theta: o.theta, grad: o.grad, s1: o.s1, s2: o.s2, prev: o.prev, flags: o.flags, norms: o.clip?.norms ?? null },
    workgroups: grid1d(o.count, k.entries.main.workgroupSize[0]),
  });
}
