import { KERNELS } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** Row-wise softmax of `z` in place (softmax.wgsl). */
export interface SoftmaxOptions {
  z: GPUBuffer;
  cols: number;
  rows: number;
}

/**
 * The launch of a row-wise softmax.
 *
 * @example
 * softmaxRequest({ z: logits, cols: 10, rows: 64 }).label; // 'softmax'
 */
export function softmaxRequest(o: SoftmaxOptions): LaunchRequest {
  const k = KERNELS.softmax;
  return request(k, 'main', { label: 'softmax', params: { cols: o.cols }, buffers: { z: o.z }, workgroups: grid1d(o.rows, k.entries.main.workgroupSize[0]) });
}
