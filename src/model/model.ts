import type { TrainerBackend } from '../core/trainer';
import { AUTO_MIN_PARAMETERS } from './backend-choice';
import { type ResolvedConfig, type ResolvedOptimizer, frozenConfig, outputSize } from '../core/config';
import { toInputs, toTargets } from '../core/data';
import { type FitHost, type TrainingProgress, runEpochs } from '../fit/loop';
import { resolveStreamPlan, runStream } from '../fit/stream';
import type { DatasetSource } from '../streams/chunk';
import { linkSignal, resolveFitPlan, resolveProfilePlan } from '../fit/options';
import { WebGpuBackend } from '../gpu/backend';
import { GpuDeviceLostError } from '../core/errors';
import type { StepProfile } from '../core/profile';
import { readRecord } from '../core/inspect';
import { type CreateOptions, type Trainer, buildTrainer, configAndParams, cpuFromCheckpoint, fromJSONParts, resolveCreateOptions } from './setup';
import { type Params, paramsFromArrays, paramsToArrays, parameterCount, l2Penalty } from '../core/params';
import type { FitDatasetOptions, FitOptions, History, Inputs, ModelConfig, ModelJSON, ProfileOptions, Targets, Weights } from '../core/types';
import { modelJSON } from './serialize';
import { isRegressionOutput, metricsOf } from '../core/metrics';

