import type { Activation, BackendName, EarlyStoppingOptions, InitializerSpec, LayerSpec, LearningRateSchedule, LossName, ModelConfig, OptimizerSpec } from '../src';
import type { TrainOptions } from './protocol';

/** The datasets the demo offers. */
export type DatasetName = 'mnist' | 'xor' | 'spiral' | 'circles' | 'tutorial' | 'csv';

/** Output units each dataset needs, known before it loads (a CSV file's depend on its target). */
export const OUTPUT_UNITS: Record<DatasetName, number> = { mnist: 10, xor: 1, spiral: 3, circles: 2, tutorial: 2, csv: 2 };

/** Everything the architecture editor edits: the model and how to train it. */
export interface Settings {
  /** Hidden and output layers (hidden ones may set `dropout`); the output layer's size is set by the dataset. */
  layers: LayerSpec[];
  loss: LossName;
  optimizer: 'sgd' | 'momentum' | 'adam';
  /** A constant step size, or a schedule (as `fit` takes it). */
  learningRate: number | LearningRateSchedule;
  /** Early stopping as `fit` takes it; absent = off. */
  earlyStopping?: EarlyStoppingOptions;
  batchSize: number;
  epochs: number;
  l2: number;
  /** L1 strength λ₁ (absent or 0: none). */
  l1?: number;
  /** The Huber loss's δ (read only with loss 'huber'; absent: 1). */
  huberDelta?: number;
  seed: number;
  initializer: Exclude<InitializerSpec, object>;
  /** Fraction of the training rows held out for validation (0 = none). */
  validationSplit: number;
  backend: BackendName;
  /** Keep biases at their initial values (the 2-2-2 tutorial). */
  freezeBias?: boolean;
}

/** The tutorial's starting weights (w1..w8 laid out `[fanIn][units]`) and frozen biases. */
export const TUTORIAL_PARAMS = {
  weights: [
    [[0.15, 0.25], [0.2, 0.3]],
    [[0.4, 0.5], [0.45, 0.55]],
  ],
  biases: [[0.35, 0.35], [0.6, 0.6]],
};

/** The 2-2-2 tutorial's single sample. */
export const TUTORIAL_SAMPLE = { x: [[0.05, 0.1]], y: [[0.01, 0.99]] };

/** The 2-2-2 tutorial's model, with its explicit weights and frozen biases. */
export const TUTORIAL_CONFIG: ModelConfig = {
  inputSize: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'sse',
  freezeBias: true,
  ...TUTORIAL_PARAMS,
};

const layer = (units: number, activation: Activation): LayerSpec => ({ units, activation });

/**
 * Default settings per dataset. MNIST's (784-128-10, ReLU then softmax, cross-entropy, Adam
 * 0.001, batch 64, 3 epochs over 54 000 images with 6 000 held out) reach 96.84% accuracy on the
 * 10 000 test images; `node demo/check-mnist-defaults.mjs` measures it on the CPU path in Node.
 */
export const PRESETS: Record<DatasetName, Settings> = {
  mnist: {
    layers: [layer(128, 'relu'), layer(10, 'softmax')],
    loss: 'categoricalCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.001,
    batchSize: 64,
    epochs: 3,
    l2: 0,
    seed: 1,
    initializer: 'he',
    validationSplit: 0.1,
    backend: 'auto',
  },
  xor: {
    layers: [layer(4, 'tanh'), layer(1, 'sigmoid')],
    loss: 'binaryCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.05,
    batchSize: 4,
    epochs: 300,
    l2: 0,
    seed: 3,
    initializer: 'xavier',
    validationSplit: 0,
    backend: 'auto',
  },
  spiral: {
    layers: [layer(32, 'tanh'), layer(32, 'tanh'), layer(3, 'softmax')],
    loss: 'categoricalCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.01,
    batchSize: 32,
    epochs: 200,
    l2: 0,
    seed: 1,
    initializer: 'xavier',
    validationSplit: 0.2,
    backend: 'auto',
  },
  circles: {
    layers: [layer(16, 'tanh'), layer(2, 'softmax')],
    loss: 'categoricalCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.01,
    batchSize: 32,
    epochs: 100,
    l2: 0,
    seed: 1,
    initializer: 'xavier',
    validationSplit: 0.2,
    backend: 'auto',
  },
  tutorial: {
    layers: [layer(2, 'sigmoid'), layer(2, 'sigmoid')],
    loss: 'sse',
    optimizer: 'sgd',
    learningRate: 0.5,
    batchSize: 1,
    epochs: 10000,
    l2: 0,
    seed: 1,
    initializer: 'xavier',
    validationSplit: 0,
    backend: 'auto',
    freezeBias: true,
  },
  csv: {
    layers: [layer(32, 'relu'), layer(2, 'softmax')],
    loss: 'categoricalCrossEntropy',
    optimizer: 'adam',
    learningRate: 0.003,
    batchSize: 32,
    epochs: 50,
    l2: 0,
    seed: 1,
    initializer: 'he',
    validationSplit: 0.2,
    backend: 'auto',
  },
};

