// What the status line says about early stopping when a run ends: why it stopped (fit's
// stopReason), the best epoch and its value, and whether the model now holds that epoch's weights.
import { fmtLoss, fmtMetric, pct } from './format';
import type { EarlyStoppingOutcome, Report } from './protocol';

type Done = Extract<Report, { type: 'done' }>;

const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;

/** A monitored value as the metrics table writes it (accuracies as percentages). */
function monitoredValue(es: EarlyStoppingOutcome): string {
  if (es.monitor === 'accuracy' || es.monitor === 'valAccuracy') return pct(es.bestValue);
  return es.monitor === 'loss' || es.monitor === 'valLoss' ? fmtLoss(es.bestValue) : fmtMetric(es.bestValue);
}

/**
 * "Best epoch 3 (valLoss 0.312); restored the weights of epoch 3." — or, without
 * restoreBestWeights, that the weights are the last epoch's.
 *
 * @example
 * bestSentence({ monitor: 'valLoss', patience: 2, minDelta: 0, bestEpoch: 3, bestX: 3, bestValue: 0.312, restored: true });
 * // 'Best epoch 3 (valLoss 0.312); restored the weights of epoch 3.'
 */
export function bestSentence(es: EarlyStoppingOutcome): string {
  const best = `Best epoch ${es.bestEpoch} (${es.monitor} ${monitoredValue(es)})`;
  return es.restored ? `${best}; restored the weights of epoch ${es.bestEpoch}.` : `${best}; the model keeps the last epoch's weights (restore best weights is off).`;
}

/**
 * The status line's opening for a run that early stopping ended. Null for runs it did not end.
 *
 * @example
 * earlyStopOpening(done); // "Stopped early (stopReason 'earlyStopping') after epoch 5 of 12: valLoss did not improve by more than 0 for 2 epochs"
 */
export function earlyStopOpening(r: Done): string | null {
  const es = r.earlyStopping;
  if (r.stopReason !== 'earlyStopping' || !es) return null;
  const rule = `${es.monitor} did not improve by more than ${es.minDelta} for ${epochs(Math.max(1, es.patience))}`;
  if (r.completedEpochs < r.targetEpochs) return `Stopped early (stopReason 'earlyStopping') after epoch ${r.completedEpochs} of ${r.targetEpochs}: ${rule}`;
  return `Trained ${r.completedEpochs} epoch(s), and early stopping's rule was met at the last one (stopReason 'earlyStopping'): ${rule}`;
}

/**
 * What follows the usual status for a run with early stopping that ran to the end or was stopped
 * ('' without early stopping).
 *
 * @example
 * earlyStoppingNote(done); // " Early stopping did not trigger: all 12 epochs ran (stopReason 'completed'). Best epoch 12 (valLoss 0.0478); restored the weights of epoch 12."
 */
export function earlyStoppingNote(r: Done): string {
  const es = r.earlyStopping;
  if (!es) return '';
  const why = r.stopReason === 'completed' ? `Early stopping did not trigger: all ${epochs(r.completedEpochs)} ran (stopReason 'completed'). ` : r.stopReason === 'aborted' ? "Stopped by the Stop button (stopReason 'aborted'). " : '';
  return ` ${why}${bestSentence(es)}`;
}
