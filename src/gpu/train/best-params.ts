import { USAGE } from '../usage';
import { fanIn } from '../../core/config';
import type { GpuContext } from '../context';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * Early stopping's best parameters on WebGPU: a device-side copy of every weight, bias and γ/β buffer (and batch norm's running estimates),
 * taken with buffer-to-buffer copies after an epoch that improved (no readback), and copied back
 * when training ends. Allocated on first use, freed with {@link BestParams.release}.
 *
 * @example
 * const best = new BestParams(ctx);
 * best.keep(state);    // after an improving epoch
 * best.restore(state); // when training ends
 */
export class BestParams {
  private readonly W: GPUBuffer[];
  private readonly B: GPUBuffer[];
  /** γ/β of the layers with norm (null for the others). */
  private readonly N: (GPUBuffer | null)[];
  /** Running mean and variance of the layers with norm 'batch' (null for the others). */
  private readonly S: (GPUBuffer | null)[];
  /** Whether a copy has been taken. */
  kept = false;

  constructor(private readonly ctx: GpuContext) {
    const { net, buffers } = ctx;
    this.W = net.layers.map((l, i) => buffers.create(`best W${i}`, fanIn(net, i) * l.units * 4, STORAGE));
    this.B = net.layers.map((l, i) => buffers.create(`best b${i}`, l.units * 4, STORAGE));
    this.N = net.layers.map((l, i) => (l.norm ? buffers.create(`best norm${i}`, 2 * l.units * 4, STORAGE) : null));
    this.S = net.layers.map((l, i) => (l.norm === 'batch' ? buffers.create(`best norm${i} running stats`, 2 * l.units * 4, STORAGE) : null));
  }

  private copy(state: DeviceParameters, back: boolean): void {
    const enc = this.ctx.device.createCommandEncoder({ label: back ? 'restore best parameters' : 'keep best parameters' });
    const norms = state.N.flatMap((n, i) => (n ? [[n, this.N[i]!]] : []));
    const stats = state.running.stats.flatMap((s, i) => (s ? [[s, this.S[i]!]] : []));
    const pairs = [...state.W.map((w, i) => [w, this.W[i]]), ...state.B.map((b, i) => [b, this.B[i]]), ...norms, ...stats];
    for (const [live, best] of pairs) {
      if (back) enc.copyBufferToBuffer(best, 0, live, 0, live.size);
      else enc.copyBufferToBuffer(live, 0, best, 0, live.size);
    }
    this.ctx.device.queue.submit([enc.finish()]);
  }

  /** Copies the current weights and biases into the best copy (queued after the training so far). */
  keep(state: DeviceParameters): void {
    this.copy(state, false);
    this.kept = true;
  }

  /** Copies the best weights and biases back into the live buffers; false when none were kept. */
  restore(state: DeviceParameters): boolean {
    if (!this.kept) return false;
    this.copy(state, true);
    return true;
  }

  release(): void {
    for (const b of [...this.W, ...this.B, ...this.N, ...this.S]) if (b) this.ctx.buffers.destroy(b);
  }
}
