/**
 * The training features of a `fit` or `fitDataset` call beyond plain epochs, resolved once
 * (src/fit/training-options.ts) and driven epoch by epoch (or block by block) from the loop: the learning-rate schedule (per-step rates in each epoch's plan),
 * dropout keys, gradient clipping, class and sample weights, regression metrics in the logs,
 * `reduceOnPlateau`, and early stopping with the best parameters kept by the backend.
 */
import type { BatchStats, EpochPlan, TrainerBackend } from '../core/trainer';
import { type NetSpec, outputSize } from '../core/config';
import type { ClipSettings } from '../core/optimizer-state';
import type { Dense } from '../core/data';
import { epochDropKey } from '../core/dropout-mask';
import { EarlyStopper, type MonitorContext, type ResolvedEarlyStopping, monitored } from './early-stopping';
import { isRegressionOutput, metricsOf, regressionMetrics } from '../core/metrics';
import { Plateau, type ResolvedSchedule, epochRates } from './schedules';
import type { EpochLog, History } from '../core/types';

/**
 * A `fit` (or `fitDataset`) call's features, validated.
 *
 * @example
 * const { earlyStopping, sampleWeights }: FitFeatures = plan.features;
 */
export interface FitFeatures {
  schedule: ResolvedSchedule;
  earlyStopping: ResolvedEarlyStopping | null;
  clip: ClipSettings | null;
  /** One weight per training row (class × sample weights), or null (`fitDataset`: the chunks carry them). */
  sampleWeights: Float64Array | null;
  /** The model has a regression output: `mae` and `r2` are logged. */
  regression: boolean;
  /** Σ(y − ȳ)² of the training targets (R²'s denominator; regression outputs only; `fitDataset`: each epoch's, from its blocks). */
  spread: number;
}

/**
 * Which monitors a `fit` with options `o` offers (validation from `validationData` or a positive `validationSplit`).
 *
 * @example
 * monitorContext({ validationSplit: 0.2 }, net); // { validation: true, regression: false } for a classifier
 */
export function monitorContext(o: Record<string, unknown>, net: NetSpec): MonitorContext {
  const split = o.validationSplit;
  return { validation: o.validationData !== undefined || (typeof split === 'number' && split > 0), regression: isRegressionOutput(net) };
}

/**
 * One `fit` call's feature state: the rates and keys of each epoch's plan, the extra fields of
 * each epoch's log, `reduceOnPlateau` and early stopping.
 *
 * @example
 * const control = new FitControl(plan.features, plan.epochs, seed, net);
 * const extra = control.epochExtras(1, 0, batches); // learningRates, dropKey, clip for epoch 1
 */
export class FitControl {
  private readonly plateau: Plateau | null;
  private readonly stopper: EarlyStopper | null;
  private readonly dropout: boolean;
  /** Outputs per sample. */
  private readonly cols: number;
  /** The rates of the epochs planned so far, by epoch of this `fit` (1-based). */
  private readonly rates = new Map<number, Float64Array>();
  /** Set when early stopping ends training after the current epoch. */
  stopRequested = false;
  /** Which backend holds the kept best parameters. */
  private bestOn: TrainerBackend | null = null;

  constructor(private readonly f: FitFeatures, private readonly epochs: number, private readonly seed: number, net: NetSpec) {
    this.plateau = f.schedule.type === 'reduceOnPlateau' ? new Plateau(f.schedule) : null;
    this.stopper = f.earlyStopping ? new EarlyStopper(f.earlyStopping) : null;
    this.dropout = net.layers.some((l) => (l.dropout ?? 0) > 0);
    this.cols = outputSize(net);
  }

  /** True when each epoch's outcome decides what follows (epochs are then trained one per call). */
  get watchesEpochs(): boolean {
    return this.plateau !== null || this.stopper !== null;
  }

  /** The schedule, dropout and clipping fields of the plan of epoch `epoch` (1-based, of this fit), the model's `modelEpoch`-th (0-based). */
  epochExtras(epoch: number, modelEpoch: number, batches: number): Pick<EpochPlan, 'learningRate' | 'learningRates' | 'dropKey' | 'clip'> {
    const rates = epochRates(this.f.schedule, epoch - 1, batches, this.epochs, this.plateau?.rate);
    this.rates.set(epoch, rates);
    const extras: Pick<EpochPlan, 'learningRate' | 'learningRates' | 'dropKey' | 'clip'> = { learningRate: rates[0], learningRates: rates, clip: this.f.clip };
    if (this.dropout) extras.dropKey = epochDropKey(this.seed, modelEpoch);
    return extras;
  }

