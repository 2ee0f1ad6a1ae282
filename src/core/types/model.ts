// Public types of a model's definition and of its saved form. Layout conventions used everywhere
// (CPU and GPU): matrices are row-major, one sample per row (a batch of `m` inputs is
// `[m, inputSize]`); layer `l` has weights `W[l]` of shape `[fanIn, units]` (so
// `z = a_prev · W + b`) and biases `b[l]` of length `units`.

/**
 * Element-wise activations, plus `softmax` (row-wise, output layer only). PyTorch / TF.js names:
 * `leakyRelu` nn.LeakyReLU / LeakyReLU layer, `elu` nn.ELU / 'elu', `selu` nn.SELU / 'selu',
 * `gelu` nn.GELU() (erf) / 'gelu', `geluTanh` nn.GELU(approximate='tanh') / 'gelu_new',
 * `silu` nn.SiLU / 'swish', `softplus` nn.Softplus / 'softplus', `mish` nn.Mish / 'mish'.
 *
 * @example
 * const hidden: Activation = 'relu';
 */
export type Activation =
  | 'sigmoid' | 'tanh' | 'relu' | 'linear' | 'softmax'
  | 'leakyRelu' | 'elu' | 'selu' | 'gelu' | 'geluTanh' | 'silu' | 'softplus' | 'mish';

/**
 * Loss functions, each reported as the mean over samples: `sse` Σ½(t − o)², `mse` mean (t − o)²,
 * `binaryCrossEntropy` (sigmoid outputs), `categoricalCrossEntropy` (softmax outputs), and `huber`
 * (any output) the mean over a row's outputs of ½d² for |d| ≤ δ, else δ(|d| − ½δ), d = o − t, δ =
 * `huberDelta`: PyTorch's `nn.HuberLoss(reduction='mean', delta=δ)`, ½·`mse` while every |d| ≤ δ.
 *
 * @example
 * const loss: LossName = 'categoricalCrossEntropy';
 */
export type LossName = 'sse' | 'mse' | 'binaryCrossEntropy' | 'categoricalCrossEntropy' | 'huber';

/**
 * Which trainer runs the math. `auto` times a training step on both at create and picks the
 * faster (see `CreateOptions.auto`).
 *
 * @example
 * await MLP.create({ ...config, backend: 'cpu' });
 */
export type BackendName = 'cpu' | 'webgpu' | 'wasm' | 'auto';

/**
 * One dense layer: `units` neurons and their activation.
 *
 * @example
 * const layer: LayerSpec = { units: 128, activation: 'relu', dropout: 0.2 };
 */
export interface LayerSpec {
  units: number;
  activation: Activation;
  /**
   * Hidden layers only: the probability, in [0, 1), of dropping each unit while training
   * (inverted dropout: kept units are scaled by 1/(1 − p); nothing is dropped at inference).
   * Default 0.
   */
  dropout?: number;
  /**
   * Hidden layers whose input width equals `units` only: a residual block, post-activation,
   * a_l = drop(f(z_l)) + a_{l−1} (PyTorch: `x + act(linear(x))`, dropout on f(z) before the add).
   * Default false.
   */
  residual?: boolean;
  /**
   * `leakyRelu` and `elu` only: the negative-side slope (PyTorch's `negative_slope`, TF.js's
   * LeakyReLU `alpha`; default 0.01) or ELU's saturation (PyTorch and TF.js `alpha`; default 1, > 0).
   */
  alpha?: number;
  /**
   * Hidden layers only: `'layer'` normalizes z over the layer's units, row by row (PyTorch:
   * `nn.LayerNorm(units, eps)` between the Linear and the activation); `'batch'` normalizes each
   * unit over the batch's rows in training and with running estimates of its mean and variance in
   * `predict`/`evaluate` (PyTorch: `nn.BatchNorm1d(units, eps, momentum)`). Both before the
   * activation, with a learned scale γ (starts at 1) and shift β (starts at 0) per unit. Default none.
   */
  norm?: NormName;
  /** With `norm` only: the ε added to the variance, a finite number > 0. Default 1e-5. */
  normEpsilon?: number;
  /**
   * With `norm: 'batch'` only: each training batch's weight in the running mean and variance, in
   * (0, 1], as PyTorch counts it (running ← (1 − m)·running + m·batch). Default 0.1.
   */
  normMomentum?: number;
}

/**
 * The normalizations a hidden layer may apply to z: `'layer'` (layer normalization) or `'batch'`
 * (batch normalization).
 *
 * @example
 * const layer: LayerSpec = { units: 64, activation: 'relu', norm: 'batch' };
 */
export type NormName = 'layer' | 'batch';

/**
 * Weight initializers: `normal` N(0, scale²) (scale 1/√fanIn by default), `uniform` U(−ε, ε)
 * (ε 0.12 by default), `xavier` Glorot-uniform, `he` N(0, 2/fanIn).
 *
 * @example
 * const init: InitializerSpec = { type: 'normal', scale: 0.1 };
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

/**
 * Everything that defines a model. Only `inputSize`, `layers` and `loss` are required.
 *
 * @example
 * const config: ModelConfig = { inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy' };
 */
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
  /** L1 strength λ₁: adds λ₁/m·Σ|W| to the loss (biases excluded; subgradient sign(W), 0 at 0). Default 0. */
  l1?: number;
  /** The `huber` loss's δ, where it turns from quadratic to linear (default 1; only with `loss: 'huber'`). */
  huberDelta?: number;
  /** Seed for every random choice (init, shuffle, validation split). Default 1. */
  seed?: number;
  /** Backend (default `auto`). */
  backend?: BackendName;
}

/**
 * Plain-array parameters, as `getWeights` returns and `setWeights` takes (both fields required
 * by `setWeights` when the model uses biases).
 *
 * @example
 * const { weights, biases }: Weights = await model.getWeights();
 */
export interface Weights {
  /** One `[fanIn][units]` array per layer. */
  weights: number[][][];
  /** One `[units]` array per layer (all zeros when `useBias` is false). */
  biases: number[][];
  /**
   * One entry per layer: a normalized layer's scale γ and shift β (`[units]` each), null for the
   * others. Absent when no layer has `norm`; without it `setWeights` resets γ to 1 and β to 0.
   */
  norms?: ({ scale: number[]; shift: number[]; runningMean?: number[]; runningVar?: number[] } | null)[];
}

/**
 * The serialized form produced by `toJSON`.
 *
 * @example
 * const file: ModelJSON = await model.toJSON();
 */
export interface ModelJSON {
  format: 'webgpu-mlp';
  version: 1;
  config: Omit<ModelConfig, 'weights' | 'biases' | 'backend'>;
  weights: number[][][];
  biases: number[][];
  /** γ/β per layer with `norm` (`{scale, shift}`, null for the others); present only where a layer has `norm`. */
  norms?: ({ scale: number[]; shift: number[]; runningMean?: number[]; runningVar?: number[] } | null)[];
}
