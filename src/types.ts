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
  | { type: 'momentum'; momentum?: number }
  | { type: 'adam'; beta1?: number; beta2?: number; epsilon?: number };

/** A dense row-major matrix: `data.length === shape[0] * shape[1]`. */
export interface Matrix {
  data: ArrayLike<number>;
  shape: [number, number];
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
  loss: number;
  accuracy: number;
}

/** What `onEpochEnd` receives and what the history holds, one per epoch. */
export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's batches (each measured before its update), plus L2. */
  loss: number;
  /** Training accuracy over the epoch (argmax match, or output > 0.5 for one output). */
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
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

/** Options for {@link MLP.fit}. */
export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per update (default 32, capped at the dataset size). 1 = per-sample SGD; the dataset size = full batch. */
  batchSize?: number;
  /** Step size η (default 0.01). */
  learningRate?: number;
  /** Optimizer (default `sgd`). Its state is kept across `fit` calls while the spec is unchanged. */
  optimizer?: OptimizerSpec;
  /** Shuffle the sample order every epoch with the model's seed (default true). */
  shuffle?: boolean;
  /** Hold out this fraction (0 ≤ f < 1) of the data, chosen with the seed, for validation. */
  validationSplit?: number;
  /** Explicit validation data; overrides `validationSplit`. */
  validationData?: [Inputs, Targets];
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /** Called after every batch (on WebGPU this forces a small readback per chunk of batches). */
  onBatchEnd?: (log: BatchLog) => void | Promise<void>;
  /** Stops training after the current batch (CPU) or chunk (GPU); `fit` resolves with what was done. */
  signal?: AbortSignal;
}

/** What `fit` resolves to. */
export interface History {
  epochs: EpochLog[];
  /** True when `signal` stopped training early. */
  stopped: boolean;
  /** The backend that trained. */
  backend: 'cpu' | 'webgpu';
}

/** Plain-array parameters, as `getWeights` returns and `setWeights` takes. */
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
