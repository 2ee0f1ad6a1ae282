/**
 * Public types of the library. Layout conventions used everywhere (CPU and GPU):
 * - matrices are row-major, one sample per row: a batch of `m` inputs is `[m, inputSize]`;
 * - layer `l` has weights `W[l]` of shape `[fanIn, units]` (so `z = a_prev · W + b`) and
 *   biases `b[l]` of length `units`.
 */

/** Element-wise activations, plus `softmax` (row-wise, output layer only). */
export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'linear' | 'softmax';

/**
 * Loss functions, each reported as the mean over samples of the per-sample loss:
 * - `sse`: Σ_k ½(t − o)²  (the 2-2-2 worked example);
 * - `mse`: mean_k (t − o)²  (the admissions tutorial's printed loss);
 * - `binaryCrossEntropy`: −Σ_k [t·log o + (1 − t)·log(1 − o)], sigmoid outputs only;
 * - `categoricalCrossEntropy`: −Σ_k t·log o, softmax outputs only.
 */
export type LossName = 'sse' | 'mse' | 'binaryCrossEntropy' | 'categoricalCrossEntropy';

/** Which trainer runs the math. `auto` picks WebGPU when it is likely to win, else the CPU. */
export type BackendName = 'cpu' | 'webgpu' | 'auto';

/** One dense layer: `units` neurons and their activation. */
export interface LayerSpec {
  units: number;
  activation: Activation;
  /**
   * Hidden layers only: the probability, in [0, 1), of dropping each unit while training
   * (inverted dropout: kept units are scaled by 1/(1 − p); nothing is dropped at inference).
   * Default 0.
   */
  dropout?: number;
}

/**
 * Weight initializers. `normal` draws N(0, scale²) with scale = 1/√fanIn unless given (the
 * admissions tutorial's choice); `uniform` draws U(−ε, ε) with ε = 0.12 unless given;
 * `xavier` is Glorot-uniform (±√(6/(fanIn+fanOut))); `he` is N(0, 2/fanIn).
 */
export type InitializerSpec =
  | 'normal'
  | 'uniform'
  | 'xavier'
  | 'he'
  | { type: 'normal'; scale?: number }
  | { type: 'uniform'; epsilon?: number }
  | { type: 'xavier' }
  | { type: 'he' };

/** Everything that defines a model. Only `inputSize`, `layers` and `loss` are required. */
export interface ModelConfig {
  /** Number of input features. */
  inputSize: number;
  /** Hidden and output layers, in order. */
  layers: LayerSpec[];
  /** Loss to train and evaluate with. */
  loss: LossName;
  /** Give each unit a bias (default true). */
  useBias?: boolean;
  /** Keep biases at their initial values during training (default false). */
  freezeBias?: boolean;
  /** Weight initializer (default `xavier`). Biases start at 0 unless `biases` is given. */
  initializer?: InitializerSpec;
  /** Explicit weights, one `[fanIn][units]` array per layer; overrides the initializer. */
  weights?: number[][][];
  /** Explicit biases, one `[units]` array per layer. */
  biases?: number[][];
  /** L2 strength λ: adds λ/(2m)·ΣW² to the loss (biases excluded). Default 0. */
  l2?: number;
  /** Seed for every random choice (init, shuffle, validation split). Default 1. */
  seed?: number;
  /** Backend (default `auto`). */
  backend?: BackendName;
}

/** Optimizers and their hyper-parameters. */
export type OptimizerSpec =
  | 'sgd'
  | 'momentum'
  | 'adam'
  | { type: 'sgd' }
  | 'rmsprop'
  | 'adamw'
  | { type: 'momentum'; momentum?: number; nesterov?: boolean }
  | { type: 'adam'; beta1?: number; beta2?: number; epsilon?: number }
  | { type: 'rmsprop'; rho?: number; epsilon?: number; momentum?: number }
  | { type: 'adamw'; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number; decayBiases?: boolean };

/** A quantity `fit` logs per epoch that early stopping and `reduceOnPlateau` can watch. */
export type Monitor = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy' | 'mae' | 'valMae' | 'r2' | 'valR2';

/**
 * A learning-rate schedule, computed on the host and passed to the GPU per batch (no recompiles):
 * - `step`: η = initial·factor^⌊(epoch − 1)/every⌋, per epoch of the `fit`;
 * - `exponential`: η = initial·decay^(epoch − 1), per epoch;
 * - `cosine`: per step over the whole `fit` (T steps): a linear warmup η = initial·(t + 1)/W for the
 *   first W = `warmupSteps` steps, then η = min + (initial − min)·½(1 + cos(π(t − W)/(T − W)));
 * - `reduceOnPlateau`: η = initial, multiplied by `factor` (not below `minLearningRate`) each time
 *   `monitor` has not improved by more than `minDelta` for `patience` epochs.
 */
