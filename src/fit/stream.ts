import { computesInFloat32 } from '../core/trainer';
import type { DatasetSource } from '../streams/chunk';
import { type FitHost, penalty } from './loop';
import { epochLog } from './report';
import { FitControl } from './control';
import { countRows } from './blocks';
import { streamEpoch } from './stream-epoch';
import type { StreamPlan } from './stream-plan';
import type { History } from '../core/types';

export { FIT_DATASET_KEYS, type StreamPlan, resolveStreamPlan } from './stream-plan';

/**
 * Trains `plan.epochs` passes over `source` on the host's backend, appending each epoch's log to
 * `history`, with `fit`'s schedules, early stopping (restoring the best weights when asked) and
 * clipping; stops when `signal` aborts, and on divergence or a bad chunk throws, the model
 * keeping the state of its last completed step (see {@link streamEpoch}).
 *
 * @example
 * await runStream(host, source, plan, history, signal);
 */
export async function runStream(host: FitHost, source: DatasetSource, plan: StreamPlan, history: History, signal?: AbortSignal): Promise<void> {
  const control = new FitControl(plan.features, plan.epochs, host.seed, host.net);
  // a cosine schedule's rate depends on the total step count: the stream is counted first
  let knownBatches: number | null = null;
  if (plan.features.schedule.type === 'cosine') {
    const rows = await countRows(source, { net: host.net, float32: computesInFloat32(host.backend().name), classWeights: plan.classWeights });
    knownBatches = Math.ceil(rows / plan.batchSize);
  }
  try {
    for (let e = 1; e <= plan.epochs; e++) {
      if (signal?.aborted) {
        history.stopped = true;
        break;
      }
      const t0 = performance.now();
      const { stats, stopped, spread } = await streamEpoch(host, source, plan, control, e, knownBatches, signal);
      knownBatches ??= stopped ? null : stats.length;
      const seen = stats.reduce((a, s) => a + s.size, 0);
      const log = epochLog(e, stats, (performance.now() - t0) / 1000, seen);
      if (log) {
        // R² needs the whole epoch's rows: an epoch cut short has none (its row count is unknown)
        control.annotate(log, stats, stopped ? Number.POSITIVE_INFINITY : seen, spread);
        const val = plan.validation;
        if (val) {
          const v = await host.withFallback(() => host.backend().evaluate(val.x, val.y));
          log.valLoss = v.lossSum / val.x.rows + (await penalty(host, val.x.rows));
          log.valAccuracy = v.correct / val.x.rows;
          await control.validate(log, (x) => host.withFallback(() => host.backend().predict(x)), val);
        }
        history.epochs.push(log);
        host.progress.epochsTrained++;
        control.afterEpoch(log, host.backend());
        if (plan.hooks.onEpochEnd) await plan.hooks.onEpochEnd(log);
      }
      if (stopped) {
        history.stopped = true;
        break;
      }
      if (control.stopRequested) break;
    }
    // before the blocks are released: the WebGPU backend keeps the best parameters beside them
    await control.finish(history, host.backend());
  } finally {
    host.backend().releaseBlocks();
  }
}
