// The trainer a model runs on now, and its hand-over to the CPU when the GPU device is lost.
import type { ResolvedConfig } from '../core/config';
import { GpuDeviceLostError } from '../core/errors';
import type { TrainerBackend } from '../core/trainer';
import type { FitBoundary, FitHost, TrainingProgress } from '../fit/loop';
import type { CallGuard } from './call-guard';
import { type Trainer, cpuFromCheckpoint } from './setup';
import { type AutoCall, AutoMove } from './auto-move';

/**
 * A model's current trainer, why it was chosen, and the adapter found; a lost WebGPU device
 * hands over to the CPU from the last checkpoint (rejecting too under `onDeviceLost: 'error'`).
 *
 * @example
 * const active = new ActiveBackend(net, await buildTrainer(net, params, opts), 'cpu', calls);
 * const out = await active.withFallback(() => active.impl.predict(x));
 */
export class ActiveBackend {
  impl: TrainerBackend;
  /** Why this backend trains (and the adapter, when one was found). */
  reason: string;
  /** The WebGPU adapter found, described in one line, or null. */
  readonly adapter: string | null;
  /** 'auto''s decision still to come at a fit (null once the backend is settled). */
  private readonly auto: AutoMove | null;

  constructor(
    private readonly net: ResolvedConfig,
    t: Trainer,
    private readonly onDeviceLost: 'cpu' | 'error',
    private readonly calls: CallGuard,
  ) {
    ({ impl: this.impl, reason: this.reason, adapter: this.adapter } = t);
    this.auto = t.later && (this.impl.name === 'wasm' || this.impl.name === 'cpu') ? new AutoMove(net, this.impl.name, t.later) : null;
    if (!this.auto) t.later?.release();
  }

  /**
   * Replaces a lost WebGPU backend with the CPU path from its last checkpoint (see
   * {@link cpuFromCheckpoint}); with `onDeviceLost: 'error'` the switch still happens but rejects.
   */
  async fallBackToCpu(err: GpuDeviceLostError, epoch: number | null, unit: 'epoch' | 'block' = 'epoch'): Promise<void> {
    if (this.calls.disposed) throw err;
    const next = await cpuFromCheckpoint(this.net, this.impl, err, epoch, unit);
    this.impl = next.impl;
    this.reason = next.reason;
    if (this.onDeviceLost === 'error') throw next.error;
  }

  /** Runs `op`; if the GPU device was lost, moves to the CPU from the last checkpoint (saying during which `epoch`, when given) and retries. */
  async withFallback<T>(op: () => Promise<T>, epoch: number | null = null, unit: 'epoch' | 'block' = 'epoch'): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof GpuDeviceLostError) || this.impl.name !== 'webgpu') throw err;
      await this.fallBackToCpu(err, epoch, unit);
      return op();
    }
  }

  /**
   * The model's side of the epoch loop: this trainer (as it changes), the counters `progress`
   * and the device-loss fallback.
   */
  fitHost(progress: TrainingProgress, call?: AutoCall): FitHost {
    const auto = this.auto?.pending ? this.auto : null;
    if (auto && call) auto.begin(call);
    return {
      atBoundary: auto && call ? (b) => this.atBoundary(auto, b, call, progress) : undefined,
      groupCap: auto ? (batches) => auto.groupCap(batches) : undefined,
      partCap: auto && call ? () => auto.partCap() : undefined,
      backend: () => this.impl,
      seed: this.net.seed,
      net: this.net,
      l2: this.net.l2,
      l1: this.net.l1,
      progress,
      fallBackToCpu: (err, epoch, unit) => this.fallBackToCpu(err, epoch, unit),
      withFallback: (op, epoch, unit) => this.withFallback(op, epoch, unit),
    };
  }

  /** 'auto' at a boundary of a fit: stays (saying why) or moves the run (see {@link AutoMove.atBoundary}). */
  private async atBoundary(auto: AutoMove, b: FitBoundary, call: AutoCall, progress: TrainingProgress): Promise<void> {
    if (this.calls.disposed) return;
    const next = await auto.atBoundary(b, call, this.impl, progress.steps);
    if (!next) return;
    if (next.impl) this.impl = next.impl;
    this.reason = next.reason;
  }

  /** Frees the trainer and any background work of 'auto'. */
  dispose(): void {
    this.auto?.dispose();
    this.impl.dispose();
  }
}
