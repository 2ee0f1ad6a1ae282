import { FLOAT32_MAX, FLOAT32_OVERFLOW, type NetSpec, type ResolvedConfig, describeValue, fanIn } from './config';
import { isArray, readList } from './inspect';
import { initialNormStats, initialNorms, normsToArrays, presentNorms } from './norm-params';
import { readVector } from './read-vector';
import { Rng } from './random';
import type { Weights } from './types';

/**
 * Parameters as flat float64 arrays: `weights[l]` is `[fanIn, units]` row-major, `biases[l]` is
 * `[units]`; `norms[l]`, for a layer with `norm`, is `[2 · units]`: γ (scale), then β (shift).
 *
 * @example
 * const p: Params = { weights: [new Float64Array(2 * 3)], biases: [new Float64Array(3)] };
 */
export interface Params {
  weights: Float64Array[];
  biases: Float64Array[];
  /** Per layer, γ then β of its normalization, or null; absent when no layer has `norm`. */
  norms?: (Float64Array | null)[];
  /**
   * Per batch-normalized layer, its running mean then running variance (`[2 · units]`), or null;
   * absent when no layer has `norm: 'batch'`. State, not parameters: no gradient, no optimizer.
   */
  normStats?: (Float64Array | null)[];
}

/**
 * Every parameter array an optimizer trains or a check reads, in one list: weights, biases, then
 * the normalized layers' γ/β.
 *
 * @example
 * allArrays(p).every((a) => a.every(Number.isFinite));
 */
export function allArrays(p: Params): Float64Array[] {
  return [...p.weights, ...p.biases, ...presentNorms(p.norms)];
}


/**
 * Draws initial parameters from the config's initializer and seed (biases start at 0). Refuses
 * initializer settings whose draws overflow float64, naming the setting.
 *
 * @example
 * initParams(resolveConfig({ inputSize: 2, layers: [{ units: 3, activation: 'relu' }], loss: 'mse' })).weights[0].length; // 6
 */
export function initParams(config: ResolvedConfig): Params {
  const rng = new Rng(config.seed, 'init');
  const init = config.initializer;
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  config.layers.forEach((layer, l) => {
    const n = fanIn(config, l);
    const w = new Float64Array(n * layer.units);
    for (let i = 0; i < w.length; i++) {
      switch (init.type) {
        case 'normal':
          w[i] = rng.normal() * (init.scale ?? 1 / Math.sqrt(n));
          break;
        case 'uniform': {
          const eps = init.epsilon ?? 0.12;
          w[i] = rng.uniform(-eps, eps);
          break;
        }
        case 'xavier': {
          const limit = Math.sqrt(6 / (n + layer.units));
          w[i] = rng.uniform(-limit, limit);
          break;
        }
        case 'he':
          w[i] = rng.normal() * Math.sqrt(2 / n);
          break;
      }
    }
    weights.push(w);
    biases.push(new Float64Array(layer.units));
  });
  const norms = initialNorms(config);
  const p: Params = norms ? { weights, biases, norms } : { weights, biases };
  const stats = initialNormStats(config);
  if (stats) p.normStats = stats;
  if (!paramsFinite(p)) {
    const setting = init.type === 'normal' ? `initializer.scale ${init.scale}` : `initializer.epsilon ${init.type === 'uniform' ? init.epsilon : ''}`;
    throw new RangeError(`${setting} draws weights beyond the float64 range (they would be ±Infinity or NaN); use a smaller value`);
  }
  return p;
}

/**
 * True when every weight and bias is finite.
 *
 * @example
 * paramsFinite({ weights: [Float64Array.of(1, Infinity)], biases: [] }); // false
 */
export function paramsFinite(p: Params): boolean {
  let z = 0;
  for (const a of allArrays(p)) for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
}

/** Where, in `weights[l][i][j]` / `biases[l][j]` terms, flat index `k` of layer `l` lies. */
function position(net: NetSpec, kind: 'weights' | 'biases', l: number, k: number): string {
  const cols = net.layers[l].units;
  return kind === 'weights' ? `weights[${l}][${Math.floor(k / cols)}][${k % cols}]` : `biases[${l}][${k}]`;
}

/**
 * Refuses parameters that float32 cannot hold (the WebGPU backend computes in float32), naming the
 * first such value.
 *
 * @example
 * checkFloat32Params(net, { weights: [Float64Array.of(1e39)], biases: [Float64Array.of(0)] }); // RangeError: weights[0][0][0] is 1e+39 …
 */
