import { type BatchReporter, type BatchStats, type EpochPlan, type TrainerBackend, type TrainerName, computesInFloat32 } from '../core/trainer';
import { type ResolvedConfig, type ResolvedOptimizer, checkBoolean, checkFloat32Settings, checkInteger, checkNumber, resolveOptimizer } from '../core/config';
import { largestMagnitude } from '../core/data';
import type { DatasetSource } from '../streams/chunk';
import { epochDropKey } from '../core/dropout-mask';
import { type FitHost, penalty } from './loop';
import { type FitHooks, type Samples, resolveHooks, resolveValidationData } from './options';
import { batchReporter, divergenceError, epochLog } from './report';
import { GpuDeviceLostError } from '../core/errors';
import { or, readRecord } from '../core/inspect';
import { type Block, isReplayable, streamBlocks } from './blocks';
import type { FitDatasetOptions, History, StreamBatchLog } from '../core/types';

/**
 * The names {@link FitDatasetOptions} may have.
 *
 * @example
 * FIT_DATASET_KEYS.includes('shuffleWindow'); // true
 */
export const FIT_DATASET_KEYS = ['epochs', 'batchSize', 'learningRate', 'optimizer', 'shuffle', 'shuffleWindow', 'validationData', 'onEpochEnd', 'onBatchEnd', 'signal'] as const;

/**
 * A validated `fitDataset` call.
 *
 * @example
 * const plan: StreamPlan = resolveStreamPlan({ epochs: 2 }, config, 'cpu', source);
 */
export interface StreamPlan {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: ResolvedOptimizer;
  shuffle: boolean;
  window: number;
  /** Evaluated after every epoch (`valLoss`, `valAccuracy` in the log). */
  validation: Samples | null;
  hooks: Omit<FitHooks, 'onBatchEnd'> & { onBatchEnd?: (log: StreamBatchLog) => void | Promise<void> };
}

/**
 * Validates `fitDataset`'s options (unknown names refused with the closest valid one; `fit`'s
 * other options, such as validationSplit, are named as not taken here).
 *
 * @example
 * resolveStreamPlan({ epochs: 2, shuffleWindow: 4 }, config, 'webgpu', source).window; // 4
 */
export function resolveStreamPlan(options: FitDatasetOptions, config: ResolvedConfig, backend: TrainerName, source: DatasetSource): StreamPlan {
  const float32 = computesInFloat32(backend);
  const o = readRecord(options, 'fitDataset options', FIT_DATASET_KEYS);
  const epochs = checkInteger('epochs', or(o.epochs, 1));
  const batchSize = checkInteger('batchSize', or(o.batchSize, 32));
  const learningRate = checkNumber('learningRate', or(o.learningRate, 0.01), 'positive');
  const optimizer = resolveOptimizer(o.optimizer as FitDatasetOptions['optimizer']);
  if (float32) checkFloat32Settings(optimizer, learningRate, config.l2, config.l1, config.huberDelta);
  const shuffle = checkBoolean('shuffle', or(o.shuffle, true));
  const window = checkInteger('shuffleWindow', or(o.shuffleWindow, 1));
  const hooks = resolveHooks(o, options as object) as StreamPlan['hooks'];
  const validation = o.validationData === undefined ? null : resolveValidationData(o.validationData, config, float32);
  if (epochs > 1 && !isReplayable(source)) {
    throw new TypeError(`the data source is a one-shot iterator (a generator), which cannot be replayed for ${epochs} epochs: pass a function that returns a fresh one, e.g. fitDataset(() => chunks(), …)`);
  }
  return { epochs, batchSize, learningRate, optimizer, shuffle, window, validation, hooks };
}

/**
 * Trains `plan.epochs` passes over `source` on the host's backend, appending each epoch's log to
 * `history`; stops when `signal` aborts, and on divergence or a bad chunk throws, the model
 * keeping the state of its last completed step (see {@link streamEpoch}).
 *
 * @example
 * await runStream(host, source, plan, history, signal);
 */
export async function runStream(host: FitHost, source: DatasetSource, plan: StreamPlan, history: History, signal?: AbortSignal): Promise<void> {
  let knownBatches: number | null = null;
  try {
    for (let e = 1; e <= plan.epochs; e++) {
      if (signal?.aborted) {
        history.stopped = true;
        break;
      }
      const t0 = performance.now();
      const { stats, stopped } = await streamEpoch(host, source, plan, e, knownBatches, signal);
      knownBatches ??= stopped ? null : stats.length;
      const log = epochLog(e, stats, (performance.now() - t0) / 1000, stats.reduce((a, s) => a + s.size, 0));
      if (log) {
        log.learningRate = plan.learningRate;
        const val = plan.validation;
        if (val) {
          const v = await host.withFallback(() => host.backend().evaluate(val.x, val.y));
          log.valLoss = v.lossSum / val.x.rows + (await penalty(host, val.x.rows));
          log.valAccuracy = v.correct / val.x.rows;
        }
        history.epochs.push(log);
        host.progress.epochsTrained++;
        if (plan.hooks.onEpochEnd) await plan.hooks.onEpochEnd(log);
      }
      if (stopped) {
        history.stopped = true;
        break;
      }
    }
  } finally {
    host.backend().releaseBlocks();
  }
  history.stopReason = history.stopped ? 'aborted' : 'completed';
}