  /**
   * A stream's block: the rates of batches [first, first + count) of epoch `epoch` (1-based) and
   * its dropout key and clipping, as {@link FitControl.epochExtras} gives them for a whole epoch.
   * `batches` is the epoch's batch count (a `cosine` schedule needs it; null while unknown).
   */
  blockExtras(epoch: number, modelEpoch: number, first: number, count: number, batches: number | null): Pick<EpochPlan, 'learningRate' | 'learningRates' | 'dropKey' | 'clip'> {
    const s = this.f.schedule;
    if (s.type === 'cosine' && batches === null) throw new Error('a cosine schedule over a stream needs its batches per epoch, counted before training');
    const rates = s.type === 'cosine' ? epochRates(s, epoch - 1, batches!, this.epochs).slice(first, first + count) : epochRates(s, epoch - 1, count, this.epochs, this.plateau?.rate);
    const before = first === 0 ? new Float64Array(0) : (this.rates.get(epoch) ?? new Float64Array(0));
    const all = new Float64Array(before.length + rates.length);
    all.set(before);
    all.set(rates, before.length);
    this.rates.set(epoch, all);
    const extras: Pick<EpochPlan, 'learningRate' | 'learningRates' | 'dropKey' | 'clip'> = { learningRate: rates[0], learningRates: rates, clip: this.f.clip };
    if (this.dropout) extras.dropKey = epochDropKey(this.seed, modelEpoch);
    return extras;
  }

  /** Adds the learning rate of the epoch's last step and, for regression outputs, its MAE and R² (`rows`: the epoch's; `spread`: R²'s denominator, a stream's own per epoch). */
  annotate(log: EpochLog, stats: BatchStats[], rows: number, spread = this.f.spread): void {
    const rates = this.rates.get(log.epoch);
    log.learningRate = rates ? rates[Math.max(0, stats.length - 1)] : this.f.schedule.initial;
    if (!this.f.regression) return;
    let absErr = 0;
    let sqErr = 0;
    let seen = 0;
    for (const s of stats) {
      absErr += s.absErr ?? NaN;
      sqErr += s.sqErr ?? NaN;
      seen += s.size;
    }
    const m = regressionMetrics(absErr, sqErr, seen * this.cols, spread);
    log.mae = m.mae;
    // R² needs every training row (its denominator is over all of them): not for a cut-short epoch
    if (seen === rows) log.r2 = m.r2;
  }

  /** Regression outputs: the validation MAE and R², from the backend's predictions on `val`. */
  async validate(log: EpochLog, predict: (x: Dense) => Promise<Float64Array>, val: { x: Dense; y: Dense }): Promise<void> {
    if (!this.f.regression) return;
    const m = metricsOf(await predict(val.x), val.y);
    log.valMae = m.mae;
    log.valR2 = m.r2;
  }

  /**
   * After epoch `log.epoch` is logged: feeds `reduceOnPlateau` and early stopping; keeps the best
   * parameters on `backend` when they improved and `restoreBestWeights` is set. Sets
   * {@link FitControl.stopRequested} when early stopping ends training.
   */
  afterEpoch(log: EpochLog, backend: TrainerBackend): void {
    if (this.plateau && this.f.schedule.type === 'reduceOnPlateau') this.plateau.observe(monitored(log, this.f.schedule.monitor));
    if (!this.stopper) return;
    const verdict = this.stopper.observe(log.epoch, monitored(log, this.stopper.options.monitor));
    if (verdict === 'improved' && this.stopper.options.restoreBestWeights) {
      try {
        backend.keepBestParams();
        this.bestOn = backend;
      } catch {
        // the backend cannot keep a copy (its GPU device was just lost): nothing to restore from;
        // the next epoch's training meets the loss and moves to the CPU as usual
        this.bestOn = null;
      }
    }
    if (verdict === 'stop') this.stopRequested = true;
  }

  /** Fills in why training ended and, with `restoreBestWeights`, puts the best epoch's parameters back on `backend`. */
  async finish(history: History, backend: TrainerBackend): Promise<void> {
    history.stopReason = history.stopped ? 'aborted' : this.stopRequested ? 'earlyStopping' : 'completed';
    if (!this.stopper) return;
    if (this.stopper.bestEpoch !== null) {
      history.bestEpoch = this.stopper.bestEpoch;
      history.bestValue = this.stopper.best!;
    }
    if (this.stopper.options.restoreBestWeights) history.restoredBestWeights = this.bestOn === backend && (await backend.restoreBestParams());
  }
}
