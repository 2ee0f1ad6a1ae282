// The trainer a model runs on now, and its hand-over to the CPU when the GPU device is lost.
import type { ResolvedConfig } from '../core/config';
import { GpuDeviceLostError } from '../core/errors';
import type { TrainerBackend } from '../core/trainer';
import type { FitHost, TrainingProgress } from '../fit/loop';
import type { CallGuard } from './call-guard';
import { type Trainer, cpuFromCheckpoint } from './setup';

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

  constructor(
    private readonly net: ResolvedConfig,
    t: Trainer,
    private readonly onDeviceLost: 'cpu' | 'error',
    private readonly calls: CallGuard,
  ) {
    ({ impl: this.impl, reason: this.reason, adapter: this.adapter } = t);
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
  fitHost(progress: TrainingProgress): FitHost {
    return {
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
}