export type LearningRateSchedule =
  | { type: 'step'; initial: number; every: number; factor: number }
  | { type: 'exponential'; initial: number; decay: number }
  | { type: 'cosine'; initial: number; warmupSteps?: number; minLearningRate?: number }
  | { type: 'reduceOnPlateau'; initial: number; monitor?: Monitor; factor?: number; patience?: number; minLearningRate?: number; minDelta?: number };

/**
 * Early stopping: stop once `monitor` (default `'valLoss'`) has not improved by more than
 * `minDelta` (default 0) for `patience` epochs (default 0); with `restoreBestWeights` the model
 * ends with the parameters of the best epoch (kept on the device on WebGPU).
 */
export interface EarlyStoppingOptions {
  monitor?: Monitor;
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

/** A dense row-major matrix: `data.length === shape[0] * shape[1]`. */
export interface Matrix {
  /**
   * Row-major values: a `Float32Array` or `Float64Array` (used without a copy), another numeric
   * typed array, or a `number[]`. Every value must be a finite number (float32-representable on
   * WebGPU); nothing is coerced.
   */
  data: ArrayLike<number>;
  shape: [number, number];
  /**
   * With `Uint8Array` / `Uint8ClampedArray` data only: each value is `byte * scale + offset`
   * (e.g. `scale: 1/255` for pixels). Byte data stays bytes on the device (four to a word),
   * scaled as each batch is gathered: a quarter of float32's memory. Defaults 1 and 0.
   */
  scale?: number;
  offset?: number;
  /**
   * `'float16'` keeps float data as IEEE half precision on the device (two to a word, unpacked
   * in the gather kernel with WGSL's core `unpack2x16float`, so no `shader-f16` feature is
   * needed): half of float32's memory. The values are rounded to float16 for both backends
   * (|value| ≤ 65504). Default `'float32'`.
   */
  storage?: 'float32' | 'float16';
}

/** Inputs: an array of rows, or a {@link Matrix}. */
export type Inputs = number[][] | Matrix;

/**
 * Targets: an array of rows, a {@link Matrix}, or a flat array that is either one scalar target
 * per sample (single-output models) or one class index per sample (softmax models).
 */
export type Targets = number[][] | number[] | Matrix;

/** What `onBatchEnd` receives. Loss and accuracy are this batch's, before its update. */
export interface BatchLog {
  epoch: number;
  batch: number;
  batches: number;
  size: number;
  /** The batch's objective before its update: mean loss plus the L2 term λ/(2m)·ΣW² (m = its rows). */
  loss: number;
  accuracy: number;
}

/** What `onEpochEnd` receives and what the history holds, one per epoch. */
export interface EpochLog {
  epoch: number;
  /**
   * Mean training objective over the epoch's samples: each batch's loss plus its L2 term
   * λ/(2m)·ΣW², measured before its update (on the same weights, it equals `evaluate().loss`).
   */
  loss: number;
  /** Training accuracy over the epoch (argmax match, or output > 0.5 for one output). */
  accuracy: number;
  /** Loss on the validation data after the epoch, with the L2 term (what `evaluate()` gives on it). */
  valLoss?: number;
  valAccuracy?: number;
  /** Regression outputs ('linear', 'relu' or 'tanh' output layer): mean absolute error over the epoch, per output value. */
  mae?: number;
  /** Regression outputs: R² = 1 − Σ(y − o)² / Σ(y − ȳ)² over the epoch (pooled over outputs). */
  r2?: number;
  valMae?: number;
  valR2?: number;
  /** The learning rate of the epoch's last step. */
  learningRate: number;
  /** Training samples processed per second in this epoch (wall clock). */
  samplesPerSecond: number;
  /** Seconds the epoch took. */
  seconds: number;
}

/** Options of {@link MLP.profile}. */
export interface ProfileOptions {
  /** Rows per step (default 32, capped at the rows given). */
  batchSize?: number;
  /** Training steps timed (default 10). */
  steps?: number;
  /** Learning rate of the steps (default 0.01). */
  learningRate?: number;
  /** Optimizer of the steps (default plain SGD). */
  optimizer?: FitOptions['optimizer'];
}

/** What `fitDataset`'s `onBatchEnd` receives: `batches` is null until the first epoch has ended (a stream's length is not known before). */
export interface StreamBatchLog extends Omit<BatchLog, 'batches'> {
  batches: number | null;
}

/**
 * Options for {@link MLP.fitDataset}: `fit`'s core options (a constant learning rate), with
 * shuffling within a window of chunks.
 */
export interface FitDatasetOptions {
  /** Passes over the source (default 1); more than one needs a source that can be replayed (a function returning a fresh iterable, or an array). */
  epochs?: number;
  /** Samples per update (default 32); batches run across chunk boundaries, as `fit`'s do over its rows. */
  batchSize?: number;
  /** Step size η (default 0.01). */
  learningRate?: number;
  /** Optimizer (default `sgd`); its state is kept across calls while the spec is unchanged, as with `fit`. */
  optimizer?: OptimizerSpec;
  /** Shuffle rows within each window of chunks with the model's seed (default true); false trains in stream order. */
  shuffle?: boolean;
  /** Chunks read and shuffled together (default 1); larger windows mix more and hold more rows in memory. */
  shuffleWindow?: number;
  /** Data evaluated after every epoch, held in memory: `valLoss` and `valAccuracy` in each epoch's log. */
  validationData?: [Inputs, Targets];
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /** Called once per batch, in order, after each block's readback. */
  onBatchEnd?: (log: StreamBatchLog) => void | Promise<void>;
  /** Stops after the current batch (CPU) or group of batches (WebGPU); `fitDataset` resolves with `stopped: true`. */
  signal?: AbortSignal;
}

/** Options for {@link MLP.fit}. */
export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per update (default 32, capped at the dataset size). 1 = per-sample SGD; the dataset size = full batch. */
  batchSize?: number;
  /** Step size η, or a {@link LearningRateSchedule} (default 0.01). */
  learningRate?: number | LearningRateSchedule;
  /** Optimizer (default `sgd`). Its state is kept across `fit` calls while the spec is unchanged. */
  optimizer?: OptimizerSpec;
  /** Stop when a monitored quantity stops improving (see {@link EarlyStoppingOptions}). */
  earlyStopping?: EarlyStoppingOptions;
  /** Scale the gradient so that its global L2 norm over all trained parameters is at most this (> 0). */
  clipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue] (> 0), after `clipNorm`. */
  clipValue?: number;
  /**
   * Weights per class, for softmax models (`{ [classIndex]: weight }` or an array by class) and
   * one-unit sigmoid models with binary cross-entropy (classes 0 and 1); classes not listed weigh 1.
   * Each training sample's loss and gradient are multiplied by its class's weight.
   */
  classWeight?: Record<number, number> | number[];
  /** One weight ≥ 0 per training sample (row of `x`), multiplying its loss and gradient (with `classWeight`: their product). */
  sampleWeight?: ArrayLike<number>;
  /** Shuffle the sample order every epoch with the model's seed (default true). */
  shuffle?: boolean;
  /** Hold out this fraction (0 ≤ f < 1) of the data, chosen with the seed, for validation. */
  validationSplit?: number;
  /** Explicit validation data; overrides `validationSplit`. */
  validationData?: [Inputs, Targets];
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /**
   * Called exactly once per batch, in order (on WebGPU the calls of each group of 32 batches
   * arrive together, after one readback). If it throws, `fit` rejects with that error and keeps
   * (and counts) the updates made so far.
   */
  onBatchEnd?: (log: BatchLog) => void | Promise<void>;
  /**
   * A real `AbortSignal`: stops training after the current batch (CPU) or group of 32 batches
   * (WebGPU); `fit` resolves with `stopped: true` and what was done. Nothing is left attached to
   * it after `fit` settles.
   */
  signal?: AbortSignal;
}

