// What the worker computes for the page's views, all through the library's public API:
// predictions over the input plane, the MNIST grid's predictions, one page of first-layer weight
// images, the network picture (each unit's output from traceStep, which runs the library's own
// forward pass) and regression metrics.
import { type MLP, type Matrix, type ModelConfig, type Targets, type Weights, traceStep } from '../src';
import { type BoundaryView, type NetworkDiagram, type NetworkSummary, type NetworkView, type RegressionMetrics, WEIGHTS_PAGE, type WeightsView } from './protocol';
import { rowsOf } from './split';

/** Cells per side of the decision-boundary grid, and of each unit's picture in the diagram. */
export const BOUNDARY_SIZE = 64;
export const PLANE_GRID = 20;
/** Digits shown in the MNIST grid. */
export const GRID_DIGITS = 48;
/** Networks with at most this many units in every layer (inputs too) and edges are drawn node by node. */
export const DIAGRAM_MAX_UNITS = 32;
export const DIAGRAM_MAX_EDGES = 4096;
/** Rows run through a large network for its per-layer summary; histogram bins. */
export const PROBE_ROWS = 64;
const HISTOGRAM_BINS = 24;

/** The model's configuration as plain data (no weights), e.g. for traceStep or a snapshot. */
export function plainConfig(m: MLP): ModelConfig {
  const { seed, initializer, inputSize, layers, loss, l2, l1, huberDelta, useBias, freezeBias } = m.config;
  return { seed, initializer, inputSize, layers: layers.map((l) => ({ ...l })), loss, l2, l1, ...(huberDelta !== undefined ? { huberDelta } : {}), useBias, freezeBias };
}

/** True when a network of these sizes (inputs first) is drawn node by node. */
export function isSmallNetwork(sizes: number[]): boolean {
  let edges = 0;
  for (let i = 1; i < sizes.length; i++) edges += sizes[i - 1] * sizes[i];
  return Math.max(...sizes) <= DIAGRAM_MAX_UNITS && edges <= DIAGRAM_MAX_EDGES;
}

/** Points of a `n × n` grid over `extent`, row-major from the top (ymax) row. */
function planeGrid(extent: [number, number, number, number], n: number): Matrix {
  const [x0, x1, y0, y1] = extent;
  const grid = new Float64Array(n * n * 2);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      grid[2 * (r * n + c)] = x0 + ((c + 0.5) / n) * (x1 - x0);
      grid[2 * (r * n + c) + 1] = y1 - ((r + 0.5) / n) * (y1 - y0);
    }
  }
  return { data: grid, shape: [n * n, 2] };
}

/** The model's predictions over a 2-D dataset's plane. */
export async function boundaryView(m: MLP, extent: [number, number, number, number]): Promise<BoundaryView> {
  const p = await m.predictMatrix(planeGrid(extent, BOUNDARY_SIZE));
  return { size: BOUNDARY_SIZE, classes: p.shape[1], extent, probs: Float32Array.from(p.data) };
}

/** Predicted classes of the first test images (the page's grid). */
export async function digitPredictions(m: MLP, test: Matrix): Promise<number[]> {
  const count = Math.min(GRID_DIGITS, test.shape[0]);
  const p = await m.predictMatrix(rowsOf(test, 0, count));
  const k = p.shape[1];
  return Array.from({ length: count }, (_, r) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (p.data[r * k + j] > p.data[r * k + best]) best = j;
    return best;
  });
}

/** Page `page` of the first layer's weight images (784 inputs), or null for other inputs. */
export function weightsPage(w: Weights, page: number): WeightsView | null {
  const w0 = w.weights[0]; // [784][units]
  if (w0.length !== 784) return null;
  const total = w0[0].length;
  const pages = Math.ceil(total / WEIGHTS_PAGE);
  const start = Math.min(Math.max(0, page), pages - 1) * WEIGHTS_PAGE;
  const units = Math.min(WEIGHTS_PAGE, total - start);
  const data = new Float32Array(units * 784);
  for (let u = 0; u < units; u++) for (let i = 0; i < 784; i++) data[u * 784 + i] = w0[i][start + u];
  return { start, units, total, data };
}

/** Targets traceStep accepts for `rows` rows of `config` (the values do not matter for activations). */
function dummyTargets(config: ModelConfig, rows: number): Targets {
  if (config.loss === 'categoricalCrossEntropy') return new Array<number>(rows).fill(0);
  const outputs = config.layers[config.layers.length - 1].units;
  return { data: new Float64Array(rows * outputs), shape: [rows, outputs] };
}

/** Each layer's outputs for the rows of `x`, from the library's own forward pass. */
function activations(config: ModelConfig, w: Weights, x: Matrix): number[][][] {
  return traceStep(config, w, x, dummyTargets(config, x.shape[0]), 1).layers.map((l) => l.a);
}

const flatWeights = (w: number[][]): Float32Array => Float32Array.from(w.flat());

