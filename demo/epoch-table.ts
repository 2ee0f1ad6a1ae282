import { el } from './dom';
import { fmtLoss, fmtMetric, pct } from './format';
import type { EpochEntry } from './protocol';
import { TEXT_MS, frames } from './render-queue';

/** Epochs the table keeps (the newest; older ones are on the charts). */
const ROWS = 100;

/** An epoch number: whole for a full epoch, two decimals for the part of one a Stop left. */
const epochText = (e: number) => (Number.isInteger(e) ? String(e) : e.toFixed(2));

/** A learning rate to 3 significant digits. */
export const fmtLearningRate = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(2));

/**
 * The per-epoch table under the charts: each epoch's losses, accuracy (or MAE for regression)
 * and the learning rate of its last step, the newest at the bottom; the best epoch of early
 * stopping is marked. Redrawn at most every TEXT_MS.
 *
 * @example
 * const table = new EpochTable(byId<HTMLTableElement>('epoch-table'));
 * table.add([{ epoch: 1, x: 1, loss: 0.4, accuracy: 0.9, learningRate: 0.002, samplesPerSecond: 1e4, seconds: 1 }]);
 * table.markBest(1);
 */
export class EpochTable {
  private entries: EpochEntry[] = [];
  private best: number | null = null;

  constructor(private readonly table: HTMLTableElement) {}

  /** Shows accuracy (classification) or MAE (regression). */
  setTask(task: 'classification' | 'regression'): void {
    this.table.dataset.task = task;
  }

  /** No epochs, no mark. */
  reset(): void {
    this.entries = [];
    this.best = null;
    frames.cancel('epoch-table');
    this.render();
  }

  /** Adds epochs (drawn at the next redraw). */
  add(logs: EpochEntry[]): void {
    this.entries.push(...logs);
    if (this.entries.length > ROWS) this.entries.splice(0, this.entries.length - ROWS);
    frames.throttle('epoch-table', () => this.render(), TEXT_MS);
  }

  /** Marks epoch `epoch` (as the page numbers epochs) as the best, or clears the mark; draws now. */
  markBest(epoch: number | null): void {
    this.best = epoch;
    frames.flush('epoch-table');
    this.render();
  }

  private render(): void {
    const body = this.table.tBodies[0];
    body.replaceChildren(
      ...this.entries.map((e) => {
        const best = e.epoch === this.best;
        return el(
          'tr',
          best ? { class: 'best', title: 'the best epoch (early stopping)' } : {},
          el('th', {}, epochText(e.epoch), ...(best ? [el('span', { class: 'best-mark' }, ' ★ best')] : [])),
          el('td', {}, fmtLoss(e.loss)),
          el('td', {}, fmtLoss(e.valLoss)),
          el('td', { class: 'cls' }, pct(e.accuracy)),
          el('td', { class: 'cls' }, pct(e.valAccuracy)),
          el('td', { class: 'reg' }, fmtMetric(e.mae)),
          el('td', { class: 'reg' }, fmtMetric(e.valMae)),
          el('td', { class: 'rate' }, fmtLearningRate(e.learningRate)),
        );
      }),
    );
    this.table.dataset.rows = String(this.entries.length);
    // the newest epoch in view, or the best one once marked
    const box = this.table.parentElement;
    const row = body.querySelector<HTMLElement>('tr.best');
    if (box) box.scrollTop = row ? row.offsetTop - box.clientHeight / 2 : box.scrollHeight;
  }
}
