import type { TrainerBackend } from './backend';
import { AUTO_MIN_PARAMETERS, pickBackend } from './backend-choice';
import { type ResolvedConfig, type ResolvedOptimizer, checkInteger, checkNumber, describeValue, outputSize, resolveConfig, resolveOptimizer } from './config';
import { CpuBackend } from './cpu/backend';
import { toInputs, toTargets } from './data';
import { type FitHost, type TrainingProgress, runEpochs } from './fit-loop';
import { resolveFitPlan } from './fit-options';
import { createWebGpuBackend } from './gpu/backend';
import { GpuDeviceLostError } from './gpu/errors';
import type { StepProfile } from './gpu/profiler';
import { type Params, initParams, paramsFromArrays, paramsToArrays, parameterCount, l2Penalty } from './params';
import type { FitOptions, History, Inputs, ModelConfig, ModelJSON, ProfileOptions, Targets, Weights } from './types';
import { parseModelJSON } from './serialize';

/** Networks with fewer parameters than this train on the CPU under `backend: 'auto'`. */
export { AUTO_MIN_PARAMETERS };

/** Options for creating a model, beyond its config. */
export interface CreateOptions {
  /** Use this WebGPU device instead of requesting one (e.g. to share it between models). */
  device?: GPUDevice;
  /**
   * What to do if the GPU device is lost during `fit`: `'cpu'` (default) finishes on the CPU from
   * the last completed step; `'error'` rejects.
   */
  onDeviceLost?: 'cpu' | 'error';
  /**
   * Largest GPU storage binding to use, in bytes (default: the device's `maxStorageBufferBindingSize`).
   * Data larger than one binding is split over up to four.
   */
  maxBindingBytes?: number;
}

/**
 * A multilayer perceptron that trains on WebGPU or on the CPU with the same API and numbers.
 *
 * @example
 * const model = await MLP.create({
 *   inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
 *   loss: 'binaryCrossEntropy', seed: 7,
 * });
 * await model.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], { epochs: 500, batchSize: 4, learningRate: 0.5 });
 * console.log(await model.predict([[1, 0]])); // ≈ [[1]]
 */
export class MLP {
  /** The validated configuration, defaults filled in. */
  readonly config: ResolvedConfig;
  private impl: TrainerBackend;
  private reason: string;
  private adapter: string | null;
  private fitting = false;
  private disposed = false;
  /** Epochs trained and optimizer steps taken so far, across `fit` calls. */
  private readonly progress: TrainingProgress = { epochsTrained: 0, steps: 0 };
  private optimizerKey = '';
  private onDeviceLost: 'cpu' | 'error' = 'cpu';

  private constructor(config: ResolvedConfig, impl: TrainerBackend, reason: string, adapter: string | null) {
    this.config = config;
    this.impl = impl;
    this.reason = reason;
    this.adapter = adapter;
  }

  /**
   * Validates `config`, initializes the parameters (from the seed, or `weights`/`biases`) and
   * picks the backend. Throws a `RangeError`/`TypeError` naming the first bad value.
   */
  static async create(config: ModelConfig, options: CreateOptions = {}): Promise<MLP> {
    const resolved = resolveConfig(config);
    const params =
      config.weights !== undefined ? paramsFromArrays(resolved, config.weights, config.biases) : initParams(resolved);
    if (config.weights === undefined && config.biases !== undefined) {
      const explicit = paramsFromArrays(resolved, paramsToArrays(resolved, params).weights, config.biases);
      params.biases = explicit.biases;
    }
    return MLP.withParams(resolved, params, options);
  }

  private static async withParams(config: ResolvedConfig, params: Params, options: CreateOptions): Promise<MLP> {
    const pick = await pickBackend(config, options.device);
    if (!pick.device) return new MLP(config, new CpuBackend(config, params), pick.reason, pick.adapter);
    const onDeviceLost = options.onDeviceLost ?? 'cpu';
    if (onDeviceLost !== 'cpu' && onDeviceLost !== 'error') throw new RangeError(`onDeviceLost must be 'cpu' or 'error', got ${describeValue(onDeviceLost)}`);
    if (options.maxBindingBytes !== undefined) checkInteger('maxBindingBytes', options.maxBindingBytes, 16);
    const gpu = await createWebGpuBackend(config, params, pick.device, { ownsDevice: !options.device, maxBindingBytes: options.maxBindingBytes });
    const model = new MLP(config, gpu, pick.reason, pick.adapter);
    model.onDeviceLost = onDeviceLost;
    return model;
  }

  /** The backend now training: `'cpu'` or `'webgpu'`. */
  get backend(): 'cpu' | 'webgpu' {
    return this.impl.name;
  }

