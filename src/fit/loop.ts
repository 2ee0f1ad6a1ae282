import type { BatchReporter, Divergence, EpochPlan, TrainerBackend, TrainOutcome } from '../core/trainer';
import { largestMagnitude } from '../core/data';
import type { FitPlan } from './options';
import { FitControl } from './control';
import { batchReporter, divergenceError, epochLog, samplesIn } from './report';
import { GpuDeviceLostError } from '../core/errors';
import { weightPenalty } from '../core/params';
import { type PartsCalls, trainInParts } from './epoch-parts';
import { Rng } from '../core/random';
import type { History } from '../core/types';
import type { NetSpec } from '../core/config';

/**
 * A model's training counters, kept across `fit` calls.
 *
 * @example
 * const progress: TrainingProgress = { epochsTrained: 0, steps: 0 };
 */
export interface TrainingProgress {
  /** Epochs trained so far: each epoch's shuffle is drawn from its own seeded stream. */
  epochsTrained: number;
  /** Optimizer steps taken with the current optimizer spec. */
  steps: number;
}

/**
 * What the epoch loop needs from the model that runs it.
 *
 * @example
 * await runEpochs(active.fitHost(progress), plan, history);
 */
export interface FitHost {
  /** The backend training now (it changes when a lost GPU hands over to the CPU). */
  backend(): TrainerBackend;
  readonly seed: number;
  /** The model's structure (dropout layers, output kind). */
  readonly net: NetSpec;
  /** λ of the model's L2 term (added to the validation loss). */
  readonly l2: number;
  /** λ₁ of the model's L1 term (added to the validation loss). */
  readonly l1: number;
  readonly progress: TrainingProgress;
  /** Moves to the CPU from the last checkpoint after `err` during `epoch` (or rethrows, per `onDeviceLost`). */
  fallBackToCpu(err: GpuDeviceLostError, epoch: number, unit?: 'epoch' | 'block'): Promise<void>;
  /** Runs `op`, moving to the CPU and retrying once if the GPU device was lost (during `epoch`, when given). */
  withFallback<T>(op: () => Promise<T>, epoch?: number | null, unit?: 'epoch' | 'block'): Promise<T>;
  /** Between submissions (epochs; `fitDataset`'s blocks too): where `backend: 'auto'` may move the run (src/model/auto-move.ts). */
  atBoundary?(done: FitBoundary): Promise<void>;
  /** Most epochs per submission for now (so that boundaries come often while 'auto' waits for one). */
  groupCap?(batches: number): number;
  /** Most batches per submission inside an epoch while 'auto' waits (Infinity once decided): src/fit/epoch-parts.ts. */
  partCap?(): number;
}

/**
 * A boundary between submissions: the epochs of this fit done, and the steps and milliseconds of
 * the submission just trained; inside an epoch (`fitDataset`, between blocks), `batch`: the
 * batches of the next epoch done.
 *
 * @example
 * const b: FitBoundary = { epoch: 3, steps: 12, ms: 40, history };
 */
export interface FitBoundary {
  epoch: number;
  batch?: number;
  steps: number;
  ms: number;
  history: History;
}


/**
 * Trains `plan.epochs` epochs on the host's backend (its training data and optimizer already
 * set), appending each epoch's log to `history`; stops when `signal` aborts, and throws on
 * divergence with the state rolled back to the last step that stayed finite.
 *
 * @example
 * const history: History = { epochs: [], stopped: false, stopReason: 'completed', backend: host.backend().name };
 * await runEpochs(host, plan, history, signal);
 */
export async function runEpochs(host: FitHost, plan: FitPlan, history: History, signal?: AbortSignal): Promise<void> {
  // `signal` is checked before every epoch here, and by the backend after every batch (CPU) or
  // group of batches (WebGPU)
  const batches = Math.ceil(plan.train.x.rows / plan.batchSize);
  const control = new FitControl(plan.features, plan.epochs, host.seed, host.net);
  // with nothing to report or decide per epoch, short epochs are trained several per submission
  const grouping = !plan.hooks.onEpochEnd && !plan.hooks.onBatchEnd && !plan.validation && !control.watchesEpochs;
  const onBatchEnd = plan.hooks.onBatchEnd;
  let e = 1;
  while (e <= plan.epochs) {
    if (signal?.aborted) {
      history.stopped = true;
      break;
    }
    // while 'auto' waits, an epoch longer than a submission of about its GROUP_MS goes in parts
    const inParts = (host.partCap?.() ?? Infinity) < batches;
    const count = grouping && !inParts ? Math.min(plan.epochs - e + 1, host.backend().maxEpochsPerCall(batches), host.groupCap?.(batches) ?? Infinity) : 1;
    const plans = epochPlans(host, plan, count, batches, control, e);
    const report = (first: number) => (onBatchEnd ? batchReporter(onBatchEnd, e, batches, first) : null);
    const t0 = performance.now();
    const parts = inParts ? await trainInParts(plans[0], partsCalls(host, plan, history, e, report, signal), signal) : null;
    const result = parts?.outcome ?? (await trainGroup(host, plan, plans, report(0), e, signal));
    if (result.callbackError) {
      // onBatchEnd threw: the backend kept (and checked) every batch in the stats; count them, then rethrow
      for (const st of result.stats) {
        host.progress.steps += st.length;
        if (st.length === batches) host.progress.epochsTrained++;
      }
      throw result.callbackError.error;
    }
    const seconds = parts?.seconds ?? (performance.now() - t0) / 1000;
    const { recorded, ended } = await recordEpochs(host, plan, history, result, e, batches, seconds, control);
    e += recorded;
    if (ended || result.stopped) {
      history.stopped = true;
      break;
    }
    if (control.stopRequested) break;
    const steps = parts?.last.steps ?? result.stats.reduce((sum, st) => sum + st.length, 0);
    if (host.atBoundary && e <= plan.epochs) await host.atBoundary({ epoch: e - 1, steps, ms: parts?.last.ms ?? seconds * 1000, history });
  }
  await control.finish(history, host.backend());
}

