/**
 * The one resolver of the training options `fit` and `fitDataset` share: which call takes which
 * option (a table both read, so the two cannot drift apart), and each shared option validated by
 * the same code for both calls.
 */
import { type ResolvedConfig, type ResolvedOptimizer, checkBoolean, checkFloat32Settings, checkInteger, checkNumber, resolveOptimizer } from '../core/config';
import { or, readRecord } from '../core/inspect';
import type { ClipSettings } from '../core/optimizer-state';
import { type FitHooks, resolveHooks } from './hooks';
import { type ResolvedEarlyStopping, resolveEarlyStopping } from './early-stopping';
import { type ResolvedSchedule, resolveSchedule } from './schedules';
import { resolveClassWeights } from './sample-weights';
import { monitorContext } from './control';
import type { OptimizerSpec } from '../core/types';

/**
 * Every training option and the calls that take it.
 *
 * @example
 * TRAINING_OPTIONS.clipNorm; // 'both'
 */
export const TRAINING_OPTIONS = {
  epochs: 'both', batchSize: 'both', learningRate: 'both', optimizer: 'both', shuffle: 'both',
  validationData: 'both', onEpochEnd: 'both', onBatchEnd: 'both', signal: 'both',
  earlyStopping: 'both', clipNorm: 'both', clipValue: 'both', classWeight: 'both',
  sampleWeight: 'fit', validationSplit: 'fit', shuffleWindow: 'fitDataset',
} as const;

/**
 * A training call: `fit` (rows in memory) or `fitDataset` (a stream of chunks).
 *
 * @example
 * const call: TrainingCall = 'fitDataset';
 */
export type TrainingCall = 'fit' | 'fitDataset';

/** Why each option one call lacks cannot apply to it (the refusal says so). */
const WHY_NOT: Record<string, string> = {
  sampleWeight: "a stream's rows arrive chunk by chunk, so one array cannot weigh them: give each chunk its rows' weights as a sampleWeight field ({ x, y, sampleWeight })",
  validationSplit: 'a stream is not held in memory, so no fraction of it can be held out: pass validationData',
  shuffleWindow: 'it says how many chunks fitDataset shuffles together; fit shuffles all its rows (shuffle)',
};

/**
 * The option names `call` takes.
 *
 * @example
 * optionNames('fitDataset').includes('shuffleWindow'); // true
 */
export function optionNames(call: TrainingCall): string[] {
  return Object.entries(TRAINING_OPTIONS).filter(([, takes]) => takes === 'both' || takes === call).map(([name]) => name);
}

/**
 * `options` as a record for `call`: an unknown name is refused with the closest valid one, and an
 * option of the other call is refused naming why it cannot apply here.
 *
 * @example
 * readTrainingOptions({ validationSplit: 0.2 }, 'fitDataset'); // TypeError: fitDataset does not take validationSplit: a stream is not held in memory, …
 */
export function readTrainingOptions(options: unknown, call: TrainingCall): Record<string, unknown> {
  const o = readRecord(options, `${call} options`, Object.keys(TRAINING_OPTIONS));
  for (const name of Object.keys(o)) {
    if (!optionNames(call).includes(name)) throw new TypeError(`${call} does not take ${name}: ${WHY_NOT[name]}`);
  }
  return o;
}

/**
 * What `fit` and `fitDataset` resolve alike.
 *
 * @example
 * const { epochs, schedule, earlyStopping }: SharedOptions = resolveSharedOptions(o, options, config, false);
 */
export interface SharedOptions {
  epochs: number;
  /** As asked (fit caps it at its rows). */
  batchSize: number;
  schedule: ResolvedSchedule;
  optimizer: ResolvedOptimizer;
  shuffle: boolean;
  hooks: FitHooks;
  earlyStopping: ResolvedEarlyStopping | null;
  clip: ClipSettings | null;
  /** `classWeight` as one weight per class, or null. */
  classWeights: Float64Array | null;
  /** The model has a regression output: `mae` and `r2` are logged. */
  regression: boolean;
}

/** Validates `clipNorm` and `clipValue` (each a finite number > 0, or absent). */
function resolveClip(o: Record<string, unknown>): ClipSettings | null {
  const norm = o.clipNorm === undefined ? null : checkNumber('clipNorm', o.clipNorm, 'positive');
  const value = o.clipValue === undefined ? null : checkNumber('clipValue', o.clipValue, 'positive');
  return norm === null && value === null ? null : { norm, value };
}

/**
 * Validates the options both calls take (`o` read by {@link readTrainingOptions}; `self` the
 * caller's object, `this` of its callbacks), naming the first bad value; float32 limits when `float32`.
 *
 * @example
 * const shared = resolveSharedOptions(readTrainingOptions(options, 'fit'), options, config, false);
 */
export function resolveSharedOptions(o: Record<string, unknown>, self: object, config: ResolvedConfig, float32: boolean): SharedOptions {
  const ctx = monitorContext(o, config);
  const epochs = checkInteger('epochs', or(o.epochs, 1));
  const schedule = resolveSchedule(o.learningRate, ctx);
  const optimizer = resolveOptimizer(o.optimizer as OptimizerSpec | undefined);
  if (float32) checkFloat32Settings(optimizer, schedule.initial, config.l2, config.l1, config.huberDelta);
  const shuffle = checkBoolean('shuffle', or(o.shuffle, true));
  const hooks = resolveHooks(o, self);
  const batchSize = checkInteger('batchSize', or(o.batchSize, 32));
  const earlyStopping = resolveEarlyStopping(o.earlyStopping, ctx);
  const clip = resolveClip(o);
  const classWeights = o.classWeight === undefined ? null : resolveClassWeights(o.classWeight, config, float32);
  return { epochs, batchSize, schedule, optimizer, shuffle, hooks, earlyStopping, clip, classWeights, regression: ctx.regression };
}