/** True when `settings` describe exactly the tutorial's 2-2-2 sigmoid network. */
export function isTutorialArchitecture(settings: Settings): boolean {
  const [h, o] = settings.layers;
  return settings.layers.length === 2 && h.units === 2 && h.activation === 'sigmoid' && o.units === 2 && o.activation === 'sigmoid';
}

/**
 * The model config for `settings` on data with `inputSize` features. For the tutorial dataset
 * with the tutorial's architecture, the tutorial's weights and frozen biases are used.
 */
export function modelConfig(dataset: DatasetName, settings: Settings, inputSize: number): ModelConfig {
  const config: ModelConfig = {
    inputSize,
    layers: settings.layers.map((l) => ({ ...l })),
    loss: settings.loss,
    l2: settings.l2,
    ...(settings.l1 ? { l1: settings.l1 } : {}),
    ...(settings.loss === 'huber' ? { huberDelta: settings.huberDelta ?? 1 } : {}),
    seed: settings.seed,
    initializer: settings.initializer,
    backend: settings.backend,
    freezeBias: settings.freezeBias ?? false,
  };
  if (dataset === 'tutorial' && isTutorialArchitecture(settings)) Object.assign(config, TUTORIAL_PARAMS);
  return config;
}

/** The optimizer spec for `settings`. */
export const optimizerSpec = (settings: Settings): OptimizerSpec => settings.optimizer;

/**
 * How the page trains with `settings` (what the worker hands to `fit`); the MNIST check scripts
 * train the same way (demo/mnist-node.mjs).
 *
 * @example
 * trainOptions(PRESETS.mnist).batchSize; // 64
 */
export function trainOptions(s: Settings): TrainOptions {
  return { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, optimizer: optimizerSpec(s), validationSplit: s.validationSplit, earlyStopping: s.earlyStopping };
}

/** A named starting point: a dataset and the settings to train it with. */
export interface Preset {
  id: string;
  label: string;
  dataset: DatasetName;
  settings: Settings;
}

/**
 * MNIST with the training features: 784-256-10, dropout 0.3 on the hidden ReLU layer, Adam with
 * a cosine schedule from 0.002 (200 warmup steps) down to 5e-5, batch 128, up to 12 epochs,
 * stopped once the validation loss has not improved for 2 epochs, ending with the best epoch's
 * weights. `node demo/check-mnist-defaults.mjs 60000 12 mnist-features` measures it in Node.
 */
export const MNIST_FEATURES: Settings = {
  layers: [{ units: 256, activation: 'relu', dropout: 0.3 }, layer(10, 'softmax')],
  loss: 'categoricalCrossEntropy',
  optimizer: 'adam',
  learningRate: { type: 'cosine', initial: 0.002, warmupSteps: 200, minLearningRate: 0.00005 },
  earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true },
  batchSize: 128,
  epochs: 12,
  l2: 0,
  seed: 1,
  initializer: 'he',
  validationSplit: 0.1,
  backend: 'auto',
};

