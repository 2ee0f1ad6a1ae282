import { MAP_MODE_READ, USAGE } from '../usage';
import type { BatchStats } from '../../core/trainer';
import { isRegressionOutput } from '../../core/metrics';
import type { GpuContext } from '../context';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * What each training step reports, on the device and read back: its [loss, correct] pair, with L2
 * or L1 its layers' [Σ|W|, ΣW²] terms (after all steps' pairs), and for regression outputs [Σ|y − o|, Σ(y − o)²].
 *
 * @example
 * const stats = StepStats.create(ctx, 64);
 * const batches = await stats.read(0, 8, (s) => 32);
 */
export class StepStats {
  private constructor(
    private readonly ctx: GpuContext,
    /** Steps it holds. */
    readonly steps: number,
    /** Penalty terms a step (the layers, with L2 or L1; else 0). */
    private readonly terms: number,
    /** [loss, correct] per step, then the penalty terms. */
    readonly buffer: GPUBuffer,
    private readonly staging: GPUBuffer,
    /** Per-step regression metric sums, or null. */
    readonly metrics: GPUBuffer | null,
    private readonly metricsStaging: GPUBuffer | null,
  ) {}

  /** Allocates the stats of `steps` steps (the penalty terms and metrics only where the network has them). */
  static create(ctx: GpuContext, steps: number): StepStats {
    const { buffers, net } = ctx;
    const terms = net.l2 > 0 || net.l1 > 0 ? net.layers.length : 0;
    const pairs = steps * (1 + terms);
    const stats = buffers.create('batch stats', pairs * 8, STORAGE);
    const staging = buffers.create('batch stats staging', pairs * 8, USAGE.MAP_READ | USAGE.COPY_DST);
    const regression = isRegressionOutput(net);
    const metrics = regression ? buffers.create('batch metrics', steps * 8, STORAGE) : null;
    const metricsStaging = regression ? buffers.create('batch metrics staging', steps * 8, USAGE.MAP_READ | USAGE.COPY_DST) : null;
    return new StepStats(ctx, steps, terms, stats, staging, metrics, metricsStaging);
  }

  /** Pair index, in {@link StepStats.buffer}, of layer `l`'s penalty term [Σ|W|, ΣW²] at step `s`. */
  termIndex(s: number, l: number): number {
    return this.steps + s * this.terms + l;
  }

  /** Records the copy of steps [s0, s1)'s stats to the staging buffers. */
  copy(enc: GPUCommandEncoder, s0: number, s1: number): void {
    enc.copyBufferToBuffer(this.buffer, s0 * 8, this.staging, s0 * 8, (s1 - s0) * 8);
    if (this.metrics && this.metricsStaging) enc.copyBufferToBuffer(this.metrics, s0 * 8, this.metricsStaging, s0 * 8, (s1 - s0) * 8);
    if (this.terms > 0) {
      const from = this.termIndex(s0, 0) * 8;
      enc.copyBufferToBuffer(this.buffer, from, this.staging, from, this.termIndex(s1, 0) * 8 - from);
    }
  }

  /**
   * Reads steps [s0, s1)'s stats back (copied with {@link StepStats.copy}): each step's loss sum is
   * its whole objective, loss + λ/2·ΣW² + λ₁·Σ|W| with L2 and L1; `rowsOf(s)` is step s's batch size.
   */
  async read(s0: number, s1: number, rowsOf: (s: number) => number): Promise<BatchStats[]> {
    const st = this.staging;
    const lo = s0 * 8;
    const hi = (this.terms > 0 ? this.termIndex(s1, 0) : s1) * 8;
    const metrics = this.readMetrics(s0, s1);
    await st.mapAsync(MAP_MODE_READ, lo, hi - lo);
    const f = new Float32Array(st.getMappedRange(lo, hi - lo).slice(0));
    st.unmap();
    this.ctx.checkAlive();
    const out: BatchStats[] = [];
    for (let s = s0; s < s1; s++) {
      let lossSum = f[2 * (s - s0)];
      if (this.terms > 0) {
        let abs = 0;
        let squares = 0;
        for (let l = 0; l < this.terms; l++) {
          abs += f[2 * (this.termIndex(s, l) - s0)];
          squares += f[2 * (this.termIndex(s, l) - s0) + 1];
        }
        const { l2, l1 } = this.ctx.net;
        lossSum += (l2 > 0 ? (l2 / 2) * squares : 0) + (l1 > 0 ? l1 * abs : 0);
      }
      out.push({ lossSum, correct: f[2 * (s - s0) + 1], size: rowsOf(s) });
    }
    const m = await metrics;
    if (m) out.forEach((b, i) => Object.assign(b, { absErr: m[2 * i], sqErr: m[2 * i + 1] }));
    return out;
  }

  /** Reads steps [s0, s1)'s metric sums back (null without regression metrics); mapped alongside the stats. */
  private readMetrics(s0: number, s1: number): Promise<Float32Array | null> {
    const st = this.metricsStaging;
    if (!st) return Promise.resolve(null);
    const read = st.mapAsync(MAP_MODE_READ, s0 * 8, (s1 - s0) * 8).then(() => {
      const f = new Float32Array(st.getMappedRange(s0 * 8, (s1 - s0) * 8).slice(0));
      st.unmap();
      return f;
    });
    read.catch(() => {}); // awaited after the stats; a lost device is reported there
    return read;
  }

  /** Frees the buffers. */
  release(): void {
    for (const b of [this.buffer, this.staging, this.metrics, this.metricsStaging]) if (b) this.ctx.buffers.destroy(b);
  }
}
