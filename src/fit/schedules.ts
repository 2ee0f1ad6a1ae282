/**
 * Learning-rate schedules: validated from `fit`'s `learningRate` option and evaluated on the host,
 * one rate per optimizer step. The backends receive the rates with each epoch's plan (on WebGPU
 * they go into the per-batch uniform's `lr`, so no pipeline is rebuilt when the rate changes).
 */
import { checkChoice, checkInteger, checkNumber } from '../core/config';
import { type MonitorContext, checkMonitor, improves } from './early-stopping';
import { describeValue, readRecord } from '../core/inspect';
import type { Monitor } from '../core/types';

/**
 * A schedule with every default filled in; a plain number is `constant`.
 *
 * @example
 * const s: ResolvedSchedule = { type: 'constant', initial: 0.01 };
 */
export type ResolvedSchedule =
  | { type: 'constant'; initial: number }
  | { type: 'step'; initial: number; every: number; factor: number }
  | { type: 'exponential'; initial: number; decay: number }
  | { type: 'cosine'; initial: number; warmupSteps: number; minLearningRate: number }
  | { type: 'reduceOnPlateau'; initial: number; monitor: Monitor; factor: number; patience: number; minLearningRate: number; minDelta: number };

const TYPES = ['step', 'exponential', 'cosine', 'reduceOnPlateau'] as const;
const FIELDS: Record<(typeof TYPES)[number], readonly string[]> = {
  step: ['initial', 'every', 'factor'],
  exponential: ['initial', 'decay'],
  cosine: ['initial', 'warmupSteps', 'minLearningRate'],
  reduceOnPlateau: ['initial', 'monitor', 'factor', 'patience', 'minLearningRate', 'minDelta'],
};
const ALL_FIELDS = ['type', ...new Set(Object.values(FIELDS).flat())];

