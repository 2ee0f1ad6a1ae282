/**
 * What a `fitDataset` call is: its options, validated by the resolver `fit` uses.
 */
import { type TrainerName, computesInFloat32 } from '../core/trainer';
import { type ResolvedConfig, type ResolvedOptimizer, checkInteger } from '../core/config';
import type { DatasetSource } from '../streams/chunk';
import { type Samples, resolveValidationData } from './options';
import type { FitHooks } from './hooks';
import type { FitFeatures } from './control';
import { isReplayable } from './blocks';
import { optionNames, readTrainingOptions, resolveSharedOptions } from './training-options';
import { or } from '../core/inspect';
import type { FitDatasetOptions, StreamBatchLog } from '../core/types';

/**
 * The names {@link FitDatasetOptions} may have.
 *
 * @example
 * FIT_DATASET_KEYS.includes('shuffleWindow'); // true
 */
export const FIT_DATASET_KEYS: readonly string[] = optionNames('fitDataset');

/**
 * A validated `fitDataset` call.
 *
 * @example
 * const plan: StreamPlan = resolveStreamPlan({ epochs: 2 }, config, 'cpu', source);
 */
export interface StreamPlan {
  epochs: number;
  batchSize: number;
  /** The schedule's first rate. */
  learningRate: number;
  optimizer: ResolvedOptimizer;
  shuffle: boolean;
  window: number;
  /** Evaluated after every epoch (`valLoss`, `valAccuracy` in the log). */
  validation: Samples | null;
  hooks: Omit<FitHooks, 'onBatchEnd'> & { onBatchEnd?: (log: StreamBatchLog) => void | Promise<void> };
  /** Schedule, early stopping, clipping (sample weights come with the chunks: `sampleWeights` is null). */
  features: FitFeatures;
  /** `classWeight`, one weight per class, applied to every chunk's rows; or null. */
  classWeights: Float64Array | null;
}

/**
 * Validates `fitDataset`'s options with the resolver `fit` uses (src/fit/training-options.ts):
 * unknown names refused with the closest valid one, `fit`'s options that cannot apply to a stream
 * refused saying why.
 *
 * @example
 * resolveStreamPlan({ epochs: 2, shuffleWindow: 4 }, config, 'webgpu', source).window; // 4
 */
export function resolveStreamPlan(options: FitDatasetOptions, config: ResolvedConfig, backend: TrainerName, source: DatasetSource): StreamPlan {
  const float32 = computesInFloat32(backend);
  const o = readTrainingOptions(options, 'fitDataset');
  const s = resolveSharedOptions(o, options as object, config, float32);
  const window = checkInteger('shuffleWindow', or(o.shuffleWindow, 1));
  const validation = o.validationData === undefined ? null : resolveValidationData(o.validationData, config, float32);
  if (s.epochs > 1 && !isReplayable(source)) {
    throw new TypeError(`the data source is a one-shot iterator (a generator), which cannot be replayed for ${s.epochs} epochs: pass a function that returns a fresh one, e.g. fitDataset(() => chunks(), …)`);
  }
  if (s.schedule.type === 'cosine' && !isReplayable(source)) {
    throw new TypeError("a 'cosine' schedule needs the stream's length, counted in a pass before training, and the data source is a one-shot iterator (a generator): pass a function that returns a fresh one, e.g. fitDataset(() => chunks(), …)");
  }
  const features: FitFeatures = { schedule: s.schedule, earlyStopping: s.earlyStopping, clip: s.clip, sampleWeights: null, regression: s.regression, spread: 0 };
  return {
    epochs: s.epochs, batchSize: s.batchSize, learningRate: s.schedule.initial, optimizer: s.optimizer, shuffle: s.shuffle, window,
    validation, hooks: s.hooks as StreamPlan['hooks'], features, classWeights: s.classWeights,
  };
}
