// Public types of what training reports: per batch, per epoch, and the history `fit` resolves to.

/**
 * What `onBatchEnd` receives. Loss and accuracy are this batch's, before its update.
 *
 * @example
 * await model.fit(x, y, { onBatchEnd: (log: BatchLog) => console.log(log.batch, log.loss) });
 */
export interface BatchLog {
  epoch: number;
  batch: number;
  batches: number;
  size: number;
  /** The batch's objective before its update: mean loss plus the L2 term λ/(2m)·ΣW² (m = its rows). */
  loss: number;
  accuracy: number;
}

/**
 * What `onEpochEnd` receives and what the history holds, one per epoch.
 *
 * @example
 * await model.fit(x, y, { onEpochEnd: (log: EpochLog) => console.log(log.epoch, log.loss, log.valLoss) });
 */
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

/**
 * What `fitDataset`'s `onBatchEnd` receives: `batches` is null until the first epoch has ended
 * (a stream's length is not known before).
 *
 * @example
 * await model.fitDataset(chunks, { onBatchEnd: (log: StreamBatchLog) => console.log(log.batch, log.batches ?? '?') });
 */
export interface StreamBatchLog extends Omit<BatchLog, 'batches'> {
  batches: number | null;
}

/**
 * What `fit` resolves to.
 *
 * @example
 * const history: History = await model.fit(x, y, { epochs: 5 });
 * console.log(history.stopReason, history.epochs.at(-1)?.loss);
 */
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
  /** The backend that trained (the last one, when `backend: 'auto'` moved the run). */
  backend: 'cpu' | 'webgpu' | 'wasm';
  /** When `backend: 'auto'` moved the run during this call: from where, after which epoch and step, and why. */
  backendMove?: { from: 'cpu' | 'webgpu' | 'wasm'; to: 'cpu' | 'webgpu' | 'wasm'; epoch: number; step: number; reason: string };
}
