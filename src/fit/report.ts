import { type BatchReporter, type BatchStats, type Divergence, type TrainerName, computesInFloat32 } from '../core/trainer';
import type { BatchLog, EpochLog } from '../core/types';

/**
 * Adapts an `onBatchEnd` to the backend's reporter for epoch `epoch`: one log per batch, awaited
 * in order. `offset` is how many of the epoch's batches came before this training call (a
 * stream's earlier blocks); `batches` the epoch's count (null while a stream's is unknown).
 *
 * @example
 * const report = batchReporter((log) => console.log(log.batch, log.loss), 1, 10);
 */
export function batchReporter<B extends number | null>(
  onBatchEnd: (log: Omit<BatchLog, 'batches'> & { batches: B }) => void | Promise<void>, epoch: number, batches: B, offset = 0,
): BatchReporter {
  return async (first: number, stats: BatchStats[]) => {
    for (let i = 0; i < stats.length; i++) {
      const s = stats[i];
      await onBatchEnd({ epoch, batch: offset + first + i + 1, batches, size: s.size, loss: s.lossSum / s.size, accuracy: s.correct / s.size });
    }
  };
}

/**
 * The log of one epoch from its batch stats, or null when it saw no samples. A submission of
 * several epochs took `seconds` for `samplesInCall` samples: each epoch is charged its share.
 *
 * @example
 * const log = epochLog(1, stats, 0.25, 6000); // loss, accuracy, samplesPerSecond, seconds
 */
export function epochLog(epoch: number, stats: BatchStats[], seconds: number, samplesInCall: number): EpochLog | null {
  // the loss is the sample-weighted mean of the batches' objectives, each with λ/(2m)·ΣW² on the
  // weights it was measured with
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
  // learningRate (and the regression metrics) are filled in by the epoch loop (src/fit/control.ts)
  return { epoch, loss: lossSum / seen, accuracy: correct / seen, learningRate: NaN, samplesPerSecond: seen / Math.max(share, 1e-9), seconds: share };
}

/**
 * Samples trained in one submission, over all its epochs.
 *
 * @example
 * samplesIn([[{ lossSum: 1, correct: 2, size: 32 }], [{ lossSum: 1, correct: 3, size: 32 }]]); // 64
 */
export function samplesIn(stats: BatchStats[][]): number {
  return stats.reduce((a, st) => a + st.reduce((b, x) => b + x.size, 0), 0);
}

/**
 * What a divergence message says about the training run.
 *
 * @example
 * const c: DivergenceContext = { epoch: 3, batches: 10, steps: 21, learningRate: 2, largestX: 1, largestY: 1, backend: 'cpu' };
 */
export interface DivergenceContext {
  epoch: number;
  /** Batches in the epoch (null: a stream's first epoch, whose length is not known yet). */
  batches: number | null;
  /** Optimizer steps the model holds after the rollback. */
  steps: number;
  learningRate: number;
  /** Largest |x| and |y| of the training data. */
  largestX: number;
  largestY: number;
  backend: TrainerName;
}

/**
 * The error `fit` rejects with after a divergence. A non-finite loss before any update is blamed
 * on the data or the starting weights (lowering the learning rate cannot help); otherwise the
 * message names the epoch, batch and learning rate.
 *
 * @example
 * throw divergenceError(divergence, { epoch: 3, batches: 10, steps: 21, learningRate: 2, largestX: 1, largestY: 1, backend: 'cpu' });
 */
export function divergenceError(d: Divergence, c: DivergenceContext): RangeError {
  const where = `epoch ${c.epoch}, batch ${d.batch + 1}${c.batches === null ? '' : ` of ${c.batches}`}`;
  const mean = d.lossSum;
  const data = `the training data reaches |x| = ${c.largestX} and |y| = ${c.largestY}`;
  if (d.kind === 'loss' && d.beforeAnyUpdate) {
    return new RangeError(
      `the loss is ${mean} at ${where}, measured before any update of this fit, so the learning rate is not the cause: ` +
        `the training data or the model's current weights give a non-finite loss (${data}${computesInFloat32(c.backend) ? ', computed in float32' : ''}). ` +
        'Nothing was changed; scale the data (or the weights).',
    );
  }
  const big = c.largestX > 1e15 || c.largestY > 1e15 ? ` (${data}, which may overflow too)` : '';
  const cause = d.kind === 'loss' ? `the loss became ${mean} at ${where}` : `the update of ${where} made the weights or optimizer state non-finite${computesInFloat32(c.backend) ? ' in float32' : ''}`;
  return new RangeError(
    `training diverged: ${cause}; training stopped and the model keeps the state after the last step that stayed finite ` +
      `(step ${c.steps} of this optimizer). Try a lower learningRate (currently ${c.learningRate})${big}.`,
  );
}
