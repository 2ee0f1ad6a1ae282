/**
 * The dropout masks, drawn from a counter-based generator: whether unit `i` (= row·units + unit,
 * within the batch) of hidden layer `layer` is kept at a training step is a pure function of the
 * step's key, the layer and `i` — a PCG hash (Jarzynski & Olano, "Hash Functions for GPU
 * Rendering", 2020) in 32-bit unsigned arithmetic. shaders/dropout.wgsl computes the same
 * function, so the CPU path and the WebGPU path drop exactly the same units (bit-identical masks),
 * and parity holds for networks with dropout. The step keys come from the model's seed, the
 * model's epoch count and the batch: a run is reproducible from its seed, and every epoch draws
 * new masks.
 */
import { describeNonNumber, describeValue } from './inspect';

/**
 * PCG hash of a 32-bit unsigned integer (as dropout.wgsl's `pcg`).
 *
 * @example
 * pcgHash(0); // 129708002
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * The 32-bit threshold for drop probability `p`: a unit is kept when its hash is ≥ it.
 *
 * @example
 * dropoutThreshold(0.5); // 2147483648
 */
export function dropoutThreshold(p: number): number {
  return Math.min(0xffffffff, Math.round(p * 2 ** 32));
}

/**
 * The key of one epoch's dropout stream: from the model's seed and its epoch count (which runs
 * on across `fit` calls).
 *
 * @example
 * const key = epochDropKey(1, 0);
 */
export function epochDropKey(seed: number, epochIndex: number): number {
  return pcgHash((pcgHash(seed >>> 0) ^ pcgHash((epochIndex + 0x9e3779b9) >>> 0)) >>> 0);
}

/**
 * The key of batch `b` of the epoch whose key is `epochKey` (what struct Batch's `dropKey` holds).
 *
 * @example
 * const key = batchDropKey(epochDropKey(seed, epoch), 0);
 */
export function batchDropKey(epochKey: number, b: number): number {
  return pcgHash((epochKey ^ pcgHash(b >>> 0)) >>> 0);
}

/**
 * True when element `i` of layer `layer` is kept at the step keyed `key` (as dropout.wgsl's
 * `keepScale`: hash(hash(key ^ layer) ^ i) ≥ threshold).
 *
 * @example
 * keepUnit(key, 0, 5, dropoutThreshold(0.5)); // unit 5 of row 0 (or the 5th value of the batch) kept?
 */
export function keepUnit(key: number, layer: number, i: number, threshold: number): boolean {
  return pcgHash((pcgHash((key ^ layer) >>> 0) ^ i) >>> 0) >= threshold;
}

/**
 * The inverted-dropout factors of a `[rows, units]` block: 1/(1 − p) where the unit is kept, 0
 * where it is dropped.
 *
 * @example
 * dropoutFactors(batchDropKey(epochDropKey(1, 0), 0), 0, 0.5, 4, 8); // 32 values, each 0 or 2
 */
export function dropoutFactors(key: number, layer: number, p: number, rows: number, units: number): Float64Array {
  const threshold = dropoutThreshold(p);
  const scale = 1 / (1 - p);
  const out = new Float64Array(rows * units);
  const base = pcgHash((key ^ layer) >>> 0);
  for (let i = 0; i < out.length; i++) out[i] = pcgHash((base ^ i) >>> 0) >= threshold ? scale : 0;
  return out;
}

/**
 * Validates layer `i`'s `dropout` (of `count` layers): a drop probability in [0, 1), on hidden
 * layers only. Returns 0 when not given.
 *
 * @example
 * resolveDropout(0.5, 0, 2); // 0.5
 * resolveDropout(1, 0, 2);   // RangeError: layers[0].dropout must be in [0, 1)
 */
export function resolveDropout(v: unknown, i: number, count: number): number {
  if (v === undefined) return 0;
  const name = `layers[${i}].dropout`;
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number in [0, 1) (the probability of dropping each unit while training), got ${describeNonNumber(v)}`);
  if (!(v >= 0 && v < 1)) throw new RangeError(`${name} must be in [0, 1) (the probability of dropping each unit while training; 0 = none), got ${describeValue(v)}`);
  if (v > 0 && i === count - 1) throw new RangeError(`${name} ${v} is on the output layer; dropout applies to hidden layers only (layers 0..${count - 2})`);
  return v;
}
