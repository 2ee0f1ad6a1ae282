// Public types of the training options: optimizers, schedules, early stopping, and the options
// of `fit`, `fitDataset` and `profile`.
import type { Inputs, Targets } from './data';
import type { BatchLog, EpochLog, StreamBatchLog } from './logs';

/**
 * Optimizers and their hyper-parameters.
 *
 * @example
 * const optimizer: OptimizerSpec = { type: 'adam', beta1: 0.9 };
 */
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

/**
 * A quantity `fit` logs per epoch that early stopping and `reduceOnPlateau` can watch.
 *
 * @example
 * const monitor: Monitor = 'valAccuracy';
 */
export type Monitor = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy' | 'mae' | 'valMae' | 'r2' | 'valR2';

/**
 * A learning-rate schedule, computed on the host and passed to the GPU per batch (no recompiles):
 * `step` and `exponential` per epoch, `cosine` per step with a linear warmup, `reduceOnPlateau`
 * when `monitor` stops improving (formulas: src/fit/schedules.ts).
 *
 * @example
 * await model.fit(x, y, { epochs: 20, learningRate: { type: 'cosine', initial: 0.1, warmupSteps: 100 } });
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
 *
 * @example
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, earlyStopping: { patience: 5, restoreBestWeights: true } });
 */
export interface EarlyStoppingOptions {
  monitor?: Monitor;
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

/**
 * Options of {@link MLP.profile}.
 *
 * @example
 * await model.profile(x, y, { batchSize: 64, steps: 10 });
 */
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

/**
 * Options for {@link MLP.fitDataset}: `fit`'s options (schedules, early stopping, clipping and
 * class weights included; sample weights come with the chunks), with shuffling within a window
 * of chunks. `validationSplit` and `sampleWeight` do not apply to a stream and are refused.
 *
 * @example
 * await model.fitDataset(chunks, { epochs: 2, batchSize: 64, shuffleWindow: 4, clipNorm: 1 });
 */
export interface FitDatasetOptions {
  /** Passes over the source (default 1); more than one needs a source that can be replayed (a function returning a fresh iterable, or an array). */
  epochs?: number;
  /** Samples per update (default 32); batches run across chunk boundaries, as `fit`'s do over its rows. */
  batchSize?: number;
  /** Step size η, or a {@link LearningRateSchedule} (default 0.01); `cosine` counts the stream's rows in a pass before training. */
  learningRate?: number | LearningRateSchedule;
  /** Optimizer (default `sgd`); its state is kept across calls while the spec is unchanged, as with `fit`. */
  optimizer?: OptimizerSpec;
  /** Stop when a monitored quantity stops improving (see {@link EarlyStoppingOptions}); validation monitors need `validationData`. */
  earlyStopping?: EarlyStoppingOptions;
  /** As `fit`'s: scale the gradient to a global L2 norm of at most this (> 0). */
  clipNorm?: number;
  /** As `fit`'s: clamp every gradient element to [−clipValue, clipValue] (> 0), after `clipNorm`. */
  clipValue?: number;
  /** As `fit`'s, applied to every chunk's rows (times the chunk's `sampleWeight`, when it has one). */
  classWeight?: Record<number, number> | number[];
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

/**
 * Options for {@link MLP.fit}.
 *
 * @example
 * await model.fit(x, y, { epochs: 10, batchSize: 32, learningRate: 0.1, optimizer: 'adam', validationSplit: 0.1 });
 */
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
