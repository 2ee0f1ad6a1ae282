import type { Activation } from '../../core/types';
import { FEATURE_KERNELS, activationCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** The activation pass of a layer that keeps z (activate.wgsl), over the batch's rows × `cols` units. */
export interface ActivateOptions {
  /** `forward` writes dst = f(src); `backward` multiplies dst by f'(src) in place. */
  direction: 'forward' | 'backward';
  /** z. */
  src: GPUBuffer;
  dst: GPUBuffer;
  cols: number;
  rows: number;
  activation: Activation;
  /** The activation's alpha (leakyRelu). */
  alpha?: number;
  label: string;
}

/**
 * The launch of one direction of a layer's activation pass.
 *
 * @example
 * activateRequest({ direction: 'forward', src: z, dst: a, cols: 64, rows: 32, activation: 'gelu', label: 'gelu 0' }).entry; // 'forward'
 */
export function activateRequest(o: ActivateOptions): LaunchRequest {
  const k = FEATURE_KERNELS.activate;
  const parts = {
    label: o.label, params: { cols: o.cols }, buffers: { src: o.src, dst: o.dst },
    constants: { ACTIVATION: activationCode(o.activation), ACTIVATION_ALPHA: o.alpha ?? 0 },
    workgroups: grid1d(o.rows * o.cols, k.entries[o.direction].workgroupSize[0]),
  };
  // one call per entry point: each is checked against its own bindings
  return o.direction === 'forward' ? request(k, 'forward', parts) : request(k, 'backward', parts);
}
