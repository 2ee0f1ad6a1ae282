import { USAGE } from '../usage';
import { fanIn } from '../../core/config';
import { BatchUniforms } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * The L2 term of every training step, on the device: ½ΣW² of each layer's weights, measured
 * before the step's update, written into the stats buffer after the steps' [loss, correct] pairs
 * (step s, layer l at pair `capacity + s·L + l`), so that a batch's reported loss is its whole
 * objective, loss + λ/(2m)·ΣW² (summed over the batch: + λ/2·ΣW²). It reuses two kernels under
 * a uniform of its own whose `rows` is the layer's fan-in: loss.wgsl's `sse` of W against zeros
 * (½Σ_j W[r, j]², one thread per row of W), then batch_stats' sum over the rows. A non-finite
 * term latches the divergence flag, as a non-finite loss does, so no update runs on such weights.
 *
 * @example
 * const penalty = PenaltyLaunches.create(ctx, state, stats, capacity);
 * penalty.encode(pass, s); // between step s's backward and its update
 */
export class PenaltyLaunches {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly uniforms: BatchUniforms,
    private readonly launches: Dispatch[][],
    private readonly owned: GPUBuffer[],
    /** Steps the stats buffer holds. */
    readonly capacity: number,
  ) {}

  /** Builds the launches for `capacity` steps over `stats` (which must hold capacity·(1 + L) pairs). */
  static create(ctx: GpuContext, state: DeviceParameters, stats: GPUBuffer, capacity: number): PenaltyLaunches {
    const { net, buffers, launches, device } = ctx;
    const L = net.layers.length;
    const fans = net.layers.map((_, l) => fanIn(net, l));
    const widest = Math.max(...net.layers.map((layer, l) => fans[l] * layer.units));
    const rowStats = buffers.create('L2 row sums', Math.max(...fans) * 8, STORAGE);
    const zeros = buffers.create('L2 zeros', widest * 4, STORAGE);
    const uniforms = new BatchUniforms(device, buffers, launches.cache, capacity * L, 'L2 term');
    const entries = [];
    for (let s = 0; s < capacity; s++) {
      for (let l = 0; l < L; l++) entries.push({ start: 0, rows: fans[l], step: 0, index: capacity + s * L + l, lr: 0, c1: 1, c2: 1 });
    }
    uniforms.write(entries);
    const perLayer = net.layers.map((layer, l) => [
      launches.loss({ a: state.W[l], y: zeros, delta: null, rowStats, cols: layer.units, rows: fans[l], loss: 'sse', activation: 'linear', writeDelta: false }),
      launches.batchStats({ rowStats, stats, flags: state.flags, rows: Math.max(...fans) }),
    ]);
    return new PenaltyLaunches(ctx, uniforms, perLayer, [rowStats, zeros], capacity);
  }

  /** Pair index, in the stats buffer, of layer `l`'s term at step `s`. */
  index(s: number, l: number): number {
    return this.capacity + s * this.launches.length + l;
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
