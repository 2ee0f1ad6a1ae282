import type { Activation } from '../../core/types';
import { FEATURE_KERNELS, activationCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** One element-wise step of a residual layer over the batch's rows × `cols` (residual.wgsl). */
export type ResidualOptions = { cols: number; rows: number; layer: number } & (
  /** Forward: dst = src + other (the layer's output after dropout plus its input). */
  | { op: 'sum'; src: GPUBuffer; other: GPUBuffer; dst: GPUBuffer }
  /** Backward: dst += src (the skip's gradient). */
  | { op: 'accumulate'; src: GPUBuffer; dst: GPUBuffer }
  /** Backward: dst = src ⊙ f'(aux), or dst ⊙= f'(aux) without `src` (aux: the layer's f(z), or z where it keeps z). */
  | { op: 'derivative'; src?: GPUBuffer; aux: GPUBuffer; dst: GPUBuffer; activation: Activation; alpha?: number }
);

/**
 * The launch of one residual step.
 *
 * @example
 * residualRequest({ op: 'sum', src: a1, other: a0, dst: sum1, cols: 64, rows: 32, layer: 1 }).entry; // 'sum'
 */
export function residualRequest(o: ResidualOptions): LaunchRequest {
  const k = FEATURE_KERNELS.residual;
  const params = { cols: o.cols };
  const workgroups = grid1d(o.rows * o.cols, k.entries.sum.workgroupSize[0]);
  const label = `residual ${o.op} ${o.layer}`;
  if (o.op === 'sum') return request(k, 'sum', { label, params, buffers: { src: o.src, other: o.other, dst: o.dst }, workgroups });
  if (o.op === 'accumulate') return request(k, 'accumulate', { label, params, buffers: { src: o.src, dst: o.dst }, workgroups });
  const constants = { ACTIVATION: activationCode(o.activation === 'softmax' ? 'linear' : o.activation), ACTIVATION_ALPHA: o.alpha ?? 0 };
  if (o.src) return request(k, 'derivative_of', { label, constants, params, buffers: { src: o.src, aux: o.aux, dst: o.dst }, workgroups });
  return request(k, 'scale', { label, constants, params, buffers: { aux: o.aux, dst: o.dst }, workgroups });
}
