import { type NetSpec, type ResolvedConfig, checkNumber, describeValue, fanIn } from './config';
import { Rng } from './random';
import type { Weights } from './types';

/** Parameters as flat float64 arrays: `weights[l]` is `[fanIn, units]` row-major, `biases[l]` is `[units]`. */
export interface Params {
  weights: Float64Array[];
  biases: Float64Array[];
}

/** Draws initial parameters from the config's initializer and seed (biases start at 0). */
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
  return { weights, biases };
}

/**
 * Checks plain-array weights (and optional biases) against the network's shapes and finiteness,
 * and converts them to flat arrays. Throws naming the first offending entry.
 */
export function paramsFromArrays(net: NetSpec, weights: unknown, biases: unknown): Params {
  const L = net.layers.length;
  if (!Array.isArray(weights) || weights.length !== L) {
    throw new RangeError(`weights must be an array of ${L} layer matrices, got ${describeValue(Array.isArray(weights) ? `${weights.length} entries` : weights)}`);
  }
  const out: Params = { weights: [], biases: [] };
  for (let l = 0; l < L; l++) {
    const rows = fanIn(net, l);
    const cols = net.layers[l].units;
    const wl = weights[l];
    if (!Array.isArray(wl) || wl.length !== rows) {
      throw new RangeError(`weights[${l}] must have ${rows} rows (fan-in) of ${cols}, got ${Array.isArray(wl) ? wl.length + ' rows' : describeValue(wl)}`);
    }
    const w = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = wl[i];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new RangeError(`weights[${l}][${i}] must have ${cols} entries, got ${Array.isArray(row) ? row.length : describeValue(row)}`);
      }
      for (let j = 0; j < cols; j++) w[i * cols + j] = checkNumber(`weights[${l}][${i}][${j}]`, row[j]);
    }
    out.weights.push(w);
    const b = new Float64Array(cols);
    if (biases !== undefined) {
      if (!Array.isArray(biases) || biases.length !== L) {
        throw new RangeError(`biases must be an array of ${L} vectors, got ${describeValue(Array.isArray(biases) ? `${biases.length} entries` : biases)}`);
      }
      const bl = biases[l];
      if (!Array.isArray(bl) || bl.length !== cols) {
        throw new RangeError(`biases[${l}] must have ${cols} entries, got ${Array.isArray(bl) ? bl.length : describeValue(bl)}`);
      }
      for (let j = 0; j < cols; j++) b[j] = checkNumber(`biases[${l}][${j}]`, bl[j]);
      if (!net.useBias && b.some((v) => v !== 0)) throw new RangeError(`biases[${l}] must be all zero when useBias is false`);
    }
    out.biases.push(b);
  }
  return out;
}

/** Flat parameters back to plain nested arrays. */
export function paramsToArrays(net: NetSpec, p: Params): Weights {
  return {
    weights: p.weights.map((w, l) => {
      const cols = net.layers[l].units;
      const rows = fanIn(net, l);
      return Array.from({ length: rows }, (_, i) => Array.from(w.subarray(i * cols, (i + 1) * cols)));
    }),
    biases: p.biases.map((b) => Array.from(b)),
  };
}

/** A deep copy. */
export function cloneParams(p: Params): Params {
  return { weights: p.weights.map((w) => w.slice()), biases: p.biases.map((b) => b.slice()) };
}

/** Σ W² over all weight matrices (biases excluded), for the L2 term. */
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

/** Total number of weights and biases. */
export function parameterCount(net: NetSpec): number {
  let n = 0;
  net.layers.forEach((layer, l) => (n += fanIn(net, l) * layer.units + layer.units));
  return n;
}
