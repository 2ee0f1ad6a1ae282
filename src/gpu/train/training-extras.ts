import { MAP_MODE_READ, USAGE } from '../usage';
import type { BatchStats, EpochPlan } from '../../core/trainer';
import { fanIn } from '../../core/config';
import { isRegressionOutput } from '../../core/metrics';
import type { GpuContext } from '../context';
import { uploadMatrix } from './dataset';
import type { DeviceMatrix } from '../kernels/device-matrix';
import type { Dispatch } from '../kernels/launches';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * What a training run holds for the optional training features, beside the plain step: the
 * training rows' sample weights on the device (gathered per batch, see step.ts), the per-step
 * regression metric sums with their staging buffer, and gradient clipping by the global norm
 * (clip.wgsl's sums of squares before the optimizer launches, which read them).
 *
 * @example
 * const extras = TrainingExtras.create(ctx, weights, steps);
 * forwardLaunches(ctx, state, ws, { ...sources, weights: extras.weights, metrics: extras.metrics });
 */
export class TrainingExtras {
  /** The partial sums of squares of clipNorm (one per trained parameter buffer), once needed. */
  private norms: GPUBuffer | null = null;

  private constructor(
    private readonly ctx: GpuContext,
    /** One weight per training row, or null. */
    readonly weights: DeviceMatrix | null,
    /** Per-step [Σ|y − o|, Σ(y − o)²] (regression outputs), or null. */
    readonly metrics: GPUBuffer | null,
    private readonly metricsStaging: GPUBuffer | null,
  ) {}

  /** Uploads `sampleWeights` (when given) and, for regression outputs, allocates metric sums for `steps` steps. */
  static create(ctx: GpuContext, sampleWeights: Float64Array | null, steps: number): TrainingExtras {
    const weights = sampleWeights ? uploadMatrix(ctx, 'sample weights', { data: sampleWeights, rows: sampleWeights.length, cols: 1 }) : null;
    const regression = isRegressionOutput(ctx.net);
    const metrics = regression ? ctx.buffers.create('batch metrics', steps * 8, STORAGE) : null;
    const staging = regression ? ctx.buffers.create('batch metrics staging', steps * 8, USAGE.MAP_READ | USAGE.COPY_DST) : null;
    return new TrainingExtras(ctx, weights, metrics, staging);
  }

  /**
   * The update launches of `plan`: with `clipNorm`, one sum of squares per trained parameter
   * buffer, then the optimizer launches (which clip by norm and/or value).
   */
  updateLaunches(state: DeviceParameters, plan: EpochPlan): Dispatch[] {
    const { net, launches, buffers } = this.ctx;
    const clip = plan.clip ?? null;
    if (!clip) return state.updateLaunches(plan.optimizer);
    const trained: [GPUBuffer, GPUBuffer, number, number][] = [];
    net.layers.forEach((_, l) => {
      trained.push([state.W[l], state.gW[l], fanIn(net, l) * net.layers[l].units, net.l2]);
      if (net.useBias && !net.freezeBias) trained.push([state.B[l], state.gB[l], net.layers[l].units, 0]);
    });
    if (clip.norm !== null) this.norms ??= buffers.create('gradient norm parts', Math.max(16, trained.length * 4), STORAGE);
    const norms = clip.norm !== null ? this.norms : null;
    const sums = norms ? trained.map(([theta, grad, count, l2], slot) => launches.sumSquares({ theta, grad, norms, count, l2, slot })) : [];
    return [...sums, ...state.updateLaunches(plan.optimizer, { norm: clip.norm, value: clip.value, norms, slots: trained.length })];
  }

  /** Records the copy of steps [s0, s1)'s metric sums to the staging buffer. */
  copyMetrics(enc: GPUCommandEncoder, s0: number, s1: number): void {
    if (this.metrics && this.metricsStaging) enc.copyBufferToBuffer(this.metrics, s0 * 8, this.metricsStaging, s0 * 8, (s1 - s0) * 8);
  }

  /** Reads steps [s0, s1)'s metric sums back (null without regression metrics). */
  readMetrics(s0: number, s1: number): Promise<Float32Array | null> {
    const st = this.metricsStaging;
    if (!st) return Promise.resolve(null);
    const read = st.mapAsync(MAP_MODE_READ, s0 * 8, (s1 - s0) * 8).then(() => {
      const f = new Float32Array(st.getMappedRange(s0 * 8, (s1 - s0) * 8).slice(0));
      st.unmap();
      return f;
    });
    read.catch(() => {}); // awaited by the caller after the stats; a lost device is reported there
    return read;
  }

  /** Adds the metric sums `f` (steps from the first of `stats`) to `stats`. */
  static merge(stats: BatchStats[], f: Float32Array | null): BatchStats[] {
    if (f) stats.forEach((s, i) => Object.assign(s, { absErr: f[2 * i], sqErr: f[2 * i + 1] }));
    return stats;
  }

  /** Frees the buffers (the launches' uniforms are freed with the run's launches). */
  release(): void {
    for (const b of [...(this.weights?.buffers ?? []), this.metrics, this.metricsStaging, this.norms]) if (b) this.ctx.buffers.destroy(b);
  }
}
