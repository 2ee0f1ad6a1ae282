import { byId } from './dom';
import { fmtLoss, fmtMetric, pct } from './format';
import type { EpochEntry, RegressionMetrics } from './protocol';

/**
 * The metrics table: loss for train, validation and test, with accuracy for classification or
 * MAE (in the target's units) and R² for regression. Losses to 3 significant digits.
 *
 * @example
 * const table = new MetricsTable(byId('metrics'));
 * table.setTask('regression');
 */
export class MetricsTable {
  constructor(private readonly table: HTMLTableElement) {}

  /** Shows accuracy (classification) or MAE and R² (regression). */
  setTask(task: 'classification' | 'regression'): void {
    this.table.dataset.task = task;
  }

  /** Back to dashes. */
  reset(): void {
    for (const cell of this.table.querySelectorAll('td')) cell.textContent = '–';
  }

  /** The latest epoch's losses and accuracies. */
  showEpoch(l: EpochEntry): void {
    set('train-loss', fmtLoss(l.loss));
    set('train-accuracy', pct(l.accuracy));
    set('val-loss', fmtLoss(l.valLoss));
    set('val-accuracy', pct(l.valAccuracy));
    if (l.testAccuracy !== undefined) this.showTest({ loss: l.testLoss!, accuracy: l.testAccuracy });
  }

  /** Loss and accuracy on all rows (after a run or an import). */
  showTrain(t: { loss: number; accuracy: number }): void {
    set('train-loss', fmtLoss(t.loss));
    set('train-accuracy', pct(t.accuracy));
  }

  showTest(t: { loss: number; accuracy: number }): void {
    set('test-loss', fmtLoss(t.loss));
    set('test-accuracy', pct(t.accuracy));
  }

  showRegression(r: RegressionMetrics): void {
    set('train-mae', fmtMetric(r.train.mae));
    set('train-r2', fmtMetric(r.train.r2));
    set('val-mae', fmtMetric(r.validation?.mae));
    set('val-r2', fmtMetric(r.validation?.r2));
  }
}

function set(id: string, text: string): void {
  byId(id).textContent = text;
}