/** Networks with fewer parameters than this train on the CPU under `backend: 'auto'`. */
export { AUTO_MIN_PARAMETERS, type CreateOptions };

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
  /** The validated configuration, defaults filled in: a frozen copy (changing it is not possible). */
  readonly config: ResolvedConfig;
  /** The model's own copy of the configuration, which the backends use. */
  private readonly net: ResolvedConfig;
  private impl: TrainerBackend;
  private reason: string;
  private readonly adapter: string | null;
  /** The training call running now (`'fit()'` or `'fitDataset()'`), or null. */
  private fitting: string | null = null;
  private disposed = false;
  /** Epochs trained and optimizer steps taken so far, across `fit` calls. */
  private readonly progress: TrainingProgress = { epochsTrained: 0, steps: 0 };
  private optimizerKey = '';

  private constructor(config: ResolvedConfig, t: Trainer, private readonly onDeviceLost: 'cpu' | 'error') {
    this.net = config;
    this.config = frozenConfig(config);
    ({ impl: this.impl, reason: this.reason, adapter: this.adapter } = t);
  }

  /**
   * Validates `config` and `options` (unknown names refused with the closest valid one; sizes
   * capped before anything is allocated), initializes the parameters (from the seed, or
   * `weights`/`biases`) and picks the backend. Throws a `RangeError`/`TypeError` naming the first
   * bad value.
   */
  static async create(config: ModelConfig, options: CreateOptions = {}): Promise<MLP> {
    const opts = resolveCreateOptions(options);
    const { resolved, params } = configAndParams(config);
    return new MLP(resolved, await buildTrainer(resolved, params, opts), opts.onDeviceLost);
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

  /**
   * Bytes this model holds on the GPU now (0 on the CPU backend): parameters, optimizer state and,
   * while `fit` or `fitDataset` runs, its training data and scratch.
   *
   * @example
   * await model.fit(x, y, { onEpochEnd: () => console.log(model.deviceBytes) });
   */
  get deviceBytes(): number {
    return this.impl instanceof WebGpuBackend ? this.impl.deviceBytes : 0;
  }

  /** Number of trainable values (weights and biases). */
  get parameterCount(): number {
    return parameterCount(this.net);
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new Error(`${what} called after dispose(): this model's resources are freed; create a new model`);
  }

  /**
   * Runs a public operation: refused after `dispose()`, and when `dispose()` lands while it runs,
   * it rejects with one clear "disposed" error whatever the backend was doing.
   */
  private async guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    this.checkUsable(what);
    const interrupted = () => new Error(`${what} did not finish: dispose() was called while it ran, so this model's resources are freed; create a new model`);
    let out: T;
    try {
      out = await op();
    } catch (e) {
      throw this.disposed ? interrupted() : e;
    }
    if (this.disposed) throw interrupted();
    return out;
  }

  /**
   * Trains on `x`, `y`. Validates everything first (a bad option or datum throws before any
   * change), refuses a second concurrent call, and resolves with the history. On divergence it
   * rejects, and the model keeps the state of the last step that stayed finite.
   *
   * @example
   * const h = await model.fit(x, y, { epochs: 10, batchSize: 32, learningRate: 0.1, optimizer: 'adam' });
   * console.log(h.epochs.at(-1)?.loss);
   */
  async fit(x: Inputs, y: Targets, options: FitOptions = {}): Promise<History> {
    return this.exclusive('fit()', () => {
      const plan = resolveFitPlan(options, x, y, this.net, this.impl.name);
      if (this.impl instanceof WebGpuBackend) this.impl.checkTraining(plan.train.x, plan.train.y, plan.batchSize, plan.optimizer);
      return this.training(plan.optimizer, plan.hooks.signal, async (history, signal) => {
        // a device lost before training starts: the whole fit runs on the CPU
        await this.withFallback(() => this.impl.setTrainingData(plan.train.x, plan.train.y, plan.batchSize, plan.features.sampleWeights), 1);
        try {
          await runEpochs(this.fitHost(), plan, history, signal);
        } finally {
          this.impl.clearTrainingData();
        }
      });
    });
  }

  /**
   * Trains on a stream of `{ x, y }` chunks (any form `fit` takes, bytes included) that need not
   * fit in memory: each epoch reads `source` again (pass a function returning a fresh iterable,
   * or an array, for more than one epoch); chunks are checked one at a time, batches run across
   * chunk boundaries, and the next block uploads while the current one trains. With
   * `shuffle: false` it gives the same weights as `fit` on all the rows in stream order. A bad
   * chunk, a source that throws or an empty source rejects naming the chunk, and the model keeps
   * the state of the last completed step.
   *
   * @example
   * const history = await model.fitDataset(idxDataset({ images: () => fs.createReadStream(imagesPath), labels: () => fs.createReadStream(labelsPath) }), { epochs: 2, batchSize: 64, learningRate: 0.1 });
   */
  async fitDataset(source: DatasetSource, options: FitDatasetOptions = {}): Promise<History> {
    return this.exclusive('fitDataset()', () => {
      const plan = resolveStreamPlan(options, this.net, this.impl.name, source);
      return this.training(plan.optimizer, plan.hooks.signal, (history, signal) => runStream(this.fitHost(), source, plan, history, signal));
    });
  }

  /** Runs training call `what`: refused while another runs, and guarded against `dispose()` (see {@link MLP.guard}). */
  private async exclusive<T>(what: string, op: () => Promise<T>): Promise<T> {
    this.checkUsable(what);
    if (this.fitting) throw new Error(`${this.fitting} is already running on this model; await the first call before starting another`);
    this.fitting = what;
    try {
      return await this.guard(what, op);
    } finally {
      this.fitting = null;
    }
  }

  /**
   * The frame of a training call: the optimizer (a new spec starts fresh state, put back if the
   * call rejects before keeping a step), the caller's signal linked for the call, the history.
   */
  private async training(optimizer: ResolvedOptimizer, callerSignal: AbortSignal | undefined, run: (history: History, signal: AbortSignal | undefined) => Promise<void>): Promise<History> {
    const history: History = { epochs: [], stopped: false, stopReason: 'completed', backend: this.impl.name };
    const link = linkSignal(callerSignal);
    const previous = await this.useOptimizer(optimizer);
    try {
      await run(history, link.signal);
    } catch (e) {
      // rejected before the new optimizer kept a step: the model keeps the previous optimizer's state
      if (previous && this.progress.steps === 0 && !this.disposed) await previous();
      throw e;
    } finally {
      link.release();
    }
    history.backend = this.impl.name;
    return history;
  }

  /** The model's side of the epoch loop: its current backend, counters and device-loss fallback. */
  private fitHost(): FitHost {
    return {
      backend: () => this.impl,
      seed: this.net.seed,
      net: this.net,
      l2: this.net.l2,
      progress: this.progress,
      fallBackToCpu: (err, epoch, unit) => this.fallBackToCpu(err, epoch, unit),
      withFallback: (op, epoch, unit) => this.withFallback(op, epoch, unit),
    };
  }

  /**
   * Replaces a lost WebGPU backend with the CPU path from its last checkpoint (see
   * {@link cpuFromCheckpoint}); with `onDeviceLost: 'error'` the switch still happens but rejects.
   */
  private async fallBackToCpu(err: GpuDeviceLostError, epoch: number | null, unit: 'epoch' | 'block' = 'epoch'): Promise<void> {
    if (this.disposed) throw err;
    const next = await cpuFromCheckpoint(this.net, this.impl, err, epoch, unit);
    this.impl = next.impl;
    this.reason = next.reason;
    if (this.onDeviceLost === 'error') throw next.error;
  }

  /** Runs `op`; if the GPU device was lost, moves to the CPU from the last checkpoint (saying during which `epoch`, when given) and retries. */
  private async withFallback<T>(op: () => Promise<T>, epoch: number | null = null, unit: 'epoch' | 'block' = 'epoch'): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof GpuDeviceLostError) || this.impl.name !== 'webgpu') throw err;
      await this.fallBackToCpu(err, epoch, unit);
      return op();
    }
  }

  /**
   * Starts a fresh optimizer state when the spec changed; returns what puts the previous one
   * back (for a fit rejected before its first kept step), or null when nothing changed.
   */
  private async useOptimizer(opt: ResolvedOptimizer): Promise<(() => Promise<void>) | null> {
    const key = JSON.stringify(opt);
    if (key === this.optimizerKey) return null;
    const impl = this.impl;
    const saved = { key: this.optimizerKey, steps: this.progress.steps, slots: await impl.readOptimizerState() };
    impl.resetOptimizer();
    this.optimizerKey = key;
    this.progress.steps = 0;
    return async () => {
      if (this.impl !== impl) return;
      this.optimizerKey = saved.key;
      this.progress.steps = saved.steps;
      if (saved.slots) await impl.writeOptimizerState(saved.slots);
      else impl.resetOptimizer();
    };
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
    return this.guard('predict()', async () => {
      const d = toInputs(x, this.net, 'x', this.impl.name === 'webgpu');
      const data = await this.withFallback(() => this.impl.predict(d));
      return { data, shape: [d.rows, outputSize(this.net)] as [number, number] };
    });
  }

  /**
   * Mean loss plus the L2 term λ/(2m)·ΣW² (m = the rows given; the same objective `fit` reports)
   * and accuracy on `x`, `y`; for regression outputs ('linear', 'relu' or 'tanh' output layer)
   * also the mean absolute error `mae` and `r2` (src/metrics.ts).
   *
   * @example
   * const { loss, accuracy } = await model.evaluate(xTest, yTest);
   * const { mae, r2 } = await regressor.evaluate(xTest, yTest); // 'linear', 'relu' or 'tanh' outputs
   */
  async evaluate(x: Inputs, y: Targets): Promise<{ loss: number; accuracy: number; mae?: number; r2?: number }> {
    return this.guard('evaluate()', async () => {
      const f32 = this.impl.name === 'webgpu';
      const dx = toInputs(x, this.net, 'x', f32);
      const dy = toTargets(y, this.net, dx.rows, 'y', f32);
      const { lossSum, correct } = await this.withFallback(() => this.impl.evaluate(dx, dy));
      let loss = lossSum / dx.rows;
      if (this.net.l2 > 0) loss += l2Penalty(this.net.l2, await this.withFallback(() => this.impl.readParams()), dx.rows);
      const regression = isRegressionOutput(this.net) ? metricsOf(await this.withFallback(() => this.impl.predict(dx)), dy) : {};
      return { loss, accuracy: correct / dx.rows, ...regression };
    });
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
    if (this.fitting) throw new Error(`profile() called while ${this.fitting} is running`);
    return this.guard('profile()', async () => {
      const impl = this.impl;
      if (!(impl instanceof WebGpuBackend)) throw new Error(`profile() times GPU kernels, but this model trains on the ${impl.name} backend (${this.reason})`);
      const p = resolveProfilePlan(options, x, y, this.net);
      impl.checkTraining(p.x, p.y, p.plan.batchSize, p.plan.optimizer);
      return impl.profile(p.x, p.y, p.plan, p.steps);
    });
  }

  /** The current weights and biases as nested arrays (read back from the GPU on demand). */
  async getWeights(): Promise<Weights> {
    return this.guard('getWeights()', async () => paramsToArrays(this.net, await this.withFallback(() => this.impl.readParams())));
  }

  /**
   * Replaces weights and biases (both required, as `getWeights()` returns them; biases may be left
   * out only when `useBias` is false). Shapes, finiteness and (on WebGPU) float32 range are checked first.
   */
  async setWeights(w: Weights): Promise<void> {
    this.checkUsable('setWeights()');
    if (this.fitting) throw new Error(`setWeights() called while ${this.fitting} is running`);
    return this.guard('setWeights()', async () => {
      const o = readRecord(w, 'setWeights argument', ['weights', 'biases'], '{weights, biases}');
      const p: Params = paramsFromArrays(this.net, o.weights, o.biases, { requireBiases: true });
      await this.impl.writeParams(p);
    });
  }

  /** The model as a versioned, JSON-safe object: `JSON.stringify(await model.toJSON())`. */
  async toJSON(): Promise<ModelJSON> {
    return this.guard('toJSON()', async () => modelJSON(this.net, await this.withFallback(() => this.impl.readParams())));
  }

  /**
   * Rebuilds a model from {@link MLP.toJSON}'s output (an object or its JSON string). Everything is
   * validated (format, version, sizes, finiteness) before anything is allocated.
   */
  static async fromJSON(json: unknown, config: Pick<ModelConfig, 'backend'> = {}, options: CreateOptions = {}): Promise<MLP> {
    const { resolved, params, opts } = fromJSONParts(json, config, options);
    return new MLP(resolved, await buildTrainer(resolved, params, opts), opts.onDeviceLost);
  }

  /** Frees the GPU buffers (and the device, if this model requested it). Safe to call twice, and while another call runs (that call then rejects). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.impl.dispose();
  }
}
