/**
 * A small line chart drawn straight onto a 2-D canvas: linear or logarithmic y axis, a legend of
 * the series that have points, dots while a series is short. A redraw of a few hundred points
 * costs well under a millisecond, so the page's thread stays free while training.
 *
 * @example
 * const chart = new LineChart(canvas, [{ label: 'train', color: '#1f77b4', width: 2, dots: true }], 'epochs');
 * chart.setAxis({ scale: 'log', title: 'loss' });
 * chart.draw([[{ x: 1, y: 0.5 }, { x: 2, y: 0.2 }]]);
 */

export type Point = { x: number; y: number };

/** How one series is drawn. */
export interface SeriesStyle {
  label: string;
  color: string;
  width: number;
  /** Dots on the points while the series has at most DOT_LIMIT of them. */
  dots: boolean;
}

/** The y axis: its scale, title, fixed bounds and tick format. */
export interface Axis {
  scale: 'linear' | 'log';
  title: string;
  min?: number;
  max?: number;
  /** Tick labels as percentages of 1. */
  percent?: boolean;
}

const DOT_LIMIT = 60;
const MARGIN = { left: 54, right: 10, top: 24, bottom: 34 };
const FONT = '11px system-ui, -apple-system, sans-serif';

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Powers of ten in [lo, hi] (and 2× and 5× them when the range spans less than three decades). */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const few = Math.log10(hi / lo) < 3;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

const label = (v: number, percent = false): string => {
  if (percent) return `${Math.round(v * 100)}%`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
};

/** A vertical line at `x` with a label (e.g. the best epoch). */
export interface Marker {
  x: number;
  label: string;
}