/** A factor in (0, 1] (`open`: (0, 1)), named `learningRate.<field>`. */
function fraction(field: string, v: unknown, open: boolean): number {
  const name = `learningRate.${field}`;
  const range = open ? '(0, 1)' : '(0, 1]';
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number in ${range}, got ${describeValue(v)}`);
  if (!(v > 0 && (open ? v < 1 : v <= 1))) throw new RangeError(`${name} must be in ${range}, got ${describeValue(v)}`);
  return v;
}

/**
 * Validates `fit`'s `learningRate`: a number > 0 (constant) or a schedule object. `ctx` says
 * which monitors `reduceOnPlateau` may watch in this `fit`.
 *
 * @example
 * resolveSchedule({ type: 'cosine', initial: 0.1, warmupSteps: 10 }, ctx); // { type: 'cosine', initial: 0.1, warmupSteps: 10, minLearningRate: 0 }
 * resolveSchedule({ type: 'linear', initial: 0.1 }, ctx); // RangeError: learningRate.type must be one of 'step', 'exponential', 'cosine', 'reduceOnPlateau', got "linear"
 */
export function resolveSchedule(v: unknown, ctx: MonitorContext): ResolvedSchedule {
  if (v === undefined || typeof v === 'number') return { type: 'constant', initial: checkNumber('learningRate', v ?? 0.01, 'positive') };
  const o = readRecord(v, 'learningRate', ALL_FIELDS, "a number > 0 or a schedule {type: 'step' | 'exponential' | 'cosine' | 'reduceOnPlateau', initial, ...}");
  const type = checkChoice('learningRate.type', o.type, TYPES);
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !FIELDS[type].includes(k)) throw new TypeError(`learningRate.${k} does not apply to a '${type}' schedule (it takes ${FIELDS[type].join(', ')})`);
  }
  const initial = checkNumber('learningRate.initial', o.initial, 'positive');
  const floor = (d: number) => {
    const min = checkNumber('learningRate.minLearningRate', o.minLearningRate ?? d, 'nonnegative');
    if (min > initial) throw new RangeError(`learningRate.minLearningRate ${min} must not exceed learningRate.initial ${initial}`);
    return min;
  };
  switch (type) {
    case 'step':
      return { type, initial, every: checkInteger('learningRate.every', o.every), factor: fraction('factor', o.factor, false) };
    case 'exponential':
      return { type, initial, decay: fraction('decay', o.decay, false) };
    case 'cosine':
      return { type, initial, warmupSteps: checkInteger('learningRate.warmupSteps', o.warmupSteps ?? 0, 0), minLearningRate: floor(0) };
    case 'reduceOnPlateau':
      return {
        type, initial, monitor: checkMonitor('learningRate.monitor', o.monitor ?? 'valLoss', ctx),
        factor: fraction('factor', o.factor ?? 0.1, true), patience: checkInteger('learningRate.patience', o.patience ?? 10, 0, 1_000_000),
        minLearningRate: floor(0), minDelta: checkNumber('learningRate.minDelta', o.minDelta ?? 1e-4, 'nonnegative'),
      };
  }
}

/**
 * The learning rate of every step of epoch `epoch` (0-based, of this `fit`) of `batches` steps, in
 * a `fit` of `epochs` epochs. `plateauRate` is the current rate of a `reduceOnPlateau` schedule.
 * `step`: η = initial·factor^⌊epoch/every⌋; `exponential`: η = initial·decay^epoch.
 *
 * @example
 * epochRates({ type: 'exponential', initial: 0.1, decay: 0.5 }, 2, 3, 10); // [0.025, 0.025, 0.025]
 */
export function epochRates(s: ResolvedSchedule, epoch: number, batches: number, epochs: number, plateauRate = s.initial): Float64Array {
  const out = new Float64Array(batches);
  switch (s.type) {
    case 'constant':
      return out.fill(s.initial);
    case 'step':
      return out.fill(s.initial * s.factor ** Math.floor(epoch / s.every));
    case 'exponential':
      return out.fill(s.initial * s.decay ** epoch);
    case 'reduceOnPlateau':
      return out.fill(plateauRate);
    case 'cosine': {
      const total = epochs * batches;
      for (let b = 0; b < batches; b++) out[b] = cosineRate(s, epoch * batches + b, total);
      return out;
    }
  }
}

/**
 * The cosine schedule's rate at step `t` (0-based) of `total`: a linear warmup
 * η = initial·(t + 1)/W over the first W = `warmupSteps` steps, then
 * η = min + (initial − min)·½(1 + cos(π(t − W)/(T − W))).
 *
 * @example
 * cosineRate({ type: 'cosine', initial: 0.1, warmupSteps: 0, minLearningRate: 0 }, 0, 10); // 0.1
 */
export function cosineRate(s: Extract<ResolvedSchedule, { type: 'cosine' }>, t: number, total: number): number {
  const w = s.warmupSteps;
  if (t < w) return (s.initial * (t + 1)) / w;
  const progress = (t - w) / Math.max(1, total - w);
  return s.minLearningRate + (s.initial - s.minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * `reduceOnPlateau`'s state over one `fit` (Keras's `ReduceLROnPlateau` without cooldown): see
 * {@link Plateau.observe}.
 *
 * @example
 * const p = new Plateau({ type: 'reduceOnPlateau', initial: 0.1, monitor: 'loss', factor: 0.5, patience: 1, minLearningRate: 0, minDelta: 0 });
 * p.observe(1.0); p.observe(1.2); p.rate; // 0.05
 */
export class Plateau {
  rate: number;
  private best: number | null = null;
  private wait = 0;

  constructor(private readonly s: Extract<ResolvedSchedule, { type: 'reduceOnPlateau' }>) {
    this.rate = s.initial;
  }

  /**
   * Records an epoch's monitored value: one that does not improve on the best by more than
   * `minDelta` grows a count; when it reaches `patience` the rate is multiplied by `factor` (not
   * below `minLearningRate`) and the count restarts.
   */
  observe(value: number): void {
    if (improves(this.s.monitor, value, this.best, this.s.minDelta)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    if (++this.wait >= this.s.patience) {
      this.rate = Math.max(this.rate * this.s.factor, this.s.minLearningRate);
      this.wait = 0;
    }
  }
}
