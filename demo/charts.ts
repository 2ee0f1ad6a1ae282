import { Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import type { Report } from './protocol';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

/** Most points drawn per series (long runs are decimated evenly, so the charts stay fast). */
const MAX_POINTS = 1500;

type Point = { x: number; y: number };
type EpochEntry = Extract<Report, { type: 'epochs' }>['logs'][number];

const SERIES = [
  { key: 'batch', label: 'batch (live)', color: 'rgba(120, 120, 120, 0.55)', line: true },
  { key: 'train', label: 'train (epoch)', color: '#1f77b4', line: true },
  { key: 'val', label: 'validation', color: '#ff7f0e', line: true },
  { key: 'test', label: 'test', color: '#2ca02c', line: true },
] as const;

function makeChart(canvas: HTMLCanvasElement, title: string, percent: boolean): Chart<'line', Point[]> {
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: SERIES.map((s) => ({
        label: s.label,
        data: [] as Point[],
        borderColor: s.color,
        backgroundColor: s.color,
        borderWidth: s.key === 'batch' ? 1 : 2,
        // dots while there are few epochs, a plain line once there are many
        pointRadius: s.key === 'batch' ? 0 : (ctx: { dataset: { data: unknown[] } }) => (ctx.dataset.data.length > 60 ? 0 : 2.5),
        tension: 0,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      plugins: {
        legend: { labels: { boxWidth: 12, font: { size: 11 }, filter: (item, data) => data.datasets[item.datasetIndex!].data.length > 0 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${percent ? (c.parsed.y! * 100).toFixed(2) + '%' : c.parsed.y!.toPrecision(4)}` } },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epochs of data seen' }, min: 0 },
        y: {
          type: 'linear',
          title: { display: true, text: title },
          ...(percent ? { min: 0, max: 1, ticks: { callback: (v) => `${Math.round(Number(v) * 100)}%` } } : { beginAtZero: true }),
        },
      },
    },
  });
}

/** Live loss and accuracy charts: per-batch training values and per-epoch train/validation/test. */
export class TrainingCharts {
  private readonly loss: Chart<'line', Point[]>;
  private readonly accuracy: Chart<'line', Point[]>;
  private frame = 0;

  /** Every value received, per chart and series; the charts draw a decimated copy. */
  private readonly raw = new Map<Chart<'line', Point[]>, Point[][]>();

  constructor(lossCanvas: HTMLCanvasElement, accuracyCanvas: HTMLCanvasElement) {
    this.loss = makeChart(lossCanvas, 'loss', false);
    this.accuracy = makeChart(accuracyCanvas, 'accuracy', true);
    this.reset();
  }

  /** Clears every series. */
  reset(): void {
    for (const c of [this.loss, this.accuracy]) this.raw.set(c, SERIES.map(() => []));
    this.schedule();
  }

  /** Adds a live batch value at `x` epochs. */
  addBatch(x: number, loss: number, accuracy: number): void {
    this.push(this.loss, 0, { x, y: loss });
    this.push(this.accuracy, 0, { x, y: accuracy });
    this.schedule();
  }

  /** Adds per-epoch values. */
  addEpochs(logs: EpochEntry[]): void {
    for (const l of logs) {
      this.push(this.loss, 1, { x: l.x, y: l.loss });
      this.push(this.accuracy, 1, { x: l.x, y: l.accuracy });
      if (l.valLoss !== undefined) this.push(this.loss, 2, { x: l.x, y: l.valLoss });
      if (l.valAccuracy !== undefined) this.push(this.accuracy, 2, { x: l.x, y: l.valAccuracy });
      if (l.testLoss !== undefined) this.push(this.loss, 3, { x: l.x, y: l.testLoss });
      if (l.testAccuracy !== undefined) this.push(this.accuracy, 3, { x: l.x, y: l.testAccuracy });
    }
    this.schedule();
  }

  /** Notes on the accuracy axis when accuracy means little (real-valued targets). */
  setAccuracyNote(note: string | null): void {
    const y = this.accuracy.options.scales!.y!;
    (y as { title: { text: string } }).title.text = note ? `accuracy (${note})` : 'accuracy';
    this.schedule();
  }

  private push(chart: Chart<'line', Point[]>, series: number, p: Point): void {
    if (Number.isFinite(p.y)) this.raw.get(chart)![series].push(p);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const c of [this.loss, this.accuracy]) {
        const raw = this.raw.get(c)!;
        c.data.datasets.forEach((d, i) => {
          // draw at most MAX_POINTS, evenly spread over the run, always with the newest
          const all = raw[i];
          const stride = Math.ceil(all.length / MAX_POINTS);
          d.data = stride <= 1 ? all.slice() : all.filter((_, k) => k % stride === 0 || k === all.length - 1);
        });
        c.update('none');
      }
    });
  }
}
