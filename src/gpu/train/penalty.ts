import { USAGE } from '../usage';
import { fanIn } from '../../core/config';
import { BatchUniforms } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';
import type { DeviceParameters } from './parameters';
import type { StepStats } from './step-stats';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * The L2 and L1 terms of every training step on the device: each layer's [Σ|W|, ΣW²], measured
 * before the step's update into the step's stats (see {@link StepStats.termIndex}), so that a
 * batch's reported loss is its whole objective. A non-finite term latches the divergence flag.
 *
 * @example
 * const penalty = PenaltyLaunches.create(ctx, state, stats);
 * penalty.encode(pass, s); // between step s's backward and its update
 */
export class PenaltyLaunches {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly uniforms: BatchUniforms,
    private readonly launches: Dispatch[][],
    private readonly owned: GPUBuffer[],
  ) {}

  /** Builds the launches for every step `stats` holds (which must have room for the penalty terms). */
  static create(ctx: GpuContext, state: DeviceParameters, stats: StepStats): PenaltyLaunches {
    const { net, buffers, launches, device } = ctx;
    const L = net.layers.length;
    const fans = net.layers.map((_, l) => fanIn(net, l));
    const widest = Math.max(...net.layers.map((layer, l) => fans[l] * layer.units));
    const rowStats = buffers.create('penalty row losses', Math.max(...fans) * 8, STORAGE);
    const rowSums = buffers.create('penalty row sums', Math.max(...fans) * 8, STORAGE);
    const zeros = buffers.create('penalty zeros', widest * 4, STORAGE);
    const uniforms = new BatchUniforms(device, buffers, launches.cache, stats.steps * L, 'penalty term');
    const entries = [];
    for (let s = 0; s < stats.steps; s++) {
      for (let l = 0; l < L; l++) entries.push({ start: 0, rows: fans[l], step: 0, index: stats.termIndex(s, l), lr: 0, c1: 1, c2: 1 });
    }
    uniforms.write(entries);
    return new PenaltyLaunches(ctx, uniforms, PenaltyLaunches.perLayer(ctx, state, stats.buffer, rowStats, rowSums, zeros), [rowStats, rowSums, zeros]);
  }

  /**
   * Each layer's two launches. They reuse two kernels under a uniform of their own whose `rows` is
   * the layer's fan-in: loss.wgsl of W against zeros with its METRICS sums (row r's [Σ_j |W[r, j]|,
   * Σ_j W[r, j]²], one thread per row of W; its loss is not read), then batch_stats' sum over the
   * rows into the term's pair, latching the divergence flag as a non-finite loss does, so that no
   * update runs on such weights. Summed over the batch, the objective's λ/(2m)·ΣW² + λ₁/m·Σ|W| is
   * λ/2·ΣW² + λ₁·Σ|W|: the host weighs the pair by λ/2 and λ₁.
   */
  private static perLayer(ctx: GpuContext, state: DeviceParameters, stats: GPUBuffer, rowStats: GPUBuffer, rowSums: GPUBuffer, zeros: GPUBuffer): Dispatch[][] {
    const { net, launches } = ctx;
    const fans = net.layers.map((_, l) => fanIn(net, l));
    return net.layers.map((layer, l) => [
      launches.loss({ a: state.W[l], y: zeros, delta: null, rowStats, rowMetrics: rowSums, cols: layer.units, rows: fans[l], loss: 'sse', activation: 'linear', writeDelta: false }),
      launches.batchStats({ rowStats: rowSums, stats, flags: state.flags, rows: Math.max(...fans) }),
    ]);
  }

  /** Records step `s`'s launches (after its backward pass, before its update). */
  encode(pass: GPUComputePassEncoder, s: number): void {
    this.launches.forEach((d, l) => this.ctx.launches.encode(pass, d, this.uniforms, s * this.launches.length + l));
  }

  /** Frees the launches' uniforms and buffers. */
  release(): void {
    this.ctx.launches.release(this.launches.flat());
    for (const b of this.owned) this.ctx.buffers.destroy(b);
    this.uniforms.destroy();
  }
}
