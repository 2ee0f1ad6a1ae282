import { type TrainerBackend, type TrainerName, computesInFloat32 } from '../core/trainer';
import { AUTO_MIN_PARAMETERS } from './backend-choice';
import { type ResolvedConfig, type ResolvedOptimizer, frozenConfig, outputSize } from '../core/config';
import { toInputs, toTargets } from '../core/data';
import { type TrainingProgress, runEpochs } from '../fit/loop';
import { resolveStreamPlan, runStream } from '../fit/stream';
import type { DatasetSource } from '../streams/chunk';
import { linkSignal, resolveFitPlan, resolveProfilePlan } from '../fit/options';
import { WebGpuBackend } from '../gpu/backend';
import { WasmBackend } from '../wasm/backend';
import type { StepProfile } from '../core/profile';
import { readRecord } from '../core/inspect';
import { type CreateOptions, type Trainer, buildTrainer, configAndParams, fromJSONParts, resolveCreateOptions } from './setup';
import { ActiveBackend } from './active-backend';
import { autoCall, streamCall } from './auto-move';
import { type Params, paramsFromArrays, paramsToArrays, parameterCount, weightPenalty } from '../core/params';
import { withNorms } from '../core/norm-params';
import type { FitDatasetOptions, FitOptions, History, Inputs, ModelConfig, ModelJSON, ProfileOptions, Targets, Weights } from '../core/types';
import { modelJSON } from './serialize';
import { CallGuard } from './call-guard';
import { OptimizerSwitch } from './optimizer-switch';
import { isRegressionOutput, metricsOf } from '../core/metrics';

