import { USAGE } from '../usage';
import type { EpochPlan } from '../../core/trainer';
import { fanIn } from '../../core/config';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * The update launches of a training step: with `clipNorm`, the gradient norm's sums of squares
 * (clip.wgsl), then the optimizer launches. Built for a plan's optimizer and clipping, and kept
 * until those or the optimizer slots change.
 *
 * @example
 * const updates = new UpdateLaunches(ctx, state);
 * const update = updates.for(plan);
 */
export class UpdateLaunches {
  private launches: Dispatch[] = [];
  private key = '';
  /** The partial sums of squares of clipNorm (one per trained parameter buffer), once needed. */
  private norms: GPUBuffer | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly state: DeviceParameters,
  ) {}

  /** The launches for `plan`'s optimizer and clipping, rebuilt when they or the slots change. */
  for(plan: EpochPlan): Dispatch[] {
    const spec = JSON.stringify([plan.optimizer, plan.clip ?? null]);
    if (this.key === `${spec}#${this.state.slotsVersion}`) return this.launches;
    const version = this.state.slotsVersion;
    this.ctx.launches.release(this.launches);
    this.launches = this.build(plan);
    this.key = `${spec}#${this.state.slotsVersion}`;
    // (re)allocated slots: "before the last step" starts as the current state
    if (this.state.slotsVersion !== version) this.state.resetPrev('init before-last-step state', 'keep');
    return this.launches;
  }

  /** With clipping by norm, one sum of squares per trained parameter buffer; then the optimizer launches (which clip). */
  private build(plan: EpochPlan): Dispatch[] {
    const { net, launches, buffers } = this.ctx;
    const clip = plan.clip ?? null;
    if (!clip) return this.state.updateLaunches(plan.optimizer);
    const trained: [GPUBuffer, GPUBuffer, number, number, number][] = [];
    net.layers.forEach((_, l) => {
      trained.push([this.state.W[l], this.state.gW[l], fanIn(net, l) * net.layers[l].units, net.l2, net.l1]);
      if (net.useBias && !net.freezeBias) trained.push([this.state.B[l], this.state.gB[l], net.layers[l].units, 0, 0]);
      // γ/β count in the global norm as the CPU path counts them (always trained, no L2 or L1)
      const norm = this.state.N[l];
      if (norm) trained.push([norm, this.state.gN[l]!, 2 * net.layers[l].units, 0, 0]);
    });
    if (clip.norm !== null) this.norms ??= buffers.create('gradient norm parts', Math.max(16, trained.length * 4), STORAGE);
    const norms = clip.norm !== null ? this.norms : null;
    const sums = norms ? trained.map(([theta, grad, count, l2, l1], slot) => launches.sumSquares({ theta, grad, norms, count, l2, l1, slot })) : [];
    return [...sums, ...this.state.updateLaunches(plan.optimizer, { norm: clip.norm, value: clip.value, norms, slots: trained.length })];
  }

  /** Frees the launches' uniforms and the norm buffer. */
  release(): void {
    this.ctx.launches.release(this.launches);
    this.launches = [];
    this.key = '';
    if (this.norms) this.ctx.buffers.destroy(this.norms);
    this.norms = null;
  }
}
