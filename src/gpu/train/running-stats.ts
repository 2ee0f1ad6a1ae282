// Batch normalization's state on the device: per layer with norm 'batch', the running mean and
// variance (`Params.normStats[l]`, [2 · units]), their copy from before the latest update (the
// divergence guard restores it with the step it undoes) and the batch's moments the training
// forward leaves for the running update (batch-norm.wgsl). Not parameters: no gradient, no slots.
import { USAGE } from '../usage';
import { initialNormStats } from '../../core/norm-params';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Largest magnitude float32 holds (a larger running estimate would read back as ±Infinity). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The running estimates of a network's batch-normalized layers on the device (null entries for
 * the other layers; every list empty of buffers when no layer has norm 'batch').
 *
 * @example
 * const running = new DeviceRunningStats(ctx);
 * running.write(params.normStats); // Float64Array per batch-normed layer, as float32 holds it
 */
export class DeviceRunningStats {
  /** Running mean then variance (`[2 · units]`) of each layer with norm 'batch'. */
  readonly stats: (GPUBuffer | null)[];
  /** The same, from before the latest running update. */
  readonly prev: (GPUBuffer | null)[];
  /** The latest training batch's μ then biased σ² per unit. */
  readonly moments: (GPUBuffer | null)[];

  constructor(private readonly ctx: GpuContext) {
    const { net, buffers } = ctx;
    const each = (what: string) => net.layers.map((l, i) => (l.norm === 'batch' ? buffers.create(`norm${i} ${what}`, 2 * l.units * 4, STORAGE) : null));
    this.stats = each('running stats');
    this.prev = each('running stats before last step');
    this.moments = each('batch moments');
  }

  /** Whether any layer has batch normalization. */
  get present(): boolean {
    return this.stats.some((s) => s);
  }

  /** Copies the running estimates into `prev` (or back, with `restore`), in `enc`. */
  copyPrev(enc: GPUCommandEncoder, restore: boolean): void {
    this.stats.forEach((s, i) => {
      const p = this.prev[i];
      if (!s || !p) return;
      if (restore) enc.copyBufferToBuffer(p, 0, s, 0, s.size);
      else enc.copyBufferToBuffer(s, 0, p, 0, s.size);
    });
  }

  /** Each batch-normed layer's running update (after the step's optimizer launches; skipped once `flags[0]` is set). */
  updateLaunches(flags: GPUBuffer): Dispatch[] {
    const { net, launches } = this.ctx;
    return this.stats.flatMap((stats, l) => {
      if (!stats) return [];
      const layer = net.layers[l];
      return [launches.batchNorm({ op: 'runningUpdate', moments: this.moments[l]!, stats, prev: this.prev[l]!, flags, cols: layer.units, layer: l, eps: layer.normEpsilon!, momentum: layer.normMomentum! })];
    });
  }

  /** The running-estimate buffers with their element counts, in layer order (for a readback). */
  parts(): { buf: GPUBuffer; n: number }[] {
    // 2 · units, not the buffer's size: the buffer manager may round small buffers up
    return this.stats.flatMap((s, l) => (s ? [{ buf: s, n: 2 * this.ctx.net.layers[l].units }] : []));
  }

  /**
   * Writes `normStats` (a missing list or entry: the initial 0 and 1) and returns what the device
   * holds, as `Params.normStats`; undefined without batch norm. Refuses values float32 cannot hold.
   */
  write(normStats: (Float64Array | null)[] | undefined): (Float64Array | null)[] | undefined {
    if (!this.present) return undefined;
    return this.check(normStats).map((a, l) => {
      if (!a) return null;
      const single = Float32Array.from(a);
      this.ctx.device.queue.writeBuffer(this.stats[l]!, 0, single);
      return new Float64Array(single);
    });
  }

  /** The values {@link write} would write (checked; nothing written), one entry per layer. */
  check(normStats: (Float64Array | null)[] | undefined): (Float64Array | null)[] {
    const initial = initialNormStats(this.ctx.net);
    const values = this.stats.map((s, l) => (s ? (normStats?.[l] ?? initial![l]!) : null));
    values.forEach((a, l) => {
      const j = a ? a.findIndex((v) => !(Math.abs(v) <= FLOAT32_MAX)) : -1;
      if (j < 0) return;
      const units = this.ctx.net.layers[l].units;
      const name = j < units ? `runningMean[${j}]` : `runningVar[${j - units}]`;
      throw new RangeError(`norms[${l}].${name} must be a finite number float32 can hold (WebGPU computes in float32), got ${a![j]}`);
    });
    return values;
  }
}
