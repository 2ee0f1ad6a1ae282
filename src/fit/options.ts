import { type ResolvedConfig, type ResolvedOptimizer, checkFloat32Settings, checkInteger, checkNumber, describeValue, resolveOptimizer } from '../core/config';
import { refuseOneRowBatches } from '../core/norm-params';
import { type Dense, takeRows, toInputs, toTargets } from '../core/data';
import { isArray, or, readList, readRecord } from '../core/inspect';
import { Rng } from '../core/random';
import { type EpochPlan, type TrainerName, computesInFloat32 } from '../core/trainer';
import type { FitFeatures } from './control';
import type { FitHooks } from './hooks';
import { resolveSampleWeights } from './sample-weights';
import { targetSpread } from '../core/metrics';
import { optionNames, readTrainingOptions, resolveSharedOptions } from './training-options';
import type { FitOptions, Inputs, OptimizerSpec, ProfileOptions, Targets } from '../core/types';

export { type FitHooks, linkSignal, resolveHooks } from './hooks';

/**
 * Inputs and targets with the same rows.
 *
 * @example
 * const { x, y }: Samples = plan.train;
 */
export interface Samples {
  x: Dense;
  y: Dense;
}

/**
 * The names `fit`'s options may have.
 *
 * @example
 * FIT_KEYS.includes('validationSplit'); // true
 */
export const FIT_KEYS: readonly string[] = optionNames('fit');

/**
 * A validated `fit` call: its options resolved, its data converted and split.
 *
 * @example
 * const plan: FitPlan = resolveFitPlan({ epochs: 5 }, x, y, config, 'cpu');
 */
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
  /** Schedule, early stopping, clipping, class/sample weights, regression metrics (src/fit/control.ts). */
  features: FitFeatures;
}

/**
 * Most float64 activations one CPU batch may hold per copy (batch rows × all layers' units): 2^27 (1 GiB).
 *
 * @example
 * MAX_BATCH_ACTIVATIONS; // 134217728
 */
export const MAX_BATCH_ACTIVATIONS = 2 ** 27;

/**
 * Validates `fit`'s options (unknown names refused with the closest valid one), then its data
 * (float32 limits on WebGPU), naming the first bad value before anything changes; resolves the
 * defaults and the train/validation split.
 *
 * @example
 * const plan = resolveFitPlan({ epochs: 5, validationSplit: 0.2 }, x, y, model.config, 'cpu');
 * plan.train.x.rows; // 80% of the rows, chosen with the seed
 */
export function resolveFitPlan(options: FitOptions, x: Inputs, y: Targets, config: ResolvedConfig, backend: TrainerName): FitPlan {
  const float32 = computesInFloat32(backend);
  const o = readTrainingOptions(options, 'fit');
  const s = resolveSharedOptions(o, options as object, config, float32);
  const split = checkNumber('validationSplit', or(o.validationSplit, 0), 'nonnegative');
  if (split >= 1) throw new RangeError(`validationSplit must be in [0, 1), got ${split}`);
  const { train, validation, rows, trainRows } = splitSamples(o.validationData, x, y, split, config, float32);
  const batchSize = Math.min(s.batchSize, train.x.rows);
  if (backend === 'cpu') checkBatchMemory(batchSize, config);
  refuseOneRowBatches(config, train.x.rows, batchSize, 'fit');
  const sampleWeights = resolveSampleWeights(s.classWeights, o.sampleWeight, rows, trainRows, train.y, float32);
  const features: FitFeatures = {
    schedule: s.schedule, earlyStopping: s.earlyStopping, clip: s.clip, sampleWeights, regression: s.regression, spread: s.regression ? targetSpread(train.y) : 0,
  };
  return { epochs: s.epochs, learningRate: s.schedule.initial, optimizer: s.optimizer, shuffle: s.shuffle, batchSize, train, validation, hooks: s.hooks, features };
}

/**
 * Refuses CPU batches whose activations would not fit {@link MAX_BATCH_ACTIVATIONS}, before allocating them.
 *
 * @example
 * checkBatchMemory(4096, config); // RangeError when 4096 × (inputs + all units) > 2^27
 */
