import { type ResolvedConfig, type ResolvedOptimizer, checkInteger, checkNumber, describeValue, resolveOptimizer } from './config';
import { type Dense, gatherRows, toInputs, toTargets } from './data';
import { Rng } from './random';
import type { FitOptions, Inputs, Targets } from './types';

/** Inputs and targets with the same rows. */
export interface Samples {
  x: Dense;
  y: Dense;
}

/**
 * The callbacks and abort signal of a `fit` call. This is the caller's options object itself, so
 * `onEpochEnd` is read (and called) on it as the caller wrote it.
 */
export type FitHooks = Pick<FitOptions, 'onEpochEnd' | 'onBatchEnd' | 'signal'>;

/** A validated `fit` call: its options resolved, its data converted and split. */
export interface FitPlan {
  epochs: number;
  learningRate: number;
  optimizer: ResolvedOptimizer;
  shuffle: boolean;
  /** Capped at the number of training samples. */
  batchSize: number;
  train: Samples;
  /** `validationData`, or the `validationSplit` held out of the data; null when neither. */
  validation: Samples | null;
  hooks: FitHooks;
}

/**
 * Validates `fit`'s options, then its data, throwing a `RangeError`/`TypeError` naming the first
 * bad value before anything changes; resolves the defaults and the train/validation split.
 *
 * @example
 * const plan = resolveFitPlan({ epochs: 5, validationSplit: 0.2 }, x, y, model.config);
 * plan.train.x.rows; // 80% of the rows, chosen with the seed
 */
export function resolveFitPlan(options: FitOptions, x: Inputs, y: Targets, config: ResolvedConfig): FitPlan {
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
  const { train, validation } = splitSamples(options, x, y, split, config);
  const batchSize = Math.min(checkInteger('batchSize', options.batchSize ?? 32), train.x.rows);
  return { epochs, learningRate, optimizer, shuffle, batchSize, train, validation, hooks: options };
}

/**
 * Converts `x`, `y` and picks the validation set: `validationData` when given, else a seeded
 * `split` fraction of the rows (`new Rng(seed, 'split')`), else none.
 */
function splitSamples(options: FitOptions, x: Inputs, y: Targets, split: number, config: ResolvedConfig): { train: Samples; validation: Samples | null } {
  const xAll = toInputs(x, config);
  const yAll = toTargets(y, config, xAll.rows);
  if (options.validationData !== undefined) {
    const vd = options.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) throw new TypeError(`validationData must be [x, y], got ${describeValue(vd)}`);
    const vx = toInputs(vd[0], config, 'validationData x');
    return { train: { x: xAll, y: yAll }, validation: { x: vx, y: toTargets(vd[1], config, vx.rows, 'validationData y') } };
  }
  if (!(split > 0)) return { train: { x: xAll, y: yAll }, validation: null };
  const nVal = Math.floor(xAll.rows * split);
  if (nVal < 1 || nVal >= xAll.rows) {
    throw new RangeError(`validationSplit ${split} of ${xAll.rows} samples leaves ${nVal} for validation and ${xAll.rows - nVal} for training; both need at least 1`);
  }
  const perm = new Rng(config.seed, 'split').permutation(xAll.rows);
  const nTrain = xAll.rows - nVal;
  const take = (d: Dense, start: number, count: number): Dense => ({ data: gatherRows(d, perm, start, count), rows: count, cols: d.cols });
  return { train: { x: take(xAll, 0, nTrain), y: take(yAll, 0, nTrain) }, validation: { x: take(xAll, nTrain, nVal), y: take(yAll, nTrain, nVal) } };
}
