// The normalized layers' parameters (γ, β) in their flat form, as `Params.norms` holds them, and
// the batch-normalized layers' running mean and variance, as `Params.normStats` holds them.
import { type NetSpec, describeValue } from './config';
import { isArray, readList, readRecord } from './inspect';
import { readVector } from './read-vector';

/**
 * Initial γ = 1, β = 0 of every normalized layer (null for the others), or undefined when no layer
 * has `norm`.
 *
 * @example
 * initialNorms(net)?.[0]; // Float64Array [1, 1, 1, 0, 0, 0] for a 3-unit layer with norm: 'layer'
 */
export function initialNorms(net: NetSpec): (Float64Array | null)[] | undefined {
  if (!net.layers.some((layer) => layer.norm)) return undefined;
  return net.layers.map((layer) => (layer.norm ? new Float64Array(2 * layer.units).fill(1, 0, layer.units) : null));
}

/**
 * Initial running mean 0 and variance 1 of every batch-normalized layer (null for the others), or
 * undefined when no layer has `norm: 'batch'` (PyTorch's `BatchNorm1d` starts so).
 *
 * @example
 * initialNormStats(net)?.[0]; // Float64Array [0, 0, 1, 1] for a 2-unit layer with norm: 'batch'
 */
export function initialNormStats(net: NetSpec): (Float64Array | null)[] | undefined {
  if (!net.layers.some((layer) => layer.norm === 'batch')) return undefined;
  return net.layers.map((layer) => (layer.norm === 'batch' ? new Float64Array(2 * layer.units).fill(1, layer.units) : null));
}

/**
 * The non-null entries of a per-layer norms list (none when it is absent).
 *
 * @example
 * presentNorms(p.norms).length; // the number of normalized layers
 */
export function presentNorms(norms: (Float64Array | null)[] | undefined): Float64Array[] {
  return (norms ?? []).filter((n): n is Float64Array => n !== null);
}

/**
 * Checks plain-array norm parameters (`Weights.norms`: per layer `{scale, shift}` for a layer with
 * `norm`, null for the others) and converts them to `Params.norms`.
 *
 * @example
 * normsFromArrays(net, [{ scale: [1, 1], shift: [0, 0] }, null]); // [Float64Array [1, 1, 0, 0], null]
 */
export function normsFromArrays(net: NetSpec, norms: unknown): (Float64Array | null)[] {
  const L = net.layers.length;
  const shape = net.layers.map((layer) => (layer.norm ? `{scale, shift} of ${layer.units}` : 'null')).join(', ');
  if (!isArray(norms)) throw new TypeError(`norms must be an array of ${L} entries (${shape}), got ${describeValue(norms)}`);
  const list = readList(norms, 'norms', L + 1);
  if (list.length !== L) throw new RangeError(`norms must be an array of ${L} entries (${shape}), got ${list.length} entries`);
  return net.layers.map((layer, l) => {
    if (!layer.norm) {
      if (list[l] !== null) throw new TypeError(`norms[${l}] must be null: layer ${l} has no norm, got ${describeValue(list[l])}`);
      return null;
    }
    const keys = layer.norm === 'batch' ? ['scale', 'shift', 'runningMean', 'runningVar'] : ['scale', 'shift'];
    const entry = readRecord(list[l], `norms[${l}]`, keys, layer.norm === 'batch' ? `{scale, shift, runningMean?, runningVar?} (${layer.units} numbers each)` : `{scale, shift} (${layer.units} numbers each)`);
    const out = new Float64Array(2 * layer.units);
    readVector(entry.scale, `norms[${l}].scale`, layer.units, out, 0);
    readVector(entry.shift, `norms[${l}].shift`, layer.units, out, layer.units);
    return out;
  });
}

/**
 * The running mean and variance of the batch-normalized layers in plain-array norms (`runningMean`
 * and `runningVar` of `Weights.norms`; a layer without them starts again at 0 and 1), checked:
 * finite, the variance ≥ 0. Undefined when no layer has `norm: 'batch'`. Call after
 * {@link normsFromArrays} has checked the list's shape.
 *
 * @example
 * normStatsFromArrays(net, [{ scale: [1], shift: [0], runningMean: [0.5], runningVar: [2] }, null]); // [Float64Array [0.5, 2], null]
 */
