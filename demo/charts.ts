import { type Axis, LineChart, type Point } from './line-chart';
import type { EpochEntry, RegressionPoint } from './protocol';
import { TEXT_MS, frames } from './render-queue';

/** Points kept per series: past it, every other point is dropped and later ones are sampled half as often. */
const CAP = 300;
/** Least milliseconds between two redraws of the charts. */
const REDRAW_MS = TEXT_MS;

/** A series that stays under CAP points however long the run, always ending at the newest value. */
class Series {
  private points: Point[] = [];
  private stride = 1;
  private seen = 0;
  private tail: Point | null = null;

  push(p: Point): void {
    if (!Number.isFinite(p.y)) return;
    if (this.seen++ % this.stride !== 0) {
      this.tail = p;
      return;
    }
    this.points.push(p);
    this.tail = null;
    if (this.points.length > CAP) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  view(): Point[] {
    return this.tail ? [...this.points, this.tail] : this.points;
  }

  get length(): number {
    return this.points.length + (this.tail ? 1 : 0);
  }
}

const STYLES = [
  { label: 'batch (live)', color: 'rgba(120, 120, 120, 0.6)', width: 1, dots: false },
  { label: 'train', color: '#1f77b4', width: 2, dots: true },
  { label: 'validation', color: '#ff7f0e', width: 2, dots: true },
  { label: 'test', color: '#2ca02c', width: 2, dots: true },
];

const newSeries = () => STYLES.map(() => new Series());

/** The learning-rate chart's one series. */
const RATE_STYLES = [{ label: 'learning rate η (last step of each epoch)', color: '#6a3d9a', width: 2, dots: true }];

/**
 * The live loss chart (log scale by default), the second chart (accuracy for classification, R²
 * for regression) and a small learning-rate chart (log scale). Per-batch values while training,
 * per-epoch train/validation/test values and rates; the loss chart can mark the best epoch.
 * Redraws at most every REDRAW_MS, each a fraction of a millisecond.
 *
 * @example
 * const charts = new TrainingCharts(byId('loss-chart'), byId('accuracy-chart'), byId('rate-chart'));
 * charts.addEpochs([{ epoch: 1, x: 1, loss: 0.4, accuracy: 0.9, learningRate: 0.002, samplesPerSecond: 1e4, seconds: 1 }]);
 * charts.markBest(1, 1);
 */
export class TrainingCharts {
  private readonly loss: LineChart;
  private readonly second: LineChart;
  private readonly rate: LineChart;
  private series = { loss: newSeries(), second: newSeries(), rate: [new Series()] };
  private logScale = true;
  private kind: 'accuracy' | 'r2' = 'accuracy';

  constructor(
    private readonly lossCanvas: HTMLCanvasElement,
    private readonly secondCanvas: HTMLCanvasElement,
    private readonly rateCanvas: HTMLCanvasElement,
  ) {
    this.loss = new LineChart(lossCanvas, STYLES, 'epochs of data seen');
    this.second = new LineChart(secondCanvas, STYLES, 'epochs of data seen');
    this.rate = new LineChart(rateCanvas, RATE_STYLES, 'epochs of data seen');
    this.rate.setAxis({ scale: 'log', title: 'η (log)' });
    this.setLogScale(true);
    this.setKind('accuracy');
  }

  /** Clears every series and the best-epoch mark. */
  reset(): void {
    this.series = { loss: newSeries(), second: newSeries(), rate: [new Series()] };
    this.markBest(null, null);
  }

  /** Marks the best epoch (`epoch`, at `x` epochs of data seen) on the loss chart, or clears the mark. */
  markBest(epoch: number | null, x: number | null): void {
    this.loss.setMarker(epoch === null || x === null ? null : { x, label: `best epoch ${epoch}` });
    const box = this.lossCanvas.parentElement!;
    if (epoch === null) delete box.dataset.bestEpoch;
    else box.dataset.bestEpoch = String(epoch);
    this.draw();
  }

  /** Log or linear loss axis. */
  setLogScale(on: boolean): void {
    this.logScale = on;
    this.loss.setAxis({ scale: on ? 'log' : 'linear', title: on ? 'loss (log scale)' : 'loss' });
    this.lossCanvas.parentElement!.dataset.scale = on ? 'log' : 'linear';
    this.draw();
  }

  /** What the second chart shows: accuracy (with a note on what it means) or R². */
  setKind(kind: 'accuracy' | 'r2', note: string | null = null): void {
    this.kind = kind;
    const axis: Axis =
      kind === 'r2' ? { scale: 'linear', title: 'R² (1 = perfect)', min: -1, max: 1 } : { scale: 'linear', title: note ? `accuracy (${note})` : 'accuracy', min: 0, max: 1, percent: true };
    this.second.setAxis(axis);
    this.secondCanvas.parentElement!.dataset.kind = kind;
    this.draw();
  }

  /** A live batch value at `x` epochs. */
  addBatch(x: number, loss: number, accuracy: number): void {
    this.series.loss[0].push({ x, y: loss });
    if (this.kind === 'accuracy') this.series.second[0].push({ x, y: accuracy });
    this.draw();
  }

  /** Per-epoch values. */
  addEpochs(logs: EpochEntry[]): void {
    const [l, s] = [this.series.loss, this.series.second];
    for (const e of logs) {
      l[1].push({ x: e.x, y: e.loss });
      if (Number.isFinite(e.learningRate)) this.series.rate[0].push({ x: e.x, y: e.learningRate });
      if (e.valLoss !== undefined) l[2].push({ x: e.x, y: e.valLoss });
      if (e.testLoss !== undefined) l[3].push({ x: e.x, y: e.testLoss });
      if (this.kind !== 'accuracy') continue;
      s[1].push({ x: e.x, y: e.accuracy });
      if (e.valAccuracy !== undefined) s[2].push({ x: e.x, y: e.valAccuracy });
      if (e.testAccuracy !== undefined) s[3].push({ x: e.x, y: e.testAccuracy });
    }
    this.draw();
  }

  /** R² of the training and validation rows at a point of the run (regression). */
  addRegression(p: RegressionPoint): void {
    if (this.kind !== 'r2') return;
    this.series.second[1].push({ x: p.x, y: p.train.r2 });
    if (p.validation) this.series.second[2].push({ x: p.x, y: p.validation.r2 });
    this.draw();
  }

  /** Redraws both charts at the next frame, but at most every REDRAW_MS. */
  private draw(): void {
    frames.throttle(
      'charts',
      () => {
        this.render(this.loss, this.lossCanvas, this.series.loss);
        this.render(this.second, this.secondCanvas, this.series.second);
        this.render(this.rate, this.rateCanvas, this.series.rate);
      },
      REDRAW_MS,
    );
  }

  private render(chart: LineChart, canvas: HTMLCanvasElement, series: Series[]): void {
    chart.draw(series.map((s) => s.view()));
    canvas.parentElement!.dataset.points = String(series.reduce((n, s) => n + s.length, 0));
  }
}
