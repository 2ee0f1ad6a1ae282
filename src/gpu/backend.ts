import type { BatchReporter, Checkpoint, EpochPlan, TrainerBackend, TrainOutcome } from '../core/trainer';
import { type NetSpec, type ResolvedOptimizer, fanIn } from '../core/config';
import type { Dense } from '../core/data';
import type { OptimizerState } from '../core/optimizer-state';
import { type Params, checkFloat32Params } from '../core/params';
import { BufferManager } from './buffers';
import { DeviceBudget } from './budget';
import { unwatchDevice, watchDevice } from './device-watch';
import { checkDataFits, dataBytes } from './train/dataset';
import type { GpuContext } from './context';
import { GpuDeviceLostError, GpuDisposedError } from '../core/errors';
import { runInference } from './train/inference';
import { Launches } from './kernels/launches';
import { checkNetworkFits, checkOptimizerFits } from './limits';
import { optimizerSlots } from '../core/optimizer-state';
import { DeviceParameters } from './train/parameters';
import { BestParams } from './train/best-params';
import { profileTraining } from './profiler';
import type { StepProfile } from '../core/profile';
import { TrainingRun } from './train/training';
import { epochsPerSubmission } from './train/training-set';
import { type TuneMode, tunedVariant } from './tune/autotune';
import { prepareTraining } from './tune/training-timing';

/** Options the public model passes down. */
export interface GpuBackendOptions {
  /** Destroy the device on dispose (the model requested it itself). */
  ownsDevice: boolean;
  /** Largest storage binding to use, in bytes (defaults to the device's limit; tests lower it). */
  maxBindingBytes?: number;
  /** Most bytes the model may hold on the device (see `CreateOptions.maxDeviceBytes`). */
  maxDeviceBytes?: number;
  /** How much the matmul autotuner may measure (default `'fast'`; see {@link TuneMode}). */
  tune?: TuneMode;
}

/**
 * Builds the WebGPU trainer for `net`, uploading `params`. Checks the device's limits and that
 * float32 holds every parameter before allocating anything; an allocation the device cannot
 * satisfy (out of memory) is undone and refused with a RangeError.
 *
 * @example
 * const probe = await requestGpu();
 * const gpu = await createWebGpuBackend(net, params, probe.device!, { ownsDevice: true });
 */
export async function createWebGpuBackend(net: NetSpec, params: Params, device: GPUDevice, options: GpuBackendOptions): Promise<WebGpuBackend> {
  checkNetworkFits(device, net, options.maxBindingBytes);
  checkFloat32Params(net, params);
  device.pushErrorScope('out-of-memory');
  let backend: WebGpuBackend | null = null;
  try {
    backend = new WebGpuBackend(net, device, options);
    backend.uploadInitial(params);
  } catch (e) {
    // running out of memory outranks what was thrown
    await refuseIfOutOfMemory(device, net, backend);
    throw e;
  }
  await refuseIfOutOfMemory(device, net, backend);
  return backend;
}

/** Pops the out-of-memory scope pushed around building `backend`; when the device ran out, disposes it and throws a RangeError. */
async function refuseIfOutOfMemory(device: GPUDevice, net: NetSpec, backend: WebGpuBackend | null): Promise<void> {
  const error = await device.popErrorScope().catch(() => null);
  if (error && backend) {
    backend.dispose();
    throw new RangeError(`the GPU ran out of memory for this network's ${net.layers.map((l, i) => fanIn(net, i) * l.units).reduce((a, b) => a + b, 0)} weights: ${String(error.message).slice(0, 200)}`);
  }
}

/**
 * The WebGPU trainer: parameters, gradients and optimizer state stay on the GPU ({@link DeviceParameters}),
 * training runs over resident data ({@link TrainingRun}), inference in chunks ({@link runInference});
 * failures of a lost device become {@link GpuDeviceLostError}.
 *
 * @example
 * const gpu = await createWebGpuBackend(net, params, device, { ownsDevice: false });
 */
export class WebGpuBackend implements TrainerBackend {
  readonly name = 'webgpu' as const;
  readonly buffers: BufferManager;
  private readonly ctx: GpuContext;
  private readonly state: DeviceParameters;
  private readonly budget: DeviceBudget;
  private train: TrainingRun | null = null;
  /** Early stopping's best parameters, kept on the device. */
  private best: BestParams | null = null;
  private disposed = false;
  /** Set when the device is lost; the reason the browser gave. */
  private lostReason: string | null = null;

  constructor(net: NetSpec, readonly device: GPUDevice, private readonly options: GpuBackendOptions) {
    this.buffers = new BufferManager(device);
    const launches = new Launches(device, this.buffers, { tuned: (shape) => tunedVariant(device, shape) });
    this.ctx = { net, device, buffers: this.buffers, launches, maxBindingBytes: options.maxBindingBytes, checkAlive: () => this.checkAlive() };
    this.state = new DeviceParameters(this.ctx);
    this.budget = new DeviceBudget(device, this.buffers, options.maxDeviceBytes);
    watchDevice(device, this);
  }

  /** Called when the device is lost: later calls fail with {@link GpuDeviceLostError}. */
  markLost(reason: string): void {
    if (!this.disposed) this.lostReason = reason;
  }

  /** Uploads the first parameters (no await: part of {@link createWebGpuBackend}'s allocation scope). */
  uploadInitial(p: Params): void {
    this.state.writeParams(p);
  }