export function normStatsFromArrays(net: NetSpec, norms: unknown): (Float64Array | null)[] | undefined {
  const stats = initialNormStats(net);
  if (!stats || !isArray(norms)) return stats;
  const list = readList(norms, 'norms', net.layers.length + 1);
  net.layers.forEach((layer, l) => {
    const out = stats[l];
    if (!out) return;
    const entry = list[l] as { runningMean?: unknown; runningVar?: unknown };
    if (entry.runningMean !== undefined) readVector(entry.runningMean, `norms[${l}].runningMean`, layer.units, out, 0);
    if (entry.runningVar !== undefined) readVector(entry.runningVar, `norms[${l}].runningVar`, layer.units, out, layer.units);
    const negative = out.subarray(layer.units).findIndex((v) => v < 0);
    if (negative >= 0) throw new RangeError(`norms[${l}].runningVar[${negative}] must be ≥ 0 (a variance), got ${out[layer.units + negative]}`);
  });
  return stats;
}

/**
 * `Params.norms` (and `Params.normStats`) as `Weights.norms`: `{scale, shift}` per normalized layer
 * (with `runningMean` and `runningVar` for batch normalization), null for the others.
 *
 * @example
 * normsToArrays(net, p.norms, p.normStats)[0]?.scale; // layer 0's γ
 */
export function normsToArrays(net: NetSpec, norms: (Float64Array | null)[], stats?: (Float64Array | null)[]): NormArrays[] {
  return norms.map((a, l) => {
    const units = net.layers[l].units;
    if (!a) return null;
    const s = stats?.[l];
    const base = { scale: Array.from(a.subarray(0, units)), shift: Array.from(a.subarray(units)) };
    return s ? { ...base, runningMean: Array.from(s.subarray(0, units)), runningVar: Array.from(s.subarray(units)) } : base;
  });
}

/** One layer's entry of `Weights.norms`. */
type NormArrays = { scale: number[]; shift: number[]; runningMean?: number[]; runningVar?: number[] } | null;

/**
 * Puts plain-array norm parameters (`Weights.norms`, checked by {@link normsFromArrays}) into `p`;
 * `undefined` leaves `p` as it is (γ = 1, β = 0 from `paramsFromArrays`). A network without `norm`
 * takes only a list of nulls and keeps no `p.norms`.
 *
 * @example
 * withNorms(net, paramsFromArrays(net, w.weights, w.biases), w.norms);
 */
export function withNorms<P extends { norms?: (Float64Array | null)[]; normStats?: (Float64Array | null)[] }>(net: NetSpec, p: P, norms: unknown): P {
  if (norms === undefined) return p;
  const read = normsFromArrays(net, norms);
  const stats = normStatsFromArrays(net, norms);
  if (net.layers.some((layer) => layer.norm)) p.norms = read;
  if (stats) p.normStats = stats;
  return p;
}

/**
 * Refuses training a batch-normalized network in batches that would hold a single row (`rows` rows
 * in batches of `batchSize`: a batch of 1, or a last batch of 1): a unit's variance over one row is
 * 0, and PyTorch refuses it too. `where` names the call.
 *
 * @example
 * refuseOneRowBatches(net, 61, 12, 'fit'); // throws: the last batch would hold 1 row
 */
export function refuseOneRowBatches(net: NetSpec, rows: number, batchSize: number, where: string): void {
  const l = net.layers.findIndex((layer) => layer.norm === 'batch');
  if (l < 0 || (batchSize > 1 && rows % batchSize !== 1)) return;
  const which = batchSize === 1 || rows === 1 ? `batchSize ${batchSize} over ${rows} rows gives batches of 1 row` : `${rows} rows in batches of ${batchSize} leave a last batch of 1 row`;
  throw new RangeError(`${where}: layers[${l}].norm 'batch' needs at least 2 rows in every training batch (its variance over one row is 0), but ${which}; use another batchSize`);
}
