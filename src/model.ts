import type { BatchStats, EpochPlan, TrainerBackend } from './backend';
import {
  type ResolvedConfig,
  type ResolvedOptimizer,
  checkInteger,
  checkNumber,
  describeValue,
  outputSize,
  resolveConfig,
  resolveOptimizer,
} from './config';
import { CpuBackend } from './cpu/backend';
import { type Dense, gatherRows, toInputs, toTargets } from './data';
import { type GpuProbe, describeInfo, requestGpu } from './gpu/device';
import { GpuDeviceLostError, type WebGpuBackend, createWebGpuBackend } from './gpu/trainer';
import { type Params, initParams, paramsFromArrays, paramsToArrays, parameterCount, sumSquaredWeights } from './params';
import { Rng } from './random';
import type { EpochLog, FitOptions, History, Inputs, ModelConfig, ModelJSON, Targets, Weights } from './types';
import { parseModelJSON } from './serialize';

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

/** Networks with fewer parameters than this train on the CPU under `backend: 'auto'`. */
export const AUTO_MIN_PARAMETERS = 20_000;

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
  /** Epochs trained so far, across `fit` calls: each epoch's shuffle is drawn from its own seeded stream. */
  private epochsTrained = 0;
  private optimizerKey = '';
  private steps = 0;
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
    const choice = config.backend;
    if (choice === 'cpu') return new MLP(config, new CpuBackend(config, params), "backend 'cpu' was requested", null);
    let probe: GpuProbe;
    if (options.device) {
      const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
      const { description, software } = info ? describeInfo(info) : { description: 'the device passed in', software: false };
      probe = { device: options.device, adapter: null, description, software };
    } else {
      probe = await requestGpu();
    }
    const count = parameterCount(config);
    if (!probe.device) {
      if (choice === 'webgpu') throw new Error(`backend 'webgpu' was requested but no WebGPU device is available: ${probe.description}`);
      return new MLP(config, new CpuBackend(config, params), `no WebGPU: ${probe.description}; training on the CPU`, null);
    }
    if (choice === 'auto' && (probe.software || count < AUTO_MIN_PARAMETERS)) {
      const why = probe.software
        ? `the WebGPU adapter is a software one (${probe.description}), slower than the CPU path`
        : `the network has ${count} parameters (< ${AUTO_MIN_PARAMETERS}), too small for the GPU to win`;
      if (!options.device) probe.device.destroy();
      return new MLP(config, new CpuBackend(config, params), `auto chose the CPU: ${why}`, probe.description);
    }
    const onDeviceLost = options.onDeviceLost ?? 'cpu';
    if (onDeviceLost !== 'cpu' && onDeviceLost !== 'error') throw new RangeError(`onDeviceLost must be 'cpu' or 'error', got ${describeValue(onDeviceLost)}`);
    if (options.maxBindingBytes !== undefined) checkInteger('maxBindingBytes', options.maxBindingBytes, 16);
    const gpu = await createWebGpuBackend(config, params, probe.device, { ownsDevice: !options.device, onDeviceLost, maxBindingBytes: options.maxBindingBytes });
    const reason = choice === 'webgpu' ? "backend 'webgpu' was requested" : `auto chose WebGPU: ${probe.description}, ${count} parameters`;
    const model = new MLP(config, gpu, reason, probe.description);
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

  private async fitUnlocked(x: Inputs, y: Targets, options: FitOptions): Promise<History> {
    if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${describeValue(options)}`);
    const epochs = checkInteger('epochs', options.epochs ?? 1);
    const learningRate = checkNumber('learningRate', options.learningRate ?? 0.01, 'positive');
    const optimizer = resolveOptimizer(options.optimizer);
    const shuffle = options.shuffle ?? true;
    if (typeof shuffle !== 'boolean') throw new TypeError(`shuffle must be a boolean, got ${describeValue(shuffle)}`);
    for (const cb of ['onEpochEnd', 'onBatchEnd'] as const) {
      if (options[cb] !== undefined && typeof options[cb] !== 'function') throw new TypeError(`${cb} must be a function, got ${describeValue(options[cb])}`);
    }
    const split = checkNumber('validationSplit', options.validationSplit ?? 0, 'nonnegative');
    if (split >= 1) throw new RangeError(`validationSplit must be in [0, 1), got ${split}`);
    const xAll = toInputs(x, this.config);
    const yAll = toTargets(y, this.config, xAll.rows);
    let train = { x: xAll, y: yAll };
    let val: { x: Dense; y: Dense } | null = null;
    if (options.validationData !== undefined) {
      const vd = options.validationData;
      if (!Array.isArray(vd) || vd.length !== 2) throw new TypeError(`validationData must be [x, y], got ${describeValue(vd)}`);
      const vx = toInputs(vd[0], this.config, 'validationData x');
      val = { x: vx, y: toTargets(vd[1], this.config, vx.rows, 'validationData y') };
    } else if (split > 0) {
      const nVal = Math.floor(xAll.rows * split);
      if (nVal < 1 || nVal >= xAll.rows) {
        throw new RangeError(`validationSplit ${split} of ${xAll.rows} samples leaves ${nVal} for validation and ${xAll.rows - nVal} for training; both need at least 1`);
      }
      const perm = new Rng(this.config.seed, 'split').permutation(xAll.rows);
      const nTrain = xAll.rows - nVal;
      const take = (d: Dense, start: number, count: number): Dense => ({ data: gatherRows(d, perm, start, count), rows: count, cols: d.cols });
      train = { x: take(xAll, 0, nTrain), y: take(yAll, 0, nTrain) };
      val = { x: take(xAll, nTrain, nVal), y: take(yAll, nTrain, nVal) };
    }
    const n = train.x.rows;
    const batchSize = Math.min(checkInteger('batchSize', options.batchSize ?? 32), n);
    const history: History = { epochs: [], stopped: false, backend: this.impl.name };
    await this.impl.setTrainingData(train.x, train.y, batchSize);
    this.useOptimizer(optimizer);
    try {
      const batches = Math.ceil(n / batchSize);
      // with nothing to report per epoch, short epochs are trained several per submission
      const grouping = !options.onEpochEnd && !options.onBatchEnd && !val;
      const onBatchEnd = options.onBatchEnd;
      let e = 1;
      while (e <= epochs) {
        if (options.signal?.aborted) {
          history.stopped = true;
          break;
        }
        const count = grouping ? Math.min(epochs - e + 1, this.impl.maxEpochsPerCall(batches)) : 1;
        const plans: EpochPlan[] = Array.from({ length: count }, (_, k) => ({
          order: shuffle ? this.epochOrder(this.epochsTrained + k, n) : Uint32Array.from({ length: n }, (_, i) => i),
          batchSize, learningRate, optimizer, stepsBefore: this.steps + k * batches,
        }));
        const epochNo = e;
        const report = onBatchEnd
          ? async (first: number, stats: BatchStats[]) => {
              for (let i = 0; i < stats.length; i++) {
                const s = stats[i];
                await onBatchEnd({ epoch: epochNo, batch: first + i + 1, batches, size: s.size, loss: s.lossSum / s.size, accuracy: s.correct / s.size });
              }
            }
          : null;
        const t0 = performance.now();
        let result: Awaited<ReturnType<TrainerBackend['trainEpochs']>>;
        try {
          result = await this.impl.trainEpochs(plans, report, options.signal);
        } catch (err) {
          if (!(err instanceof GpuDeviceLostError)) throw err;
          // the GPU is gone: continue from the last completed epoch on the CPU (or report it)
          await this.fallBackToCpu(err, e);
          await this.impl.setTrainingData(train.x, train.y, batchSize);
          result = await this.impl.trainEpochs(plans, report, options.signal);
        }
        const seconds = (performance.now() - t0) / 1000;
        const samplesInCall = result.stats.reduce((a, st) => a + st.reduce((b, x) => b + x.size, 0), 0);
        let ended = false;
        for (const stats of result.stats) {
          const bad = stats.findIndex((st) => !Number.isFinite(st.lossSum));
          // on divergence the backend undid the update that produced the non-finite loss
          this.steps += bad >= 0 ? bad - 1 : stats.length;
          if (bad >= 0) {
            throw new Error(
              `training diverged: the loss became ${stats[bad].lossSum / stats[bad].size} at epoch ${e}, batch ${bad + 1} of ${batches}; ` +
                `training stopped and the weights are those after the last step whose loss was finite (step ${this.steps} of this optimizer). ` +
                `Try a lower learningRate (currently ${learningRate}).`,
            );
          }
          let lossSum = 0;
          let correct = 0;
          let seen = 0;
          for (const st of stats) {
            lossSum += st.lossSum;
            correct += st.correct;
            seen += st.size;
          }
          if (seen === 0) {
            ended = true;
            break;
          }
          const share = (seconds * seen) / Math.max(samplesInCall, 1);
          const log: EpochLog = { epoch: e, loss: lossSum / seen, accuracy: correct / seen, samplesPerSecond: seen / Math.max(share, 1e-9), seconds: share };
          if (val) {
            const v = await this.withFallback(() => this.impl.evaluate(val!.x, val!.y));
            log.valLoss = v.lossSum / val.x.rows;
            log.valAccuracy = v.correct / val.x.rows;
          }
          history.epochs.push(log);
          this.epochsTrained++;
          e++;
          if (options.onEpochEnd) await options.onEpochEnd(log);
        }
        if (ended || result.stopped) {
          history.stopped = true;
          break;
        }
      }
    } finally {
      this.impl.clearTrainingData();
    }
    history.backend = this.impl.name;
    return history;
  }

  /**
   * Replaces a lost WebGPU backend with the CPU path, starting from the GPU's last checkpoint
   * (parameters and optimizer state at the end of the last completed epoch). With
   * `onDeviceLost: 'error'` the switch still happens (nothing is lost) but the error is rethrown.
   */
  private async fallBackToCpu(err: GpuDeviceLostError, epoch: number | null): Promise<void> {
    const gpu = this.impl as WebGpuBackend;
    const saved = gpu.lastCheckpoint?.();
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

  /** The sample order of the model's `index`-th epoch: a permutation drawn from the seed. */
  private epochOrder(index: number, n: number): Uint32Array {
    return new Rng(this.config.seed, `shuffle ${index}`).permutation(n);
  }

  private useOptimizer(opt: ResolvedOptimizer): void {
    const key = JSON.stringify(opt);
    if (key !== this.optimizerKey) {
      this.impl.resetOptimizer();
      this.optimizerKey = key;
      this.steps = 0;
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
    if (this.config.l2 > 0) loss += (this.config.l2 / (2 * dx.rows)) * sumSquaredWeights(await this.withFallback(() => this.impl.readParams()));
    return { loss, accuracy: correct / dx.rows };
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