export function checkFloat32Params(net: NetSpec, p: Params): void {
  for (const kind of ['weights', 'biases'] as const) {
    p[kind].forEach((a, l) => {
      for (let i = 0; i < a.length; i++) {
        if (Math.abs(a[i]) >= FLOAT32_OVERFLOW) {
          throw new RangeError(`${position(net, kind, l, i)} is ${a[i]}, beyond float32's range (±${FLOAT32_MAX}), which the WebGPU backend computes in; use backend 'cpu' for such values`);
        }
      }
    });
  }
  p.norms?.forEach((a, l) => {
    const k = a ? a.findIndex((v) => Math.abs(v) >= FLOAT32_OVERFLOW) : -1;
    if (a && k >= 0) {
      const units = net.layers[l].units;
      const where = k < units ? `norms[${l}].scale[${k}]` : `norms[${l}].shift[${k - units}]`;
      throw new RangeError(`${where} is ${a[k]}, beyond float32's range (±${FLOAT32_MAX}), which the WebGPU backend computes in; use backend 'cpu' for such values`);
    }
  });
}

/** Reads one layer's `[rows][cols]` plain-array matrix into `out` (structure by descriptor, numbers by index). */
function readMatrix(value: unknown, where: string, rows: number, cols: number, out: Float64Array): void {
  if (!isArray(value)) throw new TypeError(`${where} must be an array of ${rows} rows (fan-in) of ${cols}, got ${describeValue(value)}`);
  const list = readList(value, where, rows + 1);
  if (list.length !== rows) throw new RangeError(`${where} must have ${rows} rows (fan-in) of ${cols}, got ${list.length} rows`);
  list.forEach((row, i) => readVector(row, `${where}[${i}]`, cols, out, i * cols));
}


/**
 * Checks plain-array weights (and biases) against the network's shapes and finiteness and
 * converts them to flat arrays, naming the first bad entry. Without `biases` they are 0, unless
 * `requireBiases` refuses that (where the model uses biases).
 *
 * @example
 * paramsFromArrays(net, [[[0.5], [-1]]], [[0]]).weights[0]; // Float64Array [0.5, -1] for 2 → 1
 */
export function paramsFromArrays(net: NetSpec, weights: unknown, biases: unknown, options: { requireBiases?: boolean } = {}): Params {
  const L = net.layers.length;
  if (!isArray(weights)) throw new TypeError(`weights must be an array of ${L} layer matrices, got ${describeValue(weights)}`);
  const wl = readList(weights, 'weights', L + 1);
  if (wl.length !== L) throw new RangeError(`weights must be an array of ${L} layer matrices, got ${wl.length} entries`);
  if (biases === undefined && options.requireBiases && net.useBias) {
    throw new TypeError(`biases are missing: pass one [units] array per layer with the weights (getWeights() returns both); they are not set to 0 for you`);
  }
  let bl: unknown[] | null = null;
  if (biases !== undefined) {
    if (!isArray(biases)) throw new TypeError(`biases must be an array of ${L} vectors, got ${describeValue(biases)}`);
    bl = readList(biases, 'biases', L + 1);
    if (bl.length !== L) throw new RangeError(`biases must be an array of ${L} vectors, got ${bl.length} entries`);
  }
  const out: Params = { weights: [], biases: [] };
  for (let l = 0; l < L; l++) {
    const cols = net.layers[l].units;
    const w = new Float64Array(fanIn(net, l) * cols);
    readMatrix(wl[l], `weights[${l}]`, fanIn(net, l), cols, w);
    out.weights.push(w);
    const b = new Float64Array(cols);
    if (bl) {
      readVector(bl[l], `biases[${l}]`, cols, b, 0);
      if (!net.useBias && b.some((v) => v !== 0)) throw new RangeError(`biases[${l}] must be all zero when useBias is false`);
    }
    out.biases.push(b);
  }
  const norms = initialNorms(net);
  if (norms) out.norms = norms;
  const stats = initialNormStats(net);
  if (stats) out.normStats = stats;
  return out;
}


/**
 * Checks plain-array biases alone (one `[units]` array per layer, finite, zero without `useBias`)
 * and converts them to flat arrays.
 *
 * @example
 * biasesFromArrays(net, [[0, 0, 0], [0.5]]); // [Float64Array(3), Float64Array(1)]
 */