export class LineChart {
  private readonly ctx: CanvasRenderingContext2D;
  private axis: Axis = { scale: 'linear', title: '' };
  private last: Point[][] = [];
  private marker: Marker | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly styles: SeriesStyle[],
    private readonly xTitle: string,
  ) {
    this.ctx = canvas.getContext('2d')!;
    new ResizeObserver(() => this.draw(this.last)).observe(canvas.parentElement ?? canvas);
  }

  setAxis(axis: Axis): void {
    this.axis = axis;
  }

  /** Draws a labelled vertical line at the marker's x from the next redraw on (null: none). */
  setMarker(marker: Marker | null): void {
    this.marker = marker;
  }

  /** Redraws with one array of points per series (in the styles' order). */
  draw(series: Point[][]): void {
    this.last = series;
    const dpr = window.devicePixelRatio || 1;
    const box = this.canvas.parentElement ?? this.canvas;
    const W = Math.max(100, box.clientWidth);
    const H = Math.max(80, box.clientHeight);
    if (this.canvas.width !== Math.round(W * dpr) || this.canvas.height !== Math.round(H * dpr)) {
      this.canvas.width = Math.round(W * dpr);
      this.canvas.height = Math.round(H * dpr);
      this.canvas.style.width = `${W}px`;
      this.canvas.style.height = `${H}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const plot = { x0: MARGIN.left, x1: W - MARGIN.right, y0: MARGIN.top, y1: H - MARGIN.bottom };
    const { xs, ys } = this.ranges(series);
    const px = (x: number) => plot.x0 + ((x - xs[0]) / (xs[1] - xs[0] || 1)) * (plot.x1 - plot.x0);
    const log = this.axis.scale === 'log';
    const f = (y: number) => (log ? Math.log10(y) : y);
    const py = (y: number) => plot.y1 - ((f(y) - f(ys[0])) / (f(ys[1]) - f(ys[0]) || 1)) * (plot.y1 - plot.y0);
    this.drawAxes(plot, xs, ys, px, py);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x0, plot.y0 - 2, plot.x1 - plot.x0, plot.y1 - plot.y0 + 4);
    ctx.clip();
    series.forEach((points, i) => this.drawSeries(points.filter((p) => !log || p.y > 0), this.styles[i], px, py));
    ctx.restore();
    if (this.marker) this.drawMarker(this.marker, plot, px(this.marker.x));
    this.drawLegend(series, W);
  }

  /** x from 0 to the largest x; y from the data (or the axis' fixed bounds). */
  private ranges(series: Point[][]): { xs: [number, number]; ys: [number, number] } {
    let xMax = 0;
    let yMin = Infinity;
    let yMax = -Infinity;
    const log = this.axis.scale === 'log';
    for (const s of series) {
      for (const p of s) {
        if (log && p.y <= 0) continue;
        xMax = Math.max(xMax, p.x);
        yMin = Math.min(yMin, p.y);
        yMax = Math.max(yMax, p.y);
      }
    }
    const xTicks = niceTicks(0, xMax || 1);
    const xs: [number, number] = [0, Math.max(xTicks[xTicks.length - 1], xMax || 1)];
    if (!Number.isFinite(yMin)) [yMin, yMax] = log ? [0.1, 10] : [0, 1];
    if (log) return { xs, ys: [10 ** Math.floor(Math.log10(yMin)), 10 ** Math.ceil(Math.log10(yMax) + 1e-9)] };
    // linear: from 0 (or below, for negative values) to the largest value, widened to round ticks
    const lo = this.axis.min ?? Math.min(0, yMin);
    const hi = this.axis.max ?? (yMax > lo ? yMax : lo + 1);
    const t = niceTicks(lo, hi);
    return { xs, ys: [this.axis.min ?? Math.min(lo, t[0]), this.axis.max ?? Math.max(hi, t[t.length - 1])] };
  }

  private drawAxes(plot: { x0: number; x1: number; y0: number; y1: number }, xs: [number, number], ys: [number, number], px: (x: number) => number, py: (y: number) => number): void {
    const ctx = this.ctx;
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e6e9ef';
    ctx.fillStyle = '#5b6475';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yTicks = this.axis.scale === 'log' ? logTicks(ys[0], ys[1]) : niceTicks(ys[0], ys[1]).filter((v) => v >= ys[0] - 1e-12 && v <= ys[1] + 1e-12);
    for (const v of yTicks) {
      const y = Math.round(py(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(plot.x0, y);
      ctx.lineTo(plot.x1, y);
      ctx.stroke();
      ctx.fillText(label(v, this.axis.percent), plot.x0 - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of niceTicks(xs[0], xs[1], 6)) {
      const x = Math.round(px(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, plot.y0);
      ctx.lineTo(x, plot.y1);
      ctx.stroke();
      ctx.fillText(label(v), x, plot.y1 + 4);
    }
    ctx.strokeStyle = '#b8c2d3';
    ctx.strokeRect(plot.x0 + 0.5, plot.y0 + 0.5, plot.x1 - plot.x0, plot.y1 - plot.y0);
    ctx.fillText(this.xTitle, (plot.x0 + plot.x1) / 2, plot.y1 + 19);
    ctx.save();
    ctx.translate(12, (plot.y0 + plot.y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(this.axis.title, 0, 0);
    ctx.restore();
  }

  private drawSeries(points: Point[], style: SeriesStyle, px: (x: number) => number, py: (y: number) => number): void {
    if (points.length === 0) return;
    const ctx = this.ctx;
    ctx.strokeStyle = ctx.fillStyle = style.color;
    ctx.lineWidth = style.width;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(px(p.x), py(p.y)) : ctx.lineTo(px(p.x), py(p.y))));
    ctx.stroke();
    if (!style.dots || points.length > DOT_LIMIT) return;
    for (const p of points) {
      ctx.beginPath();
      ctx.arc(px(p.x), py(p.y), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  private drawMarker(m: Marker, plot: { x0: number; x1: number; y0: number; y1: number }, x: number): void {
    const ctx = this.ctx;
    ctx.save();
    ctx.strokeStyle = ctx.fillStyle = '#6a3d9a';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, plot.y0);
    ctx.lineTo(Math.round(x) + 0.5, plot.y1);
    ctx.stroke();
    ctx.font = `600 ${FONT}`;
    ctx.textBaseline = 'top';
    // the label sits inside the plot, on whichever side of the line has room
    const width = ctx.measureText(m.label).width;
    const right = x + 4 + width <= plot.x1;
    ctx.textAlign = right ? 'left' : 'right';
    ctx.fillText(m.label, right ? x + 4 : x - 4, plot.y0 + 4);
    ctx.restore();
  }

  private drawLegend(series: Point[][], W: number): void {
    const ctx = this.ctx;
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const items = this.styles.filter((_, i) => series[i]?.length);
    const widths = items.map((s) => ctx.measureText(s.label).width + 24);
    let x = (W - widths.reduce((a, b) => a + b, 0)) / 2;
    items.forEach((s, i) => {
      ctx.fillStyle = s.color;
      ctx.fillRect(x, 6, 12, 10);
      ctx.fillStyle = '#5b6475';
      ctx.fillText(s.label, x + 16, 11);
      x += widths[i];
    });
  }
}
