// The normalized layers' parameters (γ, β) in their flat form, as `Params.norms` holds them.
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
    const entry = readRecord(list[l], `norms[${l}]`, ['scale', 'shift'], `{scale, shift} (${layer.units} numbers each)`);
    const out = new Float64Array(2 * layer.units);
    readVector(entry.scale, `norms[${l}].scale`, layer.units, out, 0);
    readVector(entry.shift, `norms[${l}].shift`, layer.units, out, layer.units);
    return out;
  });
}

/**
 * `Params.norms` as `Weights.norms`: `{scale, shift}` per normalized layer, null for the others.
 *
 * @example
 * normsToArrays(net, p.norms)[0]?.scale; // layer 0's γ
 */
export function normsToArrays(net: NetSpec, norms: (Float64Array | null)[]): ({ scale: number[]; shift: number[] } | null)[] {
  return norms.map((a, l) => {
    const units = net.layers[l].units;
    return a ? { scale: Array.from(a.subarray(0, units)), shift: Array.from(a.subarray(units)) } : null;
  });
}

/**
 * Puts plain-array norm parameters (`Weights.norms`, checked by {@link normsFromArrays}) into `p`;
 * `undefined` leaves `p` as it is (γ = 1, β = 0 from `paramsFromArrays`). A network without `norm`
 * takes only a list of nulls and keeps no `p.norms`.
 *
 * @example
 * withNorms(net, paramsFromArrays(net, w.weights, w.biases), w.norms);
 */
export function withNorms<P extends { norms?: (Float64Array | null)[] }>(net: NetSpec, p: P, norms: unknown): P {
  if (norms === undefined) return p;
  const read = normsFromArrays(net, norms);
  if (net.layers.some((layer) => layer.norm)) p.norms = read;
  return p;
}
