import { FEATURE_KERNELS } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** Inverted dropout of one layer over the batch's rows × `cols` units (dropout.wgsl). */
export interface DropoutOptions {
  /** `forward` writes dst = src·mask/(1 − p); `backward` scales dst (a delta) in place. */
  direction: 'forward' | 'backward';
  src?: GPUBuffer;
  dst: GPUBuffer;
  cols: number;
  rows: number;
  layer: number;
  /** The mask's keep threshold (see dropoutThreshold in src/core/dropout-mask.ts). */
  threshold: number;
  /** 1 / (1 − p). */
  scale: number;
}

/**
 * The launch of one direction of inverted dropout.
 *
 * @example
 * dropoutRequest({ direction: 'backward', dst: delta, cols: 64, rows: 32, layer: 0, threshold, scale: 2 }).entry; // 'backward'
 */
export function dropoutRequest(o: DropoutOptions): LaunchRequest {
  const k = FEATURE_KERNELS.dropout;
  const label = `dropout ${o.direction} ${o.layer}`;
  const params = { cols: o.cols, layer: o.layer, threshold: o.threshold, scale: o.scale };
  const workgroups = grid1d(o.rows * o.cols, k.entries[o.direction].workgroupSize[0]);
  // one call per entry point: each binds its own buffers
  if (o.direction === 'forward') return request(k, 'forward', { label, params, buffers: { src: o.src ?? null, dst: o.dst }, workgroups });
  return request(k, 'backward', { label, params, buffers: { dst: o.dst }, workgroups });
}
