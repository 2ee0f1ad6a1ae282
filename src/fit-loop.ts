import type { BatchReporter, BatchStats, EpochPlan, TrainerBackend } from './backend';
import type { FitPlan } from './fit-options';
import { batchReporter, divergenceError, epochLog, samplesIn } from './fit-report';
import { GpuDeviceLostError } from './gpu/errors';
import { Rng } from './random';
import type { History } from './types';

/** A model's training counters, kept across `fit` calls. */
export interface TrainingProgress {
  /** Epochs trained so far: each epoch's shuffle is drawn from its own seeded stream. */
  epochsTrained: number;
  /** Optimizer steps taken with the current optimizer spec. */
  steps: number;
}

/** What the epoch loop needs from the model that runs it. */
export interface FitHost {
  /** The backend training now (it changes when a lost GPU hands over to the CPU). */
  backend(): TrainerBackend;
  readonly seed: number;
  readonly progress: TrainingProgress;
  /** Moves to the CPU from the last checkpoint after `err` during `epoch` (or rethrows, per `onDeviceLost`). */
  fallBackToCpu(err: GpuDeviceLostError, epoch: number): Promise<void>;
  /** Runs `op`, moving to the CPU and retrying once if the GPU device was lost. */
  withFallback<T>(op: () => Promise<T>): Promise<T>;
}

type TrainResult = Awaited<ReturnType<TrainerBackend['trainEpochs']>>;

/**
 * Trains `plan.epochs` epochs on the host's backend (its training data and optimizer already set),
 * appending each epoch's log to `history`. With nothing to report per epoch, short epochs are
 * trained several per submission. Stops early on abort; throws when the loss diverges.
 *
 * @example
 * const history: History = { epochs: [], stopped: false, backend: host.backend().name };
 * await runEpochs(host, plan, history);
 */
export async function runEpochs(host: FitHost, plan: FitPlan, history: History): Promise<void> {
  const batches = Math.ceil(plan.train.x.rows / plan.batchSize);
  // with nothing to report per epoch, short epochs are trained several per submission
  const grouping = !plan.hooks.onEpochEnd && !plan.hooks.onBatchEnd && !plan.validation;
  const onBatchEnd = plan.hooks.onBatchEnd;
  let e = 1;
  while (e <= plan.epochs) {
    if (plan.hooks.signal?.aborted) {
      history.stopped = true;
      break;
    }
    const count = grouping ? Math.min(plan.epochs - e + 1, host.backend().maxEpochsPerCall(batches)) : 1;
    const plans = epochPlans(host, plan, count, batches);
    const report = onBatchEnd ? batchReporter(onBatchEnd, e, batches) : null;
    const t0 = performance.now();
    const result = await trainGroup(host, plan, plans, report, e);
    const seconds = (performance.now() - t0) / 1000;
    const { recorded, ended } = await recordEpochs(host, plan, history, result.stats, e, batches, seconds);
    e += recorded;
    if (ended || result.stopped) {
      history.stopped = true;
      break;
    }
  }
}

/** The plans of the next `count` epochs: seeded shuffles (or 0..n−1) and the steps before each. */
function epochPlans(host: FitHost, plan: FitPlan, count: number, batches: number): EpochPlan[] {
  const n = plan.train.x.rows;
  const { epochsTrained, steps } = host.progress;
  const { batchSize, learningRate, optimizer } = plan;
  return Array.from({ length: count }, (_, k) => ({
    order: plan.shuffle ? epochOrder(host.seed, epochsTrained + k, n) : Uint32Array.from({ length: n }, (_, i) => i),
    batchSize, learningRate, optimizer, stepsBefore: steps + k * batches,
  }));
}

/** The sample order of the model's `index`-th epoch: a permutation drawn from the seed. */
function epochOrder(seed: number, index: number, n: number): Uint32Array {
  return new Rng(seed, `shuffle ${index}`).permutation(n);
}

/** Trains one submission of `plans` (epoch `epoch` first), falling back to the CPU if the GPU device is lost. */
async function trainGroup(host: FitHost, plan: FitPlan, plans: EpochPlan[], report: BatchReporter | null, epoch: number): Promise<TrainResult> {
  try {
    return await host.backend().trainEpochs(plans, report, plan.hooks.signal);
  } catch (err) {
    if (!(err instanceof GpuDeviceLostError)) throw err;
    // the GPU is gone: continue from the last completed epoch on the CPU (or report it)
    await host.fallBackToCpu(err, epoch);
    await host.backend().setTrainingData(plan.train.x, plan.train.y, plan.batchSize);
    return await host.backend().trainEpochs(plans, report, plan.hooks.signal);
  }
}

/**
 * Logs the epochs of one submission, numbered from `first`: counts their steps, validates, calls
 * `onEpochEnd`. Returns how many were logged and whether one ended before its first batch.
 */
async function recordEpochs(
  host: FitHost, plan: FitPlan, history: History, stats: BatchStats[][], first: number, batches: number, seconds: number,
): Promise<{ recorded: number; ended: boolean }> {
  const samplesInCall = samplesIn(stats);
  let epoch = first;
  for (const epochStats of stats) {
    const bad = epochStats.findIndex((st) => !Number.isFinite(st.lossSum));
    // on divergence the backend undid the update that produced the non-finite loss
    host.progress.steps += bad >= 0 ? bad - 1 : epochStats.length;
    if (bad >= 0) throw divergenceError(epochStats[bad], epoch, bad, batches, host.progress.steps, plan.learningRate);
    const log = epochLog(epoch, epochStats, seconds, samplesInCall);
    if (!log) return { recorded: epoch - first, ended: true };
    const val = plan.validation;
    if (val) {
      const v = await host.withFallback(() => host.backend().evaluate(val.x, val.y));
      log.valLoss = v.lossSum / val.x.rows;
      log.valAccuracy = v.correct / val.x.rows;
    }
    history.epochs.push(log);
    host.progress.epochsTrained++;
    epoch++;
    if (plan.hooks.onEpochEnd) await plan.hooks.onEpochEnd(log);
  }
  return { recorded: epoch - first, ended: false };
}