export function checkBatchMemory(rows: number, config: ResolvedConfig): void {
  const units = config.layers.reduce((a, l) => a + l.units, config.inputSize);
  if (rows * units > MAX_BATCH_ACTIVATIONS) {
    throw new RangeError(
      `batchSize ${rows} × ${units} units (inputs and every layer) is ${rows * units} float64 activations per copy, more than the ` +
        `${MAX_BATCH_ACTIVATIONS} (1 GiB) the CPU backend allocates for one batch; use a batchSize of at most ${Math.max(1, Math.floor(MAX_BATCH_ACTIVATIONS / units))}`,
    );
  }
}

/**
 * Checks `validationData` ([inputs, targets]) and converts it.
 *
 * @example
 * resolveValidationData([[[0, 1]], [1]], config, false).x.rows; // 1
 */
export function resolveValidationData(vd: unknown, config: ResolvedConfig, float32: boolean): Samples {
  if (!isArray(vd)) throw new TypeError(`validationData must be [inputs, targets], got ${describeValue(vd)}`);
  const pair = readList(vd, 'validationData', 3);
  if (pair.length !== 2) throw new RangeError(`validationData must be [inputs, targets], got an array of ${pair.length}`);
  const vx = toInputs(pair[0], config, 'validationData inputs', float32);
  return { x: vx, y: toTargets(pair[1], config, vx.rows, 'validationData targets', float32) };
}

/**
 * Converts `x`, `y` and picks the validation set: `validationData` when given, else a seeded
 * `split` fraction of the rows (`new Rng(seed, 'split')`), else none.
 */
function splitSamples(
  vd: unknown, x: Inputs, y: Targets, split: number, config: ResolvedConfig, float32: boolean,
): { train: Samples; validation: Samples | null; rows: number; trainRows: Uint32Array | null } {
  const xAll = toInputs(x, config, 'x', float32);
  const yAll = toTargets(y, config, xAll.rows, 'y', float32);
  if (vd !== undefined) return { train: { x: xAll, y: yAll }, validation: resolveValidationData(vd, config, float32), rows: xAll.rows, trainRows: null };
  if (!(split > 0)) return { train: { x: xAll, y: yAll }, validation: null, rows: xAll.rows, trainRows: null };
  const nVal = Math.floor(xAll.rows * split);
  if (nVal < 1 || nVal >= xAll.rows) {
    throw new RangeError(`validationSplit ${split} of ${xAll.rows} samples leaves ${nVal} for validation and ${xAll.rows - nVal} for training; both need at least 1`);
  }
  const perm = new Rng(config.seed, 'split').permutation(xAll.rows);
  const nTrain = xAll.rows - nVal;
  const take = (d: Dense, start: number, count: number): Dense => takeRows(d, perm, start, count);
  const validation = { x: take(xAll, nTrain, nVal), y: take(yAll, nTrain, nVal) };
  return { train: { x: take(xAll, 0, nTrain), y: take(yAll, 0, nTrain) }, validation, rows: xAll.rows, trainRows: perm.subarray(0, nTrain) };
}

/**
 * Validates `profile()`'s options and data like `fit`'s (float32 limits included: profiling runs
 * on WebGPU) and returns the steps' plan.
 *
 * @example
 * const { plan, steps } = resolveProfilePlan({ steps: 5 }, x, y, net);
 */
export function resolveProfilePlan(options: ProfileOptions, x: Inputs, y: Targets, config: ResolvedConfig): { x: Dense; y: Dense; plan: EpochPlan; steps: number } {
  const o = readRecord(options, 'profile options', ['batchSize', 'steps', 'learningRate', 'optimizer']);
  const steps = checkInteger('steps', or(o.steps, 10), 1, 10_000);
  const learningRate = checkNumber('learningRate', or(o.learningRate, 0.01), 'positive');
  const optimizer = resolveOptimizer(o.optimizer as OptimizerSpec | undefined);
  checkFloat32Settings(optimizer, learningRate, config.l2, config.l1, config.huberDelta);
  const dx = toInputs(x, config, 'x', true);
  const dy = toTargets(y, config, dx.rows, 'y', true);
  const batchSize = Math.min(checkInteger('batchSize', or(o.batchSize, 32)), dx.rows);
  const order = Uint32Array.from({ length: dx.rows }, (_, i) => i);
  return { x: dx, y: dy, plan: { order, batchSize, learningRate, optimizer, stepsBefore: 0 }, steps };
}
