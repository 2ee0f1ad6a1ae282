// Sends the page what it draws about the current model (views) and the weights it keeps for a
// restart (snapshots), each at its own adaptive rate so that drawing never slows training much.
import type { MLP, Matrix } from '../src';
import type { Dataset } from './datasets';
import type { RegressionMetrics, Report } from './protocol';
import { splitCounts } from './split';
import { postSnapshot, post, state } from './worker-state';
import { boundaryView, digitPredictions, networkView, plainConfig, regressionMetrics, weightsPage } from './worker-views';

/** Rows used for live regression metrics (the final report uses all rows). */
const LIVE_METRIC_ROWS = 2000;

/**
 * Runs something at most every `minMs`, and never more often than `factor` times its own cost
 * allows (a view that takes 20 ms runs at most every 20·factor ms).
 */
export class Cadence {
  private next = 0;
  constructor(
    private readonly minMs: number,
    private readonly factor: number,
  ) {}

  /** True when the next run is due. */
  due(now = performance.now()): boolean {
    return now >= this.next;
  }

  /** Makes the next check due at once. */
  hurry(): void {
    this.next = 0;
  }

  /** Runs `fn` and schedules the next run from its cost. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const t1 = performance.now();
      this.next = t1 + Math.max(this.minMs, this.factor * (t1 - t0));
    }
  }
}

/** The training and validation parts of `d` for a validation fraction. */
export const partsOf = (d: Dataset, validationSplit: number) => splitCounts(d.x.shape[0], validationSplit);

/**
 * Computes and posts the views of `m` on `d` (and a snapshot of its weights when `snapshot`),
 * reading the weights once for all of them. Returns the regression metrics it computed, if any.
 */
export async function publish(m: MLP, d: Dataset, parts: { train: number; validation: number }, what: { view: boolean; snapshot: boolean; x: number; metricRows?: number }): Promise<RegressionMetrics | null> {
  if (!what.view && !what.snapshot) return null;
  const w = await m.getWeights();
  if (what.snapshot) postSnapshot(m, w);
  if (!what.view) return null;
  const boundary = d.extent && d.inputSize === 2 ? await boundaryView(m, d.extent) : null;
  const digits = d.name === 'mnist' && d.test ? await digitPredictions(m, d.test.x as Matrix) : null;
  const weights = d.inputSize === 784 ? weightsPage(w, state.view.weightsPage) : null;
  const trainX = { data: (d.x.data as Float32Array | Float64Array).subarray(0, parts.train * d.inputSize), shape: [parts.train, d.inputSize] as [number, number] };
  const network = networkView(plainConfig(m), w, { x: trainX, y: d.y, classes: d.classes, extent: d.extent, targetScale: d.targetScale ?? null }, state.view.sample);
  const regression =
    d.classes === null
      ? { ...(await regressionMetrics(m, { x: d.x, y: d.y as number[][], ...parts, scale: d.targetScale?.std ?? 1 }, what.metricRows ?? LIVE_METRIC_ROWS)), x: what.x }
      : null;
  const report: Report = { type: 'view', boundary, digits, weights, network, regression };
  const transfer: ArrayBuffer[] = [];
  if (boundary) transfer.push(boundary.probs.buffer as ArrayBuffer);
  if (weights) transfer.push(weights.data.buffer as ArrayBuffer);
  post(report, transfer);
  return regression;
}