/** What the diagram and the summary need to know about the data. */
export interface ViewData {
  x: Matrix;
  y: number[] | number[][];
  classes: string[] | null;
  extent: [number, number, number, number] | null;
  /** A standardized regression target's scale, to show targets in their own units. */
  targetScale: { mean: number; std: number } | null;
}

/** The diagram of a small network: units over the input plane (2-D data) or for one sample. */
function diagram(config: ModelConfig, w: Weights, d: ViewData, sample: number, sizes: number[]): NetworkDiagram {
  const base = { kind: 'diagram' as const, sizes, activations: config.layers.map((l) => l.activation), weights: w.weights.map(flatWeights) };
  if (d.extent && config.inputSize === 2) {
    const n = PLANE_GRID;
    const grid = planeGrid(d.extent, n);
    const acts = activations(config, w, grid);
    const inputs = new Float32Array(2 * n * n);
    for (let r = 0; r < n * n; r++) for (let j = 0; j < 2; j++) inputs[j * n * n + r] = grid.data[2 * r + j] as number;
    const values = [inputs, ...acts.map((a) => {
      const units = a[0].length;
      const out = new Float32Array(units * n * n);
      for (let r = 0; r < n * n; r++) for (let u = 0; u < units; u++) out[u * n * n + r] = a[r][u];
      return out;
    })];
    return { ...base, mode: 'plane', grid: n, values, sample: null };
  }
  const rows = d.x.shape[0];
  const index = Math.min(Math.max(0, sample), rows - 1);
  const x = rowsOf(d.x, index, 1);
  const acts = activations(config, w, x);
  const y = d.y[index];
  const scale = d.targetScale ?? { mean: 0, std: 1 };
  const target = Array.isArray(y) ? y.map((v) => (v * scale.std + scale.mean).toPrecision(3)).join(', ') : d.classes ? (d.classes[y] ?? String(y)) : String(y);
  return { ...base, mode: 'sample', grid: 1, values: [Float32Array.from(x.data as ArrayLike<number>), ...acts.map((a) => Float32Array.from(a[0]))], sample: { index, count: rows, target } };
}

/** Weight histogram, mean |activation| and dead-ReLU share per layer of a large network. */
function summary(config: ModelConfig, w: Weights, d: ViewData, sizes: number[]): NetworkSummary {
  const probeRows = Math.min(PROBE_ROWS, d.x.shape[0]);
  const acts = activations(config, w, rowsOf(d.x, 0, probeRows));
  const layers = config.layers.map((l, k) => {
    let min = Infinity;
    let max = -Infinity;
    for (const row of w.weights[k]) for (const v of row) [min, max] = [Math.min(min, v), Math.max(max, v)];
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    const width = (max - min) / HISTOGRAM_BINS || 1;
    for (const row of w.weights[k]) for (const v of row) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width))]++;
    const a = acts[k];
    let sum = 0;
    let dead = 0;
    for (let u = 0; u < l.units; u++) {
      let alive = false;
      for (const row of a) {
        sum += Math.abs(row[u]);
        if (row[u] !== 0) alive = true;
      }
      if (!alive) dead++;
    }
    return { activation: l.activation, histogram: { min, max, counts }, meanAbsActivation: sum / (l.units * a.length), deadFraction: l.activation === 'relu' ? dead / l.units : null };
  });
  return { kind: 'summary', sizes, layers, probeRows };
}

/** The picture of the network: a node-by-node diagram when small, else a per-layer summary. */
export function networkView(config: ModelConfig, w: Weights, d: ViewData, sample: number): NetworkView {
  const sizes = [config.inputSize, ...config.layers.map((l) => l.units)];
  return isSmallNetwork(sizes) ? diagram(config, w, d, sample, sizes) : summary(config, w, d, sizes);
}

/** MAE (in the target's units, through `scale`) and R² of the model's predictions on `x`, `y`. */
async function fitQuality(m: MLP, x: Matrix, y: number[][], scale: number): Promise<{ mae: number; r2: number }> {
  const p = await m.predictMatrix(x);
  const k = p.shape[1];
  let abs = 0;
  let mean = 0;
  const n = y.length * k;
  for (const row of y) for (const v of row) mean += v / n;
  let ssRes = 0;
  let ssTot = 0;
  y.forEach((row, r) =>
    row.forEach((v, j) => {
      const e = p.data[r * k + j] - v;
      abs += Math.abs(e);
      ssRes += e * e;
      ssTot += (v - mean) ** 2;
    }),
  );
  return { mae: (abs / n) * scale, r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN };
}

/** Regression metrics on (at most `limit` rows of) the training and validation parts. */
export async function regressionMetrics(m: MLP, d: { x: Matrix; y: number[][]; train: number; validation: number; scale: number }, limit: number): Promise<RegressionMetrics> {
  const t = Math.min(d.train, limit);
  const v = Math.min(d.validation, limit);
  const train = await fitQuality(m, rowsOf(d.x, 0, t), d.y.slice(0, t), d.scale);
  const validation = v > 0 ? await fitQuality(m, rowsOf(d.x, d.train, v), d.y.slice(d.train, d.train + v), d.scale) : null;
  return { train, validation, rows: t + v };
}
