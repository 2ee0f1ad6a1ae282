import { FEATURE_KERNELS } from './registry';
import { type LaunchRequest, request } from './launch-request';

/** norms[slot] = Σ ((grad + l2·θ + l1·sign(θ)) / rows)² over `count` parameters (clip.wgsl `sum_squares`). */
export interface SumSquaresOptions {
  theta: GPUBuffer;
  grad: GPUBuffer;
  norms: GPUBuffer;
  count: number;
  l2: number;
  /** λ₁ of the L1 term (default 0: none). */
  l1?: number;
  slot: number;
  label?: string;
}

/**
 * The launch of one parameter buffer's part of the gradient's global norm: one workgroup.
 *
 * @example
 * sumSquaresRequest({ theta: W, grad: gW, norms, count: 7840, l2: 0, slot: 0 }).workgroups; // [1, 1]
 */
export function sumSquaresRequest(o: SumSquaresOptions): LaunchRequest {
  return request(FEATURE_KERNELS.clip, 'sum_squares', {
    label: o.label ?? `sum of squares ${o.slot}`,
    params: { count: o.count, l2: o.l2, l1: o.l1 ?? 0, slot: o.slot }, buffers: { theta: o.theta, grad: o.grad, norms: o.norms }, workgroups: [1, 1],
  });
}