export function biasesFromArrays(net: NetSpec, biases: unknown): Float64Array[] {
  const L = net.layers.length;
  if (!isArray(biases)) throw new TypeError(`biases must be an array of ${L} vectors, got ${describeValue(biases)}`);
  const bl = readList(biases, 'biases', L + 1);
  if (bl.length !== L) throw new RangeError(`biases must be an array of ${L} vectors, got ${bl.length} entries`);
  return net.layers.map((layer, l) => {
    const b = new Float64Array(layer.units);
    readVector(bl[l], `biases[${l}]`, layer.units, b, 0);
    if (!net.useBias && b.some((v) => v !== 0)) throw new RangeError(`biases[${l}] must be all zero when useBias is false`);
    return b;
  });
}

/**
 * Flat parameters back to plain nested arrays.
 *
 * @example
 * paramsToArrays(net, params).weights[0][0]; // the first row of layer 0's weights
 */
export function paramsToArrays(net: NetSpec, p: Params): Weights {
  return {
    weights: p.weights.map((w, l) => {
      const cols = net.layers[l].units;
      const rows = fanIn(net, l);
      return Array.from({ length: rows }, (_, i) => Array.from(w.subarray(i * cols, (i + 1) * cols)));
    }),
    biases: p.biases.map((b) => Array.from(b)),
    ...(p.norms ? { norms: normsToArrays(net, p.norms, p.normStats) } : {}),
  };
}

/**
 * A deep copy.
 *
 * @example
 * const best = cloneParams(params);
 */
export function cloneParams(p: Params): Params {
  const copy: Params = { weights: p.weights.map((w) => w.slice()), biases: p.biases.map((b) => b.slice()) };
  if (p.norms) copy.norms = p.norms.map((n) => n && n.slice());
  if (p.normStats) copy.normStats = p.normStats.map((n) => n && n.slice());
  return copy;
}

/**
 * Σ W² over all weight matrices (biases excluded), for the L2 term.
 *
 * @example
 * sumSquaredWeights({ weights: [Float64Array.of(1, 2)], biases: [Float64Array.of(5)] }); // 5
 */
export function sumSquaredWeights(p: Params): number {
  let s = 0;
  for (const w of p.weights) for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  return s;
}

/**
 * The L2 term of the objective over a batch of `rows` samples: λ/(2m)·ΣW² (biases excluded).
 * Its gradient, λW/m, is added in `averageGradients` (src/cpu/network.ts).
 *
 * @example
 * l2Penalty(0.1, { weights: [new Float64Array([1, 2])], biases: [new Float64Array(1)] }, 5); // 0.1/10·5 = 0.05
 */
export function l2Penalty(l2: number, p: Params, rows: number): number {
  return (l2 / (2 * rows)) * sumSquaredWeights(p);
}

/**
 * Σ|W| over all weight matrices (biases excluded), for the L1 term.
 *
 * @example
 * sumAbsWeights({ weights: [Float64Array.of(1, -2)], biases: [Float64Array.of(5)] }); // 3
 */
export function sumAbsWeights(p: Params): number {
  let s = 0;
  for (const w of p.weights) for (let i = 0; i < w.length; i++) s += Math.abs(w[i]);
  return s;
}

/**
 * The whole penalty of the objective over a batch of `rows` samples: λ₂/(2m)·ΣW² + λ₁/m·Σ|W|
 * (biases excluded); 0 without either. Gradients in `averageGradients` (src/cpu/network.ts).
 *
 * @example
 * weightPenalty({ l2: 0.1, l1: 0.5 }, { weights: [Float64Array.of(1, -2)], biases: [] }, 5); // 0.05 + 0.3
 */
export function weightPenalty(reg: { l2: number; l1: number }, p: Params, rows: number): number {
  return (reg.l2 > 0 ? l2Penalty(reg.l2, p, rows) : 0) + (reg.l1 > 0 ? (reg.l1 / rows) * sumAbsWeights(p) : 0);
}

/**
 * Total number of weights and biases.
 *
 * @example
 * parameterCount(resolveNetSpec({ inputSize: 2, layers: [{ units: 3, activation: 'relu' }], loss: 'mse' })); // 9
 */
export function parameterCount(net: NetSpec): number {
  let n = 0;
  net.layers.forEach((layer, l) => (n += fanIn(net, l) * layer.units + layer.units + (layer.norm ? 2 * layer.units : 0)));
  return n;
}