/** What `fit` resolves to. */
export interface History {
  epochs: EpochLog[];
  /** True when `signal` stopped training early. */
  stopped: boolean;
  /** Why training ended: all epochs ran, early stopping, or `signal`. */
  stopReason: 'completed' | 'earlyStopping' | 'aborted';
  /** With `earlyStopping`: the epoch (1-based, of this `fit`) with the best monitored value. */
  bestEpoch?: number;
  /** With `earlyStopping`: that best value. */
  bestValue?: number;
  /** With `earlyStopping.restoreBestWeights`: whether the model now holds the best epoch's parameters. */
  restoredBestWeights?: boolean;
  /** The backend that trained. */
  backend: 'cpu' | 'webgpu';
}

/** Plain-array parameters, as `getWeights` returns and `setWeights` takes (both fields required by `setWeights` when the model uses biases). */
export interface Weights {
  /** One `[fanIn][units]` array per layer. */
  weights: number[][][];
  /** One `[units]` array per layer (all zeros when `useBias` is false). */
  biases: number[][];
}

/** The serialized form produced by `toJSON`. */
export interface ModelJSON {
  format: 'webgpu-mlp';
  version: 1;
  config: Omit<ModelConfig, 'weights' | 'biases' | 'backend'>;
  weights: number[][][];
  biases: number[][];
}