  /** Why this backend was chosen (and the adapter, when one was found). */
  get backendReason(): string {
    return this.reason;
  }

  /** The WebGPU adapter found, described in one line, or null. */
  get adapterDescription(): string | null {
    return this.adapter;
  }

  /** Number of trainable values (weights and biases). */
  get parameterCount(): number {
    return parameterCount(this.config);
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new Error(`${what} called after dispose(): this model's resources are freed; create a new model`);
  }

  /**
   * Trains on `x`, `y`. Validates everything first (a bad option or datum throws before any
   * change), refuses a second concurrent call, and resolves with the history.
   *
   * @example
   * const h = await model.fit(x, y, { epochs: 10, batchSize: 32, learningRate: 0.1, optimizer: 'adam' });
   * console.log(h.epochs.at(-1)?.loss);
   */
  async fit(x: Inputs, y: Targets, options: FitOptions = {}): Promise<History> {
    this.checkUsable('fit()');
    if (this.fitting) throw new Error('fit() is already running on this model; await the first call before starting another');
    this.fitting = true;
    try {
      return await this.fitUnlocked(x, y, options);
    } finally {
      this.fitting = false;
    }
  }

  /** Validate (options and data → a plan), prepare the backend, run the epochs, report the history. */
  private async fitUnlocked(x: Inputs, y: Targets, options: FitOptions): Promise<History> {
    const plan = resolveFitPlan(options, x, y, this.config);
    const history: History = { epochs: [], stopped: false, backend: this.impl.name };
    await this.impl.setTrainingData(plan.train.x, plan.train.y, plan.batchSize);
    this.useOptimizer(plan.optimizer);
    try {
      await runEpochs(this.fitHost(), plan, history);
    } finally {
      this.impl.clearTrainingData();
    }
    history.backend = this.impl.name;
    return history;
  }

  /** The model's side of the epoch loop: its current backend, counters and device-loss fallback. */
  private fitHost(): FitHost {
    return {
      backend: () => this.impl,
      seed: this.config.seed,
      progress: this.progress,
      fallBackToCpu: (err, epoch) => this.fallBackToCpu(err, epoch),
      withFallback: (op) => this.withFallback(op),
    };
  }

  /**
   * Replaces a lost WebGPU backend with the CPU path, starting from the GPU's last checkpoint
   * (parameters and optimizer state at the end of the last completed epoch). With
   * `onDeviceLost: 'error'` the switch still happens (nothing is lost) but the error is rethrown.
   */
  private async fallBackToCpu(err: GpuDeviceLostError, epoch: number | null): Promise<void> {
    const gpu = this.impl;
    const saved = gpu.lastCheckpoint();
    if (!saved) throw new Error(`${err.message}; no checkpoint was available to continue from`);
    const cpu = new CpuBackend(this.config, saved.params);
    if (saved.optimizer) await cpu.writeOptimizerState(saved.optimizer);
    try {
      gpu.dispose();
    } catch {
      // the device is gone already
    }
    const where = epoch === null ? '' : ` during epoch ${epoch}`;
    this.impl = cpu;
    this.reason = `${err.message}${where}; continued on the CPU from the last completed epoch`;
    if (this.onDeviceLost === 'error') {
      throw new GpuDeviceLostError(
        `${err.message.replace(/^the WebGPU device was lost: /, '')}${where}. onDeviceLost is 'error', so training stopped; ` +
          'the model now holds the weights of the last completed epoch on the CPU backend',
      );
    }
  }

