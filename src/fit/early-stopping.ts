/**
 * Early stopping, and the monitored quantities it shares with the `reduceOnPlateau` schedule:
 * which epoch-log values exist for a model and a `fit` call, which direction is better, and the
 * per-epoch bookkeeping (best value, its epoch, epochs without improvement).
 */
import { checkBoolean, checkChoice, checkInteger, checkNumber } from '../core/config';
import { readRecord } from '../core/inspect';
import type { EarlyStoppingOptions, EpochLog, Monitor } from '../core/types';

/**
 * Every quantity a monitor may name.
 *
 * @example
 * MONITORS.includes('valR2'); // true
 */
export const MONITORS: readonly Monitor[] = ['loss', 'valLoss', 'accuracy', 'valAccuracy', 'mae', 'valMae', 'r2', 'valR2'];

/**
 * What a `fit` call logs, which decides the monitors it can offer.
 *
 * @example
 * const ctx: MonitorContext = { validation: true, regression: false };
 */
export interface MonitorContext {
  /** `validationData` or `validationSplit` was given. */
  validation: boolean;
  /** The model has a regression output (see `isRegressionOutput`): `mae` and `r2` are logged. */
  regression: boolean;
}

/**
 * Early stopping with its defaults filled in.
 *
 * @example
 * const es: ResolvedEarlyStopping = { monitor: 'valLoss', patience: 3, minDelta: 0, restoreBestWeights: true };
 */
export interface ResolvedEarlyStopping {
  monitor: Monitor;
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
}

/**
 * Whether larger values of `m` are better (accuracy, R²) or smaller (losses, MAE).
 *
 * @example
 * monitorMode('valAccuracy'); // 'max'
 */
export function monitorMode(m: Monitor): 'min' | 'max' {
  return m === 'accuracy' || m === 'valAccuracy' || m === 'r2' || m === 'valR2' ? 'max' : 'min';
}

/**
 * True when `value` beats `best` by more than `minDelta` in `m`'s direction (any finite value beats none).
 *
 * @example
 * improves('loss', 0.5, 0.6, 0.05); // true
 */
export function improves(m: Monitor, value: number, best: number | null, minDelta: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === null) return true;
  return monitorMode(m) === 'min' ? value < best - minDelta : value > best + minDelta;
}

/**
 * Validates a monitor name (`name` is the option's path, for messages) against what this `fit`
 * logs: validation monitors need validation data, `mae`/`r2` a regression output.
 *
 * @example
 * checkMonitor('earlyStopping.monitor', 'valLoss', { validation: false, regression: false });
 * // RangeError: earlyStopping.monitor 'valLoss' needs validation data: pass validationData or validationSplit, or monitor 'loss' / 'accuracy'
 */
export function checkMonitor(name: string, v: unknown, ctx: MonitorContext): Monitor {
  const m = checkChoice(name, v, MONITORS);
  const trained: Monitor[] = ctx.regression ? ['loss', 'mae', 'r2', 'accuracy'] : ['loss', 'accuracy'];
  if (m.startsWith('val') && !ctx.validation) {
    throw new RangeError(`${name} '${m}' needs validation data: pass validationData or validationSplit, or monitor ${trained.map((t) => `'${t}'`).join(' / ')}`);
  }
  if ((m === 'mae' || m === 'r2' || m === 'valMae' || m === 'valR2') && !ctx.regression) {
    throw new RangeError(`${name} '${m}' is logged for regression outputs ('linear', 'relu' or 'tanh' output layer) only; monitor 'loss' or 'accuracy' (or their 'val' forms)`);
  }
  return m;
}

/**
 * Validates `fit`'s `earlyStopping` option and fills in the defaults (monitor `'valLoss'`,
 * patience 0, minDelta 0, restoreBestWeights false). Returns null when it is not given.
 *
 * @example
 * resolveEarlyStopping({ patience: 3, restoreBestWeights: true }, { validation: true, regression: false });
 * // { monitor: 'valLoss', patience: 3, minDelta: 0, restoreBestWeights: true }
 */
export function resolveEarlyStopping(v: unknown, ctx: MonitorContext): ResolvedEarlyStopping | null {
  if (v === undefined) return null;
  const o = readRecord(v, 'earlyStopping', ['monitor', 'patience', 'minDelta', 'restoreBestWeights'], '{monitor?, patience?, minDelta?, restoreBestWeights?}') as EarlyStoppingOptions;
  const patience = checkInteger('earlyStopping.patience', o.patience ?? 0, 0, 1_000_000);
  const minDelta = checkNumber('earlyStopping.minDelta', o.minDelta ?? 0, 'nonnegative');
  const restoreBestWeights = checkBoolean('earlyStopping.restoreBestWeights', o.restoreBestWeights ?? false);
  const monitor = checkMonitor('earlyStopping.monitor', o.monitor ?? 'valLoss', ctx);
  return { monitor, patience, minDelta, restoreBestWeights };
}

/**
 * The value of `m` in an epoch's log (NaN when the log lacks it).
 *
 * @example
 * monitored(history.epochs[0], 'valLoss');
 */
export function monitored(log: EpochLog, m: Monitor): number {
  const v = log[m];
  return typeof v === 'number' ? v : NaN;
}

/**
 * The bookkeeping of early stopping over one `fit`: TensorFlow.js's `tf.callbacks.earlyStopping`
 * rule (Keras's `EarlyStopping`), see {@link EarlyStopper.observe}.
 *
 * @example
 * const s = new EarlyStopper({ monitor: 'valLoss', patience: 2, minDelta: 0, restoreBestWeights: false });
 * s.observe(1, 0.5); // 'improved'
 * s.observe(2, 0.6); // 'wait'
 * s.observe(3, 0.7); // 'stop'
 */
export class EarlyStopper {
  best: number | null = null;
  bestEpoch: number | null = null;
  private wait = 0;

  constructor(readonly options: ResolvedEarlyStopping) {}

  /**
   * Records epoch `epoch`'s monitored `value`: one that improves on the best by more than
   * `minDelta` becomes the best (its epoch the best epoch), else the count of epochs without
   * improvement grows; training stops once that count reaches `patience` (the first epoch
   * without improvement stops it when `patience` is 0 or 1).
   */
  observe(epoch: number, value: number): 'improved' | 'wait' | 'stop' {
    if (improves(this.options.monitor, value, this.best, this.options.minDelta)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      return 'improved';
    }
    this.wait++;
    return this.wait >= this.options.patience ? 'stop' : 'wait';
  }
}
