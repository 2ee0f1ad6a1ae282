import type { Activation } from '../../core/types';
import { FEATURE_KERNELS, activationCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** What every batch-norm launch names: the layer's width, ε and momentum, and its index (for labels). */
interface BatchNormShape {
  cols: number;
  layer: number;
  /** The layer's ε. */
  eps: number;
  /** The running estimates' momentum (PyTorch's convention). */
  momentum: number;
}

/** One step of a layer's batch normalization over the batch's rows × `cols` units (batch-norm.wgsl). */
export type BatchNormOptions = BatchNormShape & (
  /** Training forward: μ, σ² into `moments`, x̂ in place of z in `xhat`, 1/σ per unit, dst = f(γ ⊙ x̂ + β) (and y into `pre`). */
  | { op: 'forward'; xhat: GPUBuffer; invStd: GPUBuffer; moments: GPUBuffer; gammaBeta: GPUBuffer; dst: GPUBuffer; pre: GPUBuffer | null; activation: Activation; alpha?: number }
  /** Inference forward: x̂ from the running estimates `stats` in place of z, dst = f(γ ⊙ x̂ + β). */
  | { op: 'infer'; xhat: GPUBuffer; stats: GPUBuffer; gammaBeta: GPUBuffer; dst: GPUBuffer; activation: Activation; alpha?: number }
  /** The running estimates take the batch's `moments` (the previous ones into `prev`), unless `flags[0]` is set. */
  | { op: 'runningUpdate'; moments: GPUBuffer; stats: GPUBuffer; prev: GPUBuffer; flags: GPUBuffer }
  /** Backward: `grads` = [Σ_rows g ⊙ x̂, Σ_rows g], then `delta` from ∂loss/∂y to ∂loss/∂z in place. */
  | { op: 'backward'; xhat: GPUBuffer; invStd: GPUBuffer; gammaBeta: GPUBuffer; delta: GPUBuffer; grads: GPUBuffer }
);

/**
 * The launch of one batch-normalization step: a thread per unit, looping over the batch's rows.
 *
 * @example
 * batchNormRequest({ op: 'runningUpdate', moments, stats, prev, flags, cols: 65, layer: 1, eps: 1e-5, momentum: 0.1 }).workgroups; // [2, 1]
 */
export function batchNormRequest(o: BatchNormOptions): LaunchRequest {
  const k = FEATURE_KERNELS.batchNorm;
  const params = { cols: o.cols, eps: o.eps, momentum: o.momentum };
  const workgroups = grid1d(o.cols, k.entries.backward.workgroupSize[0]);
  if (o.op === 'backward') {
    const buffers = { gammaBeta: o.gammaBeta, xhat: o.xhat, invStd: o.invStd, delta: o.delta, grads: o.grads };
    return request(k, 'backward', { label: `batch norm backward ${o.layer}`, params, buffers, workgroups });
  }
  if (o.op === 'runningUpdate') {
    const buffers = { moments: o.moments, stats: o.stats, prev: o.prev, flags: o.flags };
    return request(k, 'running_update', { label: `batch norm running update ${o.layer}`, params, buffers, workgroups });
  }
  // softmax is applied by its own pass after this one, as after a product (activate() leaves it)
  const constants = { ACTIVATION: activationCode(o.activation), ACTIVATION_ALPHA: o.alpha ?? 0 };
  if (o.op === 'infer') {
    const buffers = { gammaBeta: o.gammaBeta, xhat: o.xhat, stats: o.stats, dst: o.dst };
    return request(k, 'infer', { label: `batch norm inference ${o.layer}`, constants, params, buffers, workgroups });
  }
  // without y to keep, `pre` is bound to a placeholder that KEEP_PRE false never writes
  const buffers = { gammaBeta: o.gammaBeta, xhat: o.xhat, invStd: o.invStd, moments: o.moments, dst: o.dst, pre: o.pre };
  return request(k, 'forward', { label: `batch norm forward ${o.layer}`, constants: { ...constants, KEEP_PRE: o.pre !== null }, params, buffers, workgroups });
}