/** The number of residual blocks in {@link MNIST_DEEP_RESIDUAL}. */
export const DEEP_RESIDUAL_BLOCKS = 4;

/**
 * MNIST with a deep residual MLP: 784-256, then 4 residual GELU blocks of 256
 * (a_l = f(z_l) + a_{l−1}), then 10 softmax units; Adam 0.001, batch 64, 3 epochs as the default
 * preset. `node demo/check-mnist-presets.mjs` measures it beside the default on the wasm backend.
 */
export const MNIST_DEEP_RESIDUAL: Settings = {
  layers: [
    layer(256, 'gelu'),
    ...Array.from({ length: DEEP_RESIDUAL_BLOCKS }, (): LayerSpec => ({ units: 256, activation: 'gelu', residual: true })),
    layer(10, 'softmax'),
  ],
  loss: 'categoricalCrossEntropy',
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  epochs: 3,
  l2: 0,
  seed: 1,
  initializer: 'he',
  validationSplit: 0.1,
  backend: 'auto',
};

/** Residual blocks in {@link MNIST_DEEP_NORM}. */
export const DEEP_NORM_BLOCKS = 6;

/**
 * MNIST with a deeper residual MLP whose blocks normalize: 784-256, then 6 residual blocks of 256
 * with layer normalization before GELU (a_l = GELU(LayerNorm(z_l)) + a_{l−1}), then 10 softmax
 * units; otherwise as {@link MNIST_DEEP_RESIDUAL}.
 */
export const MNIST_DEEP_NORM: Settings = {
  ...MNIST_DEEP_RESIDUAL,
  layers: [
    layer(256, 'gelu'),
    ...Array.from({ length: DEEP_NORM_BLOCKS }, (): LayerSpec => ({ units: 256, activation: 'gelu', residual: true, norm: 'layer' })),
    layer(10, 'softmax'),
  ],
};

/** The presets the page offers: each dataset's defaults, then the feature presets. */
export const PRESET_LIST: Preset[] = [
  { id: 'mnist', label: 'MNIST — default (784-128-10, Adam)', dataset: 'mnist', settings: PRESETS.mnist },
  { id: 'mnist-features', label: 'MNIST — early-stopped, cosine, dropout', dataset: 'mnist', settings: MNIST_FEATURES },
  { id: 'mnist-deep-residual', label: 'MNIST — deep residual MLP (784-256-4×256 residual GELU-10)', dataset: 'mnist', settings: MNIST_DEEP_RESIDUAL },
  { id: 'mnist-deep-norm', label: 'MNIST — deep residual MLP with LayerNorm (784-256-6×256 residual LayerNorm GELU-10)', dataset: 'mnist', settings: MNIST_DEEP_NORM },
  { id: 'spiral', label: 'Spiral — default', dataset: 'spiral', settings: PRESETS.spiral },
  { id: 'circles', label: 'Circles — default', dataset: 'circles', settings: PRESETS.circles },
  { id: 'xor', label: 'XOR — default', dataset: 'xor', settings: PRESETS.xor },
  { id: 'tutorial', label: '2-2-2 worked example — default', dataset: 'tutorial', settings: PRESETS.tutorial },
  { id: 'csv', label: 'CSV file — default', dataset: 'csv', settings: PRESETS.csv },
];

/** JSON with object keys sorted and undefined fields left out, so that equal settings compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The preset of `dataset` that `settings` equal (the backend and the output layer's size aside:
 * they follow the machine and the data), or null when they were edited.
 *
 * @example
 * matchingPreset('mnist', MNIST_FEATURES)?.id; // 'mnist-features'
 */
export function matchingPreset(dataset: DatasetName, settings: Settings): Preset | null {
  const key = (s: Settings) => canonical({ ...s, backend: undefined, freezeBias: s.freezeBias || undefined, l1: s.l1 || undefined, layers: s.layers.map((l, i) => (i === s.layers.length - 1 ? { ...l, units: undefined } : l)) });
  const mine = key(settings);
  return PRESET_LIST.find((p) => p.dataset === dataset && key(p.settings) === mine) ?? null;
}