  /** Runs `op`; if the GPU device was lost, moves to the CPU from the last checkpoint and retries. */
  private async withFallback<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof GpuDeviceLostError) || this.impl.name !== 'webgpu') throw err;
      await this.fallBackToCpu(err, null);
      return op();
    }
  }

  private useOptimizer(opt: ResolvedOptimizer): void {
    const key = JSON.stringify(opt);
    if (key !== this.optimizerKey) {
      this.impl.resetOptimizer();
      this.optimizerKey = key;
      this.progress.steps = 0;
    }
  }

  /**
   * Output activations for each row of `x`.
   *
   * @example
   * const [[p]] = await model.predict([[0.05, 0.1]]);
   */
  async predict(x: Inputs): Promise<number[][]> {
    const { data, shape } = await this.predictMatrix(x);
    return Array.from({ length: shape[0] }, (_, r) => Array.from(data.subarray(r * shape[1], (r + 1) * shape[1])));
  }

  /** Like {@link MLP.predict}, as one flat `[rows, outputs]` array (no per-row allocation). */
  async predictMatrix(x: Inputs): Promise<{ data: Float64Array; shape: [number, number] }> {
    this.checkUsable('predict()');
    const d = toInputs(x, this.config);
    const data = await this.withFallback(() => this.impl.predict(d));
    return { data, shape: [d.rows, outputSize(this.config)] };
  }

  /**
   * Mean loss (plus the L2 term λ/(2m)·ΣW² when `l2` is set) and accuracy on `x`, `y`.
   *
   * @example
   * const { loss, accuracy } = await model.evaluate(xTest, yTest);
   */
  async evaluate(x: Inputs, y: Targets): Promise<{ loss: number; accuracy: number }> {
    this.checkUsable('evaluate()');
    const dx = toInputs(x, this.config);
    const dy = toTargets(y, this.config, dx.rows);
    const { lossSum, correct } = await this.withFallback(() => this.impl.evaluate(dx, dy));
    let loss = lossSum / dx.rows;
    if (this.config.l2 > 0) loss += l2Penalty(this.config.l2, await this.withFallback(() => this.impl.readParams()), dx.rows);
    return { loss, accuracy: correct / dx.rows };
  }

  /**
   * Where a training step's GPU time goes: runs `steps` training steps on `x`, `y` (batches of
   * `batchSize`, plain SGD unless `optimizer` says otherwise) and returns each kernel launch's mean
   * GPU time, from `timestamp-query` where the adapter has it (else each launch is submitted and
   * awaited alone). The model's weights and optimizer state are left as they were. WebGPU only.
   *
   * @example
   * const p = await model.profile(x, y, { batchSize: 64, steps: 10 });
   * for (const l of p.launches) console.log(l.label, l.kernel, l.ms.toFixed(3), 'ms');
   */
  async profile(x: Inputs, y: Targets, options: ProfileOptions = {}): Promise<StepProfile> {
    this.checkUsable('profile()');
    if (this.fitting) throw new Error('profile() called while fit() is running');
    if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describeValue(options)}`);
    const steps = checkInteger('steps', options.steps ?? 10, 1, 10_000);
    const learningRate = checkNumber('learningRate', options.learningRate ?? 0.01, 'positive');
    const optimizer = resolveOptimizer(options.optimizer);
    const dx = toInputs(x, this.config);
    const dy = toTargets(y, this.config, dx.rows);
    const batchSize = Math.min(checkInteger('batchSize', options.batchSize ?? 32), dx.rows);
    if (!this.impl.profile) throw new Error(`profile() times GPU kernels, but this model trains on the ${this.impl.name} backend (${this.reason})`);
    const order = Uint32Array.from({ length: dx.rows }, (_, i) => i);
    return this.impl.profile(dx, dy, { order, batchSize, learningRate, optimizer, stepsBefore: 0 }, steps);
  }

  /** The current weights and biases as nested arrays (read back from the GPU on demand). */
  async getWeights(): Promise<Weights> {
    this.checkUsable('getWeights()');
    return paramsToArrays(this.config, await this.withFallback(() => this.impl.readParams()));
  }

  /** Replaces weights and biases; shapes and finiteness are checked first. */
  async setWeights(w: Weights): Promise<void> {
    this.checkUsable('setWeights()');
    if (this.fitting) throw new Error('setWeights() called while fit() is running');
    if (w === null || typeof w !== 'object') throw new TypeError(`setWeights expects {weights, biases}, got ${describeValue(w)}`);
    await this.impl.writeParams(paramsFromArrays(this.config, w.weights, w.biases));
  }

  /** The model as a versioned, JSON-safe object: `JSON.stringify(await model.toJSON())`. */
  async toJSON(): Promise<ModelJSON> {
    this.checkUsable('toJSON()');
    const { initializer, seed, inputSize, layers, loss, useBias, freezeBias, l2 } = this.config;
    const w = paramsToArrays(this.config, await this.withFallback(() => this.impl.readParams()));
    return {
      format: 'webgpu-mlp',
      version: 1,
      config: { inputSize, layers: layers.map((l) => ({ ...l })), loss, useBias, freezeBias, l2, initializer, seed },
      weights: w.weights,
      biases: w.biases,
    };
  }

  /**
   * Rebuilds a model from {@link MLP.toJSON}'s output (an object or its JSON string). Everything is
   * validated (format, version, sizes, finiteness) before anything is allocated.
   */
  static async fromJSON(json: unknown, config: Pick<ModelConfig, 'backend'> = {}, options: CreateOptions = {}): Promise<MLP> {
    const parsed = parseModelJSON(json);
    const resolved = resolveConfig({ ...parsed.config, backend: config.backend });
    return MLP.withParams(resolved, paramsFromArrays(resolved, parsed.weights, parsed.biases), options);
  }

  /** Frees the GPU buffers (and the device, if this model requested it). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.impl.dispose();
  }
}