  /** Runs `op`, turning a failure caused by a lost device into a {@link GpuDeviceLostError}. */
  private async guarded<T>(op: () => Promise<T>): Promise<T> {
    this.checkAlive();
    try {
      return await op();
    } catch (e) {
      if (this.disposed) throw new GpuDisposedError();
      if (e instanceof GpuDeviceLostError) throw e;
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

  /**
   * Refuses, before anything is allocated or changed, training data or an optimizer whose buffers
   * would not fit the device's storage bindings.
   */
  checkTraining(x: Dense, y: Dense, batchSize: number, opt: ResolvedOptimizer): void {
    this.checkAlive();
    checkDataFits(this.ctx, x, y, Math.min(batchSize, x.rows), 'training');
    this.budget.check('training data', dataBytes(this.ctx, x, y, 'training'), 0, `stream it with model.fitDataset(source) in chunks${x.bytes ? '' : ', or pass the inputs as bytes (Uint8Array data with scale/offset)'}`, x.bytes ? 'bytes' : 'float32');
    checkOptimizerFits(this.device, this.ctx.net, optimizerSlots(opt), this.options.maxBindingBytes);
  }

  async setTrainingData(x: Dense, y: Dense, batchSize = 32, sampleWeights: Float64Array | null = null): Promise<void> {
    this.checkAlive();
    // tune the step's products, then build it with its pipelines compiled in parallel
    const run = await this.budget.allocating(`training data of ${x.rows} rows (${dataBytes(this.ctx, x, y, 'training').total} bytes)`, () =>
      prepareTraining(this.ctx, this.state, Math.min(batchSize, x.rows), this.options.tune ?? 'fast', () => TrainingRun.create(this.ctx, this.state, { x, y, batchSize, sampleWeights })),
    );
    this.clearTrainingData();
    this.train = run;
  }

  /** Bytes of the GPU buffers this backend holds now (parameters, optimizer state, training data, scratch). */
  get deviceBytes(): number {
    return this.buffers.bytes;
  }

  /** Streamed blocks' runs, one per slot (see {@link TrainingRun.createBlock}). */
  private blockRuns: (TrainingRun | null)[] = [null, null];

  async loadBlock(slot: number, x: Dense, y: Dense, batchSize: number, sampleWeights: Float64Array | null = null): Promise<void> {
    this.checkAlive();
    const have = this.blockRuns[slot];
    if (have && have.set.holds(x, y, sampleWeights) && have.set.batchSize === Math.min(batchSize, have.set.capacity)) {
      have.set.load(x, y, sampleWeights);
      return;
    }
    // a new slot, or a larger block: room for it (and for any block the old slot held)
    const capacity = Math.max(x.rows, have?.set.capacity ?? 0);
    this.budget.check(`a streamed block of ${capacity} rows`, dataBytes(this.ctx, { ...x, rows: capacity } as Dense, { ...y, rows: capacity } as Dense, 'training'), have ? have.set.dataBytes : 0, 'use smaller chunks (or a smaller shuffleWindow)');
    have?.release();
    this.blockRuns[slot] = null;
    // read when the run is built, after tuning: a block built while the other slot's block trains
    // must not touch the divergence state
    const build = () => TrainingRun.createBlock(this.ctx, this.state, { capacity, x, y, batchSize, start: this.blockRuns[1 - slot] ? 'queued' : 'new-call', weighted: sampleWeights !== null });
    const run = await this.budget.allocating(`a streamed block of ${capacity} rows`, () =>
      prepareTraining(this.ctx, this.state, Math.min(batchSize, capacity), this.options.tune ?? 'fast', build),
    );
    run.set.load(x, y, sampleWeights);
    this.blockRuns[slot] = run;
  }

  trainBlock(slot: number, plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    this.checkAlive();
    const run = this.blockRuns[slot];
    if (!run) throw new Error(`trainBlock: block slot ${slot} holds nothing`);
    return this.guarded(() => run.trainEpochs([plan], report, signal));
  }

  releaseBlocks(): void {
    for (const run of this.blockRuns) run?.release();
    this.blockRuns = [null, null];
    this.best?.release();
    this.best = null;
  }

  clearTrainingData(): void {
    this.train?.release();
    this.train = null;
    this.best?.release();
    this.best = null;
  }

  maxEpochsPerCall(batches: number): number {
    return this.train && this.train.set.batches === batches ? this.train.set.groupEpochs : epochsPerSubmission(batches);
  }

  trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    this.checkAlive();
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
  profile(x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile> {
    return this.guarded(() => profileTraining(this.ctx, this.state, x, y, plan, steps));
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
    if (!this.state.hasSlots) return this.guarded(async () => null);
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

  /** A device-side copy of the current parameters (no readback); freed with the training data. */
  keepBestParams(): void {
    this.checkAlive();
    (this.best ??= new BestParams(this.ctx)).keep(this.state);
  }

  /** Copies the kept parameters back on the device, then updates the host checkpoint (one readback). */
  restoreBestParams(): Promise<boolean> {
    return this.guarded(async () => {
      if (!this.best?.restore(this.state)) return false;
      await this.state.saveCheckpoint();
      return true;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.clearTrainingData();
    this.state.freeSlots();
    this.state.checkpoint = null;
    this.buffers.dispose();
    this.disposed = true;
    unwatchDevice(this.device, this);
    if (this.options.ownsDevice) this.device.destroy();
  }
}
