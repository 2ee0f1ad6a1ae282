/**
 * One `fit` epoch trained in parts of whole batches, so that `backend: 'auto'` (whose decision is
 * pending) gets a boundary inside the epoch where it may move the run (src/model/auto-move.ts).
 * Each part is the epoch's plan cut at batch boundaries ({@link epochPart}); the parts' outcomes
 * are put back together as the one epoch's, which the loop then logs whole.
 */
import type { BatchStats, EpochPlan, TrainOutcome } from '../core/trainer';

/**
 * The plan of batches [from, to) of the epoch `plan`: its order from batch `from` on, with the
 * rates, the steps before and the first batch's index (its dropout masks) moved to match.
 *
 * @example
 * const rest = epochPart(plan, 4, 10); // batches 4..9; rest.stepsBefore === plan.stepsBefore + 4
 */
export function epochPart(plan: EpochPlan, from: number, to: number): EpochPlan {
  const batches = Math.ceil(plan.order.length / plan.batchSize);
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= batches)) {
    throw new RangeError(`epochPart: batches [${from}, ${to}) are not a non-empty range of the epoch's ${batches} batches`);
  }
  const part: EpochPlan = {
    ...plan,
    order: plan.order.subarray(from * plan.batchSize, Math.min(to * plan.batchSize, plan.order.length)),
    stepsBefore: plan.stepsBefore + from,
    firstBatch: (plan.firstBatch ?? 0) + from,
  };
  const rates = plan.learningRates;
  if (rates) {
    part.learningRates = Float64Array.from({ length: to - from }, (_, b) => rates[from + b]);
    part.learningRate = part.learningRates[0];
  }
  return part;
}

/**
 * What {@link trainInParts} needs from the loop: the training call of one part (its reporter and
 * the device-loss fallback included; `first`: the part's first batch in the epoch), the most
 * batches the next part may take (read before each part: Infinity once 'auto' has decided, so the
 * rest of the epoch goes whole), the boundary between parts, and the model's step counter.
 *
 * @example
 * const io: PartsCalls = { train: (p, first) => backend.trainEpochs([p], null), partCap: () => 8, between: async () => {}, progress };
 */
export interface PartsCalls {
  train(part: EpochPlan, first: number): Promise<TrainOutcome>;
  partCap(): number;
  /** After a part (not the last): `batch` batches of the epoch done; `steps` and `ms`: the part's. */
  between(batch: number, steps: number, ms: number): Promise<void>;
  progress: { steps: number };
}

/**
 * The epoch's outcome as one `trainEpochs` call of its whole plan would give it (stats of every
 * part, a divergence's batch and kept updates counted from the epoch's start), its training
 * seconds (the parts' summed) and the last part's steps and ms (for the boundary after the epoch).
 *
 * @example
 * const { outcome, seconds } = await trainInParts(plan, io);
 */
export interface PartsOutcome {
  outcome: TrainOutcome;
  seconds: number;
  last: { steps: number; ms: number };
}

/**
 * Trains the epoch `plan` in parts of at most `io.partCap()` batches, calling `io.between` after
 * each part but the last. While it runs, `io.progress.steps` counts the parts' steps (a move names
 * its step); it is put back before returning, since the loop counts the epoch's. Stops between
 * parts when `signal` aborts; a divergence or a reporter's error ends it as in a whole epoch.
 *
 * @example
 * const { outcome } = await trainInParts(plan, { train, partCap: () => auto.partCap(), between, progress }, signal);
 */
export async function trainInParts(plan: EpochPlan, io: PartsCalls, signal?: AbortSignal): Promise<PartsOutcome> {
  const batches = Math.ceil(plan.order.length / plan.batchSize);
  const stepsAtStart = io.progress.steps;
  const stats: BatchStats[] = [];
  let seconds = 0;
  let last = { steps: 0, ms: 0 };
  const ended = (rest: Omit<TrainOutcome, 'stats'>): PartsOutcome => {
    io.progress.steps = stepsAtStart;
    return { outcome: { stats: [stats], ...rest }, seconds, last };
  };
  while (stats.length < batches) {
    const done = stats.length;
    if (done > 0 && signal?.aborted) return ended({ stopped: true });
    const cap = io.partCap();
    const to = Math.min(batches, done + (cap >= 1 ? Math.floor(cap) : 1));
    const t0 = performance.now();
    const r = await io.train(epochPart(plan, done, to), done);
    const ms = performance.now() - t0;
    seconds += ms / 1000;
    const kept = r.stats[0] ?? [];
    stats.push(...kept);
    last = { steps: kept.length, ms };
    if (r.divergence) {
      const d = r.divergence;
      return ended({ stopped: false, divergence: { ...d, epochIndex: 0, batch: done + d.batch, kept: done + d.kept, beforeAnyUpdate: d.beforeAnyUpdate && done === 0 } });
    }
    if (r.callbackError) return ended({ stopped: true, callbackError: r.callbackError });
    if (r.stopped) return ended({ stopped: true });
    io.progress.steps += kept.length;
    if (stats.length < batches) await io.between(stats.length, kept.length, ms);
  }
  return ended({ stopped: false });
}
