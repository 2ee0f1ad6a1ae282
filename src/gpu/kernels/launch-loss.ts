import type { Activation, LossName } from '../../core/types';
import { KERNELS, activationCode, lossCode } from './registry';
import { type LaunchRequest, grid1d, request } from './launch-request';

/** Per-row loss of outputs `a` against targets `y` (loss.wgsl). */
export interface LossOptions {
  a: GPUBuffer;
  y: GPUBuffer;
  /** Where the output delta goes (with `writeDelta`). */
  delta: GPUBuffer | null;
  /** Per-row [loss, correct]. */
  rowStats: GPUBuffer;
  cols: number;
  rows: number;
  loss: LossName;
  /** δ of the `huber` loss (default 1; the other losses do not read it). */
  huberDelta?: number;
  activation: Activation;
  /** The activation's alpha (leakyRelu, elu). */
  alpha?: number;
  writeDelta: boolean;
  /** One weight per row, multiplying its loss and delta. */
  sampleWeights?: GPUBuffer | null;
  /** Per-row [Σ|y − a|, Σ(y − a)²] (regression metrics). */
  rowMetrics?: GPUBuffer | null;
}

/**
 * The launch of the loss: per-row [loss, correct], and the output delta when `writeDelta`.
 *
 * @example
 * lossRequest({ a, y, delta, rowStats, cols: 10, rows: 64, loss: 'mse', activation: 'linear', writeDelta: true });
 */
export function lossRequest(o: LossOptions): LaunchRequest {
  const k = KERNELS.loss;
  return request(k, 'main', {
    label: `loss ${o.loss}`,
    constants: { LOSS: lossCode(o.loss), ACTIVATION: activationCode(o.activation), ACTIVATION_ALPHA: o.alpha ?? 0, WRITE_DELTA: o.writeDelta, WEIGHTED: !!o.sampleWeights, METRICS: !!o.rowMetrics },
    params: { cols: o.cols, huberDelta: o.huberDelta ?? 1 },
    buffers: { a: o.a, y: o.y, delta: o.delta, rowStats: o.rowStats, sampleWeights: o.sampleWeights ?? null, rowMetrics: o.rowMetrics ?? null },
    workgroups: grid1d(o.rows, k.entries.main.workgroupSize[0]),
  });
}
