import type { BatchReporter, BatchStats } from './backend';
import type { BatchLog, EpochLog } from './types';

/**
 * Adapts a `fit` call's `onBatchEnd` to the backend's reporter for epoch `epoch`: one log per
 * batch, with its mean loss and accuracy, awaited in order.
 *
 * @example
 * const report = batchReporter((log) => console.log(log.batch, log.loss), 1, 10);
 */
export function batchReporter(onBatchEnd: (log: BatchLog) => void | Promise<void>, epoch: number, batches: number): BatchReporter {
  return async (first: number, stats: BatchStats[]) => {
    for (let i = 0; i < stats.length; i++) {
      const s = stats[i];
      await onBatchEnd({ epoch, batch: first + i + 1, batches, size: s.size, loss: s.lossSum / s.size, accuracy: s.correct / s.size });
    }
  };
}

/**
 * The log of one epoch from its batch stats, or null when it saw no samples (stopped before its
 * first batch). A submission of several epochs took `seconds` for `samplesInCall` samples; each
 * epoch is charged its share by samples.
 */
export function epochLog(epoch: number, stats: BatchStats[], seconds: number, samplesInCall: number): EpochLog | null {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (const st of stats) {
    lossSum += st.lossSum;
    correct += st.correct;
    seen += st.size;
  }
  if (seen === 0) return null;
  const share = (seconds * seen) / Math.max(samplesInCall, 1);
  return { epoch, loss: lossSum / seen, accuracy: correct / seen, samplesPerSecond: seen / Math.max(share, 1e-9), seconds: share };
}

/** Samples trained in one submission, over all its epochs. */
export function samplesIn(stats: BatchStats[][]): number {
  return stats.reduce((a, st) => a + st.reduce((b, x) => b + x.size, 0), 0);
}

/** The error `fit` throws when batch `bad` (0-based) of epoch `epoch` had a non-finite loss. */
export function divergenceError(stats: BatchStats, epoch: number, bad: number, batches: number, steps: number, learningRate: number): Error {
  return new Error(
    `training diverged: the loss became ${stats.lossSum / stats.size} at epoch ${epoch}, batch ${bad + 1} of ${batches}; ` +
      `training stopped and the weights are those after the last step whose loss was finite (step ${steps} of this optimizer). ` +
      `Try a lower learningRate (currently ${learningRate}).`,
  );
}