/**
 * One pass over the source, cut into blocks of whole batches (see {@link streamBlocks}): while
 * one block trains in one of the backend's two slots, the next is read, checked and loaded into
 * the other. Stops after the current batch (CPU) or group of batches (WebGPU) when `signal` aborts.
 */
async function streamEpoch(host: FitHost, source: DatasetSource, plan: StreamPlan, epoch: number, knownBatches: number | null, signal?: AbortSignal): Promise<{ stats: BatchStats[]; stopped: boolean }> {
  const blocks = streamBlocks(source, {
    net: host.net, float32: computesInFloat32(host.backend().name), batchSize: plan.batchSize, window: plan.window, shuffle: plan.shuffle, seed: host.seed, epochIndex: host.progress.epochsTrained,
  });
  const stats: BatchStats[] = [];
  const dropKey = host.net.layers.some((l) => (l.dropout ?? 0) > 0) ? epochDropKey(host.seed, host.progress.epochsTrained) : undefined;
  // the next block: read, checked and loaded into `slot` while the current one trains (a lost
  // device leaves it unloaded: it is loaded into the backend that trains it, below)
  type Fetched = { block: Block; loadedInto: TrainerBackend | null };
  const fetchInto = async (slot: number): Promise<Fetched | null> => {
    const r = await blocks.next();
    if (r.done) return null;
    const backend = host.backend();
    try {
      await backend.loadBlock(slot, r.value.x, r.value.y, plan.batchSize);
      return { block: r.value, loadedInto: backend };
    } catch (e) {
      if (e instanceof GpuDeviceLostError) return { block: r.value, loadedInto: null };
      throw e;
    }
  };
  let slot = 0;
  let next: Promise<Fetched | null> | null = null;
  try {
    let fetched = await fetchInto(slot);
    while (fetched) {
      const { block } = fetched;
      if (fetched.loadedInto !== host.backend()) await host.withFallback(() => host.backend().loadBlock(slot, block.x, block.y, plan.batchSize), epoch, 'block');
      const blockPlan: EpochPlan = {
        order: Uint32Array.from({ length: block.x.rows }, (_, i) => i),
        batchSize: plan.batchSize, learningRate: plan.learningRate, optimizer: plan.optimizer, stepsBefore: host.progress.steps, dropKey,
      };
      const report = plan.hooks.onBatchEnd ? batchReporter(plan.hooks.onBatchEnd, epoch, knownBatches, stats.length) : null;
      const current = block;
      const training = trainBlock(host, slot, current, blockPlan, report, epoch, signal);
      next = fetchInto(1 - slot);
      next.catch(() => {}); // awaited below; a failure after training failed is not a second error
      const outcome = await training;
      const kept = outcome.stats[0] ?? [];
      if (outcome.divergence) {
        host.progress.steps = Math.max(0, host.progress.steps + outcome.divergence.kept);
        const d = { ...outcome.divergence, batch: outcome.divergence.batch + stats.length };
        throw divergenceError(d, {
          epoch, batches: knownBatches, steps: host.progress.steps, learningRate: plan.learningRate,
          largestX: largestMagnitude(current.x).value, largestY: largestMagnitude(current.y).value, backend: host.backend().name,
        });
      }
      host.progress.steps += kept.length;
      stats.push(...kept);
      if (outcome.callbackError) throw outcome.callbackError.error;
      if (outcome.stopped || signal?.aborted) return { stats, stopped: true };
      fetched = await next;
      next = null;
      slot = 1 - slot;
    }
    return { stats, stopped: false };
  } finally {
    await next?.catch(() => {});
    await blocks.return(undefined);
  }
}

/** `trainBlock`, moving to the CPU (from the last completed block) and retrying once if the GPU device was lost. */
async function trainBlock(host: FitHost, slot: number, block: Block, plan: EpochPlan, report: BatchReporter | null, epoch: number, signal?: AbortSignal) {
  try {
    return await host.backend().trainBlock(slot, plan, report, signal);
  } catch (err) {
    if (!(err instanceof GpuDeviceLostError)) throw err;
    await host.fallBackToCpu(err, epoch, 'block');
    await host.backend().loadBlock(slot, block.x, block.y, plan.batchSize);
    return host.backend().trainBlock(slot, plan, report, signal);
  }
}

