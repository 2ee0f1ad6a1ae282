import type { BatchReporter, BatchStats, Checkpoint, EpochPlan, TrainerBackend } from '../backend';
import { type NetSpec, fanIn } from '../config';
import type { Dense } from '../data';
import type { OptimizerState } from '../optimizer-state';
import type { Params } from '../params';
import { passBatches } from './batch-uniform';
import { BufferManager } from './buffers';
import type { GpuContext } from './context';
import { GpuDeviceLostError, GpuDisposedError } from './errors';
import { runInference } from './inference';
import { Launches } from './launches';
import { checkFits } from './limits';
import { DeviceParameters } from './parameters';
import { type StepProfile, profileLaunches } from './profiler';
import { TrainingRun, epochsPerSubmission } from './training';

/** Options the public model passes down. */
export interface GpuBackendOptions {
  /** Destroy the device on dispose (the model requested it itself). */
  ownsDevice: boolean;
  /** Largest storage binding to use, in bytes (defaults to the device's limit; tests lower it). */
  maxBindingBytes?: number;
}

/**
 * Builds the WebGPU trainer for `net`, uploading `params`. Checks the device's limits first.
 *
 * @example
 * const probe = await requestGpu();
 * const gpu = await createWebGpuBackend(net, params, probe.device!, { ownsDevice: true });
 */
export async function createWebGpuBackend(net: NetSpec, params: Params, device: GPUDevice, options: GpuBackendOptions): Promise<WebGpuBackend> {
  checkFits(device, 'weights of layer', net.layers.map((l, i) => fanIn(net, i) * l.units), options.maxBindingBytes);
  const backend = new WebGpuBackend(net, device, options);
  await backend.writeParams(params);
  return backend;
}

/**
 * The WebGPU trainer: parameters, gradients and optimizer state stay on the GPU. It composes the
 * parts in this folder — {@link DeviceParameters} (state, checkpoint, readback), {@link TrainingRun}
 * (the resident training set and the step's launches), {@link runInference} — and turns failures
 * of a lost device into {@link GpuDeviceLostError}.
 */
export class WebGpuBackend implements TrainerBackend {
  readonly name = 'webgpu' as const;
  readonly buffers: BufferManager;
  private readonly ctx: GpuContext;
  private readonly state: DeviceParameters;
  private train: TrainingRun | null = null;
  private disposed = false;
  /** Set when the device is lost; the reason the browser gave. */
  private lostReason: string | null = null;

  constructor(net: NetSpec, readonly device: GPUDevice, private readonly options: GpuBackendOptions) {
    this.buffers = new BufferManager(device);
    this.ctx = { net, device, buffers: this.buffers, launches: new Launches(device, this.buffers), maxBindingBytes: options.maxBindingBytes, checkAlive: () => this.checkAlive() };
    this.state = new DeviceParameters(this.ctx);
    device.lost.then((info) => {
      if (!this.disposed) this.lostReason = (info.message || info.reason || 'unknown').replace(/\.\s*$/, '');
    });
  }

  /** Runs `op`, turning a failure caused by a lost device into a {@link GpuDeviceLostError}. */
  private async guarded<T>(op: () => Promise<T>): Promise<T> {
    this.checkAlive();
    try {
      return await op();
    } catch (e) {
      if (e instanceof GpuDeviceLostError || this.disposed) throw e;
      if (this.lostReason === null) {
        // map failures can arrive before device.lost resolves: give it a moment
        await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 100))]);
      }
      throw this.lostReason !== null ? new GpuDeviceLostError(this.lostReason) : e;
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new GpuDisposedError();
    if (this.lostReason !== null) throw new GpuDeviceLostError(this.lostReason);
  }

  async setTrainingData(x: Dense, y: Dense, batchSize = 32): Promise<void> {
    this.checkAlive();
    const run = TrainingRun.create(this.ctx, this.state, x, y, batchSize);
    this.clearTrainingData();
    this.train = run;
  }

  clearTrainingData(): void {
    this.train?.release();
    this.train = null;
  }

  maxEpochsPerCall(batches: number): number {
    return this.train && this.train.batches === batches ? this.train.groupEpochs : epochsPerSubmission(batches);
  }

  trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[][]; stopped: boolean }> {
    const run = this.train;
    if (!run) throw new Error('trainEpochs called before setTrainingData');
    return this.guarded(() => run.trainEpochs(plans, report, signal));
  }

  async predict(x: Dense): Promise<Float64Array> {
    return (await this.guarded(() => runInference(this.ctx, this.state, x, null))).out!;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    const { lossSum, correct } = await this.guarded(() => runInference(this.ctx, this.state, x, y));
    return { lossSum, correct };
  }

  /**
   * Times each launch of `steps` training steps on `x`, `y` (see {@link StepProfile}); the
   * parameters and optimizer state are put back afterwards.
   */
  async profile(x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile> {
    return this.guarded(async () => {
      const saved = await this.state.read(true);
      const run = TrainingRun.create(this.ctx, this.state, x, y, plan.batchSize);
      try {
        const update = run.updateLaunches(plan);
        run.batchUniforms.write(passBatches(run.n, run.batchSize, { learningRate: plan.learningRate, optimizer: plan.optimizer, stepsBefore: plan.stepsBefore }));
        this.device.queue.writeBuffer(run.orderBuffer, 0, plan.order.buffer, plan.order.byteOffset, plan.order.byteLength);
        const launches = [...run.step, ...update];
        const { source, ms } = await profileLaunches(this.ctx, launches, run.batchUniforms, run.batches, steps);
        const timings = launches.map((d, i) => ({ label: d.label, kernel: d.kernel, workgroups: d.workgroups, ms: ms[i] }));
        return { source, steps, batchSize: run.batchSize, launches: timings, stepMs: ms.reduce((a, b) => a + b, 0) };
      } finally {
        run.release();
        this.state.writeParams(saved.params);
        if (saved.optimizer) this.state.writeOptimizerState(saved.optimizer);
        else this.state.resetOptimizer();
      }
    });
  }

  readParams(): Promise<Params> {
    return this.guarded(async () => (await this.state.read(false)).params);
  }

  async writeParams(p: Params): Promise<void> {
    this.checkAlive();
    this.state.writeParams(p);
  }

  resetOptimizer(): void {
    this.state.resetOptimizer();
  }

  readOptimizerState(): Promise<OptimizerState | null> {
    return this.guarded(async () => (await this.state.read(true)).optimizer);
  }

  async writeOptimizerState(s: OptimizerState): Promise<void> {
    this.checkAlive();
    this.state.writeOptimizerState(s);
  }

  /** The last consistent state on the host (end of the last epoch, or the last `writeParams`). */
  lastCheckpoint(): Checkpoint | null {
    return this.state.checkpoint;
  }

  dispose(): void {
    if (this.disposed) return;
    this.clearTrainingData();
    this.state.freeSlots();
    this.buffers.dispose();
    this.disposed = true;
    if (this.options.ownsDevice) this.device.destroy();
  }
}