// Re-exported for src/index.ts. AUTO_MIN_PARAMETERS is deprecated and unused: 'auto' times
// training steps on both backends (src/model/backend-choice.ts, src/model/auto-move.ts).
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
  /** Refuses calls after `dispose()` and a second training call while one runs. */
  private readonly calls = new CallGuard();
  /** The trainer now, and its hand-over to the CPU when the GPU device is lost. */
  private readonly active: ActiveBackend;
  /** Epochs trained and optimizer steps taken so far, across `fit` calls. */
  private readonly progress: TrainingProgress = { epochsTrained: 0, steps: 0 };
  private readonly optimizers = new OptimizerSwitch(this.progress);

  private constructor(config: ResolvedConfig, t: Trainer, onDeviceLost: 'cpu' | 'error') {
    this.net = config;
    this.config = frozenConfig(config);
    this.active = new ActiveBackend(config, t, onDeviceLost, this.calls);
  }

  private get impl(): TrainerBackend {
    return this.active.impl;
  }

  /**
   * Validates `config` and `options` (a `RangeError`/`TypeError` names the first bad value),
   * initializes the parameters (from the seed, or `weights`/`biases`) and picks the backend.
   *
   * @example
   * const model = await MLP.create({ inputSize: 4, layers: [{ units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy' }, { tune: 'off' });
   */
  static async create(config: ModelConfig, options: CreateOptions = {}): Promise<MLP> {
    const opts = resolveCreateOptions(options);
    const { resolved, params } = configAndParams(config);
    return new MLP(resolved, await buildTrainer(resolved, params, opts), opts.onDeviceLost);
  }

  /**
   * The backend now training: `'cpu'`, `'webgpu'` or `'wasm'`.
   *
   * @example
   * console.log(model.backend, model.backendReason);
   */
  get backend(): TrainerName {
    return this.impl.name;
  }

  /** Why this backend was chosen (and the adapter, when one was found). */
  get backendReason(): string {
    return this.active.reason;
  }

  /** The WebGPU adapter found, described in one line, or null. */
  get adapterDescription(): string | null {
    return this.active.adapter;
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

  /**
   * Number of trainable values (weights and biases).
   *
   * @example
   * model.parameterCount; // 2·8 + 8 + 8·1 + 1 = 33 for 2 → 8 → 1
   */
  get parameterCount(): number {
    return parameterCount(this.net);
  }

  /**
   * Trains on `x`, `y` and resolves with the history. Everything is validated before any change;
   * on divergence it rejects, and the model keeps the state of the last step that stayed finite.
   *
   * @example
   * const h = await model.fit(x, y, { epochs: 10, batchSize: 32, learningRate: 0.1, optimizer: 'adam' });
   * console.log(h.epochs.at(-1)?.loss);
   */
  async fit(x: Inputs, y: Targets, options: FitOptions = {}): Promise<History> {
    return this.calls.exclusive('fit()', () => {
      const plan = resolveFitPlan(options, x, y, this.net, this.impl.name);
      if (this.impl instanceof WebGpuBackend) this.impl.checkTraining(plan.train.x, plan.train.y, plan.batchSize, plan.optimizer);
      return this.training(plan.optimizer, plan.hooks.signal, async (history, signal) => {
        // a device lost before training starts: the whole fit runs on the CPU
        await this.active.withFallback(() => this.impl.setTrainingData(plan.train.x, plan.train.y, plan.batchSize, plan.features.sampleWeights), 1);
        try {
          await runEpochs(this.active.fitHost(this.progress, autoCall(plan)), plan, history, signal);
        } finally {
          this.impl.clearTrainingData();
        }
      });
    });
  }

  /**
   * Trains on a stream of `{ x, y }` chunks that need not fit in memory (see `runStream` in
   * src/fit/stream.ts); each epoch reads `source` again (a function returning a fresh iterable,
   * or an array). A bad chunk rejects naming it; the model keeps its last completed step.
   *
   * @example
   * const history = await model.fitDataset(idxDataset({ images: () => fs.createReadStream(imagesPath), labels: () => fs.createReadStream(labelsPath) }), { epochs: 2, batchSize: 64, learningRate: 0.1 });
   */
  async fitDataset(source: DatasetSource, options: FitDatasetOptions = {}): Promise<History> {
    return this.calls.exclusive('fitDataset()', () => {
      const plan = resolveStreamPlan(options, this.net, this.impl.name, source);
      return this.training(plan.optimizer, plan.hooks.signal, (history, signal) => runStream(this.active.fitHost(this.progress, streamCall(plan)), source, plan, history, signal));
    });
  }

  /** The frame of a training call: the optimizer (see {@link OptimizerSwitch.during}), the caller's signal linked for the call, the history. */
  private async training(optimizer: ResolvedOptimizer, callerSignal: AbortSignal | undefined, run: (history: History, signal: AbortSignal | undefined) => Promise<void>): Promise<History> {
    const history: History = { epochs: [], stopped: false, stopReason: 'completed', backend: this.impl.name };
    const link = linkSignal(callerSignal);
    try {
      await this.optimizers.during(this.impl, () => this.impl, optimizer, () => this.calls.disposed, () => run(history, link.signal));
    } finally {
      link.release();
    }
    history.backend = this.impl.name;
    return history;
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

  /**
   * Like {@link MLP.predict}, as one flat `[rows, outputs]` array (no per-row allocation).
   *
   * @example
   * const { data, shape } = await model.predictMatrix({ data: new Float32Array(784 * 100), shape: [100, 784] });
   */
  async predictMatrix(x: Inputs): Promise<{ data: Float64Array; shape: [number, number] }> {
    return this.calls.run('predict()', async () => {
      const d = toInputs(x, this.net, 'x', computesInFloat32(this.impl.name));
      const data = await this.active.withFallback(() => this.impl.predict(d));
      return { data, shape: [d.rows, outputSize(this.net)] as [number, number] };
    });
  }

  /**
   * Mean loss plus the L2 and L1 terms λ/(2m)·ΣW² + λ₁/m·Σ|W| (m = the rows given; the objective `fit` reports) and
   * accuracy on `x`, `y`; regression outputs ('linear', 'relu' or 'tanh') also get `mae` and `r2`.
   *
   * @example
   * const { loss, accuracy } = await model.evaluate(xTest, yTest);
   * const { mae, r2 } = await regressor.evaluate(xTest, yTest); // 'linear', 'relu' or 'tanh' outputs
   */
  async evaluate(x: Inputs, y: Targets): Promise<{ loss: number; accuracy: number; mae?: number; r2?: number }> {
    return this.calls.run('evaluate()', async () => {
      const f32 = computesInFloat32(this.impl.name);
      const dx = toInputs(x, this.net, 'x', f32);
      const dy = toTargets(y, this.net, dx.rows, 'y', f32);
      const { lossSum, correct } = await this.active.withFallback(() => this.impl.evaluate(dx, dy));
      let loss = lossSum / dx.rows;
      if (this.net.l2 > 0 || this.net.l1 > 0) loss += weightPenalty(this.net, await this.active.withFallback(() => this.impl.readParams()), dx.rows);
      const regression = isRegressionOutput(this.net) ? metricsOf(await this.active.withFallback(() => this.impl.predict(dx)), dy) : {};
      return { loss, accuracy: correct / dx.rows, ...regression };
    });
  }

  /**
   * Where a training step's time goes: each kernel launch's mean GPU time (WebGPU) or each stage's
   * wall-clock time (wasm) over `steps` training steps on `x`, `y` (see {@link ProfileOptions}).
   * Weights and optimizer state are left as they were. Not on the float64 'cpu' backend.
   *
   * @example
   * const p = await model.profile(x, y, { batchSize: 64, steps: 10 });
   * for (const l of p.launches) console.log(l.label, l.kernel, l.ms.toFixed(3), 'ms');
   */
  async profile(x: Inputs, y: Targets, options: ProfileOptions = {}): Promise<StepProfile> {
    this.calls.checkIdle('profile()');
    return this.calls.run('profile()', async () => {
      const impl = this.impl;
      if (!(impl instanceof WebGpuBackend) && !(impl instanceof WasmBackend)) {
        throw new Error(`profile() times the kernels of the webgpu and wasm backends, but this model trains on the ${impl.name} backend (${this.active.reason})`);
      }
      const p = resolveProfilePlan(options, x, y, this.net);
      if (impl instanceof WebGpuBackend) impl.checkTraining(p.x, p.y, p.plan.batchSize, p.plan.optimizer);
      return impl.profile(p.x, p.y, p.plan, p.steps);
    });
  }

  /**
   * The current weights and biases as nested arrays (read back from the GPU on demand).
   *
   * @example
   * const { weights, biases } = await model.getWeights();
   */
  async getWeights(): Promise<Weights> {
    return this.calls.run('getWeights()', async () => paramsToArrays(this.net, await this.active.withFallback(() => this.impl.readParams())));
  }

  /**
   * Replaces weights, biases and γ/β (`norms`, as `getWeights()` returns them; biases may be left out
   * only when `useBias` is false, norms reset γ to 1, β to 0). Shapes, finiteness and float32 range first.
   *
   * @example
   * await other.setWeights(await model.getWeights());
   */
  async setWeights(w: Weights): Promise<void> {
    this.calls.checkIdle('setWeights()');
    return this.calls.run('setWeights()', async () => {
      const o = readRecord(w, 'setWeights argument', ['weights', 'biases', 'norms'], '{weights, biases}');
      const p: Params = withNorms(this.net, paramsFromArrays(this.net, o.weights, o.biases, { requireBiases: true }), o.norms);
      await this.impl.writeParams(p);
    });
  }

  /**
   * The model as a versioned, JSON-safe object.
   *
   * @example
   * localStorage.setItem('model', JSON.stringify(await model.toJSON()));
   */
  async toJSON(): Promise<ModelJSON> {
    return this.calls.run('toJSON()', async () => modelJSON(this.net, await this.active.withFallback(() => this.impl.readParams())));
  }

  /**
   * Rebuilds a model from {@link MLP.toJSON}'s output (an object or its JSON string). Everything is
   * validated (format, version, sizes, finiteness) before anything is allocated.
   *
   * @example
   * const again = await MLP.fromJSON(localStorage.getItem('model'), { backend: 'cpu' });
   */
  static async fromJSON(json: unknown, config: Pick<ModelConfig, 'backend'> = {}, options: CreateOptions = {}): Promise<MLP> {
    const { resolved, params, opts } = fromJSONParts(json, config, options);
    return new MLP(resolved, await buildTrainer(resolved, params, opts), opts.onDeviceLost);
  }

  /**
   * Frees the GPU buffers (and the device, if this model requested it). Safe to call twice, and
   * while another call runs (that call then rejects).
   *
   * @example
   * model.dispose();
   */
  dispose(): void {
    if (this.calls.disposed) return;
    this.calls.disposed = true;
    this.active.dispose();
  }
}
