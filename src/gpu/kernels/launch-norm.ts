import type { Activation } from '../../core/types';
import { FEATURE_KERNELS, activationCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** Where a normalized layer's buffers are: its product's z (overwritten with x̂), 1/σ per row, γ then β. */
interface NormBuffers {
  /** `[rows, cols]`: z from the product, x̂ after the forward. */
  xhat: GPUBuffer;
  /** `[rows]`: 1/√(σ² + ε) of each row. */
  invStd: GPUBuffer;
  /** `[2 · cols]`: γ, then β. */
  gammaBeta: GPUBuffer;
  cols: number;
  rows: number;
  layer: number;
  /** The layer's ε. */
  eps: number;
}

/** One step of a layer's normalization over the batch's rows × `cols` units (norm.wgsl). */
export type NormOptions = NormBuffers & (
  /** Forward: x̂ and 1/σ, then dst = f(γ ⊙ x̂ + β); with `pre`, also y = γ ⊙ x̂ + β there (KEEP_PRE). */
  | { op: 'forward'; dst: GPUBuffer; pre: GPUBuffer | null; activation: Activation; alpha?: number }
  /** Backward: `grads` = [Σ_rows g ⊙ x̂, Σ_rows g], then `delta` from ∂loss/∂y to ∂loss/∂z in place. */
  | { op: 'paramGrads'; delta: GPUBuffer; grads: GPUBuffer }
  | { op: 'backward'; delta: GPUBuffer }
);

/**
 * The launch of one normalization step: a workgroup per row for the forward and backward, a
 * thread per unit for γ and β's gradients.
 *
 * @example
 * normRequest({ op: 'backward', delta, xhat, invStd, gammaBeta, cols: 65, rows: 32, layer: 1, eps: 1e-5 }).workgroups; // [32, 1]
 */
export function normRequest(o: NormOptions): LaunchRequest {
  const k = FEATURE_KERNELS.norm;
  const params = { cols: o.cols, eps: o.eps };
  const perRow = grid1d(o.rows, 1);
  if (o.op === 'paramGrads') {
    const workgroups = grid1d(o.cols, k.entries.param_grads.workgroupSize[0]);
    return request(k, 'param_grads', { label: `norm gradients ${o.layer}`, params, buffers: { xhat: o.xhat, delta: o.delta, grads: o.grads }, workgroups });
  }
  if (o.op === 'backward') {
    return request(k, 'backward', { label: `norm backward ${o.layer}`, params, buffers: { gammaBeta: o.gammaBeta, xhat: o.xhat, invStd: o.invStd, delta: o.delta }, workgroups: perRow });
  }
  // softmax is applied by its own pass after this one, as after a product (activate() leaves it);
  // without y to keep, `pre` is bound to a placeholder that KEEP_PRE false never writes
  const constants = { ACTIVATION: activationCode(o.activation), ACTIVATION_ALPHA: o.alpha ?? 0, KEEP_PRE: o.pre !== null };
  const buffers = { gammaBeta: o.gammaBeta, xhat: o.xhat, invStd: o.invStd, dst: o.dst, pre: o.pre };
  return request(k, 'forward', { label: `norm forward ${o.layer}`, constants, params, buffers, workgroups: perRow });
}