/** How {@link trainInParts} trains epoch `epoch`'s parts on the host's trainer, and the boundary between them. */
function partsCalls(host: FitHost, plan: FitPlan, history: History, epoch: number, report: (first: number) => BatchReporter | null, signal?: AbortSignal): PartsCalls {
  return {
    train: (part, first) => trainGroup(host, plan, [part], report(first), epoch, signal),
    partCap: () => host.partCap?.() ?? Infinity,
    between: async (batch, steps, ms) => host.atBoundary?.({ epoch: epoch - 1, batch, steps, ms, history }),
    progress: host.progress,
  };
}

/** The plans of the next `count` epochs (epoch `first` of this fit first): seeded shuffles (or 0..n−1), the steps before each, rates, dropout keys and clipping. */
function epochPlans(host: FitHost, plan: FitPlan, count: number, batches: number, control: FitControl, first: number): EpochPlan[] {
  const n = plan.train.x.rows;
  const { epochsTrained, steps } = host.progress;
  const { batchSize, optimizer } = plan;
  return Array.from({ length: count }, (_, k) => ({
    order: plan.shuffle ? epochOrder(host.seed, epochsTrained + k, n) : Uint32Array.from({ length: n }, (_, i) => i),
    batchSize, optimizer, stepsBefore: steps + k * batches,
    ...control.epochExtras(first + k, epochsTrained + k, batches),
  }));
}

/** The sample order of the model's `index`-th epoch: a permutation drawn from the seed. */
function epochOrder(seed: number, index: number, n: number): Uint32Array {
  return new Rng(seed, `shuffle ${index}`).permutation(n);
}

/** Trains one submission of `plans` (epoch `epoch` first), falling back to the CPU if the GPU device is lost. */
async function trainGroup(host: FitHost, plan: FitPlan, plans: EpochPlan[], report: BatchReporter | null, epoch: number, signal?: AbortSignal): Promise<TrainOutcome> {
  try {
    return await host.backend().trainEpochs(plans, report, signal);
  } catch (err) {
    if (!(err instanceof GpuDeviceLostError)) throw err;
    // the GPU is gone: continue from the last completed epoch on the CPU (or report it)
    await host.fallBackToCpu(err, epoch);
    await host.backend().setTrainingData(plan.train.x, plan.train.y, plan.batchSize, plan.features.sampleWeights);
    return await host.backend().trainEpochs(plans, report, signal);
  }
}

/**
 * Logs the epochs of one submission, numbered from `first`: counts their steps, validates, calls
 * `onEpochEnd`. Returns how many were logged and whether one ended before its first batch. On
 * divergence, sets the step count to what the backend kept and throws.
 */
async function recordEpochs(
  host: FitHost, plan: FitPlan, history: History, result: TrainOutcome, first: number, batches: number, seconds: number, control: FitControl,
): Promise<{ recorded: number; ended: boolean }> {
  const samplesInCall = samplesIn(result.stats);
  const stepsAtStart = host.progress.steps;
  let epoch = first;
  for (let k = 0; k < result.stats.length; k++) {
    const div = result.divergence;
    if (div && div.epochIndex === k) {
      host.progress.steps = Math.max(0, stepsAtStart + div.kept);
      throw diverged(host, plan, div, epoch, batches);
    }
    const epochStats = result.stats[k];
    host.progress.steps += epochStats.length;
    const log = epochLog(epoch, epochStats, seconds, samplesInCall);
    if (!log) return { recorded: epoch - first, ended: true };
    control.annotate(log, epochStats, plan.train.x.rows);
    const val = plan.validation;
    if (val) {
      const v = await host.withFallback(() => host.backend().evaluate(val.x, val.y));
      log.valLoss = v.lossSum / val.x.rows + (await penalty(host, val.x.rows));
      log.valAccuracy = v.correct / val.x.rows;
      await control.validate(log, (x) => host.withFallback(() => host.backend().predict(x)), val);
    }
    history.epochs.push(log);
    host.progress.epochsTrained++;
    epoch++;
    control.afterEpoch(log, host.backend());
    if (plan.hooks.onEpochEnd) await plan.hooks.onEpochEnd(log);
    if (control.stopRequested) break;
  }
  return { recorded: epoch - first, ended: false };
}

/**
 * λ/(2m)·ΣW² + λ₁/m·Σ|W| on the backend's current weights (its checkpoint, which is current after training).
 *
 * @example
 * log.valLoss = lossSum / rows + (await penalty(host, rows));
 */
export async function penalty(host: FitHost, rows: number): Promise<number> {
  if (!(host.l2 > 0) && !(host.l1 > 0)) return 0;
  const params = host.backend().lastCheckpoint()?.params ?? (await host.backend().readParams());
  return weightPenalty(host, params, rows);
}

/** The error for a divergence at epoch `epoch`, naming the data's magnitude when it may be the cause. */
function diverged(host: FitHost, plan: FitPlan, div: Divergence, epoch: number, batches: number): RangeError {
  return divergenceError(div, {
    epoch, batches, steps: host.progress.steps, learningRate: plan.learningRate,
    largestX: largestMagnitude(plan.train.x).value, largestY: largestMagnitude(plan.train.y).value, backend: host.backend().name,
  });
}
