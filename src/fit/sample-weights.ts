/**
 * Class and sample weights: `fit`'s `classWeight` and `sampleWeight` become one weight per
 * training row, which multiplies that row's loss and its gradient on both backends (the WebGPU
 * path gathers it per batch like the targets). The reported training loss is the weighted mean
 * (1/m)·Σ w_r·loss_r, as TensorFlow.js and Keras report it; validation and `evaluate` are
 * unweighted.
 */
import { FLOAT32_OVERFLOW, type NetSpec } from '../core/config';
import type { Dense } from '../core/data';
import { describeNonNumber, describeValue, readForeign, isArray, readList, readRecord, typedArrayName } from '../core/inspect';

/** How many classes `classWeight` may name for `net`, or why it does not apply. */
function classCount(net: NetSpec): number | string {
  const out = net.layers[net.layers.length - 1];
  if (out.activation === 'softmax') return out.units;
  if (out.activation === 'sigmoid' && out.units === 1 && net.loss === 'binaryCrossEntropy') return 2;
  return `this model's output is ${out.units} '${out.activation}' unit${out.units === 1 ? '' : 's'} with '${net.loss}'`;
}

/** One weight (finite, ≥ 0, float32-representable when `float32`) named `where`. */
function weight(where: string, v: unknown, float32: boolean): number {
  if (typeof v !== 'number') throw new TypeError(`${where} must be a finite number >= 0, got ${describeNonNumber(v)}`);
  if (!(v >= 0 && v - v === 0)) throw new RangeError(`${where} must be a finite number >= 0, got ${describeValue(v)}`);
  if (float32 && v >= FLOAT32_OVERFLOW) throw new RangeError(`${where} ${v} is beyond float32's range, which the WebGPU backend computes in`);
  return v;
}

/**
 * `classWeight` as one weight per class (1 where not given), refused where the model has no classes.
 *
 * @example
 * resolveClassWeights({ 1: 5 }, net, false); // Float64Array [1, 5] for a one-unit sigmoid model
 */
export function resolveClassWeights(v: unknown, net: NetSpec, float32: boolean): Float64Array {
  const k = classCount(net);
  if (typeof k === 'string') {
    throw new TypeError(`classWeight applies to softmax models and one-unit sigmoid models with 'binaryCrossEntropy'; ${k} (use sampleWeight)`);
  }
  const out = new Float64Array(k).fill(1);
  if (isArray(v)) {
    const list = readList(v, 'classWeight', k, `an array of at most ${k} class weights`);
    list.forEach((w, c) => (out[c] = weight(`classWeight[${c}]`, w, float32)));
    return out;
  }
  const names = Array.from({ length: k }, (_, c) => String(c));
  const expected = `{ [class index 0..${k - 1}]: weight } or an array by class`;
  if (v !== null && typeof v === 'object') {
    const keys = readForeign('classWeight', () => Reflect.ownKeys(v));
    const other = keys.find((key) => typeof key === 'string' && !names.includes(key));
    if (other !== undefined) throw new RangeError(`classWeight names class ${describeValue(other)}, but this model's classes are 0..${k - 1}`);
  }
  const o = readRecord(v, 'classWeight', names, expected);
  for (const [c, w] of Object.entries(o)) out[Number(c)] = weight(`classWeight[${c}]`, w, float32);
  return out;
}

/** `sampleWeight` (named `name`; `x` names the rows) as a float64 array of `rows` weights. */
function readSampleWeights(v: unknown, rows: number, float32: boolean, name = 'sampleWeight', x = 'x'): Float64Array {
  let list: ArrayLike<unknown>;
  if (typedArrayName(v)) list = v as ArrayLike<number>;
  else if (isArray(v)) list = readList(v, name, rows + 1, `an array of ${rows} weights (one per row of ${x})`);
  else throw new TypeError(`${name} must be an array or typed array of ${rows} weights (one per row of ${x}), got ${describeValue(v)}`);
  if (list.length !== rows) throw new RangeError(`${name} must have one weight per row of ${x} (${rows}), got ${list.length}`);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = weight(`${name}[${i}]`, list[i], float32);
  return out;
}

/** The class of each target row: argmax of a softmax row, or 0/1 for a sigmoid output (> 0.5). */
function rowClass(y: Dense, r: number): number {
  if (y.cols === 1) return y.data[r] > 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < y.cols; j++) if (y.data[r * y.cols + j] > y.data[r * y.cols + best]) best = j;
  return best;
}

/**
 * The training rows' weights from `perClass` (`classWeight`, resolved) and `sampleWeight` (their
 * product where both are given), or null when neither is. Of the `rows` rows of `x`, `trainRows`
 * lists the training rows in training order (null: all, in order); `train` holds their targets.
 *
 * @example
 * resolveSampleWeights(Float64Array.of(1, 5), undefined, 4, null, y, false); // weight 5 on class-1 rows
 */
export function resolveSampleWeights(
  perClass: Float64Array | null, sampleWeight: unknown, rows: number, trainRows: ArrayLike<number> | null, train: Dense, float32: boolean,
): Float64Array | null {
  if (perClass === null && sampleWeight === undefined) return null;
  const perRow = sampleWeight === undefined ? null : readSampleWeights(sampleWeight, rows, float32);
  const out = new Float64Array(train.rows);
  for (let r = 0; r < train.rows; r++) {
    const source = trainRows ? trainRows[r] : r;
    const w = (perRow ? perRow[source] : 1) * (perClass ? perClass[rowClass(train, r)] : 1);
    if (float32 && w >= FLOAT32_OVERFLOW) throw new RangeError(`the weight of training row ${source} (classWeight × sampleWeight) is ${w}, beyond float32's range`);
    out[r] = w;
  }
  return out;
}

/**
 * The weights of a streamed chunk's rows (`where` names the chunk): its `sampleWeight` field (one
 * per row, or undefined) times `perClass` (from `classWeight`) of each row's class; null when neither.
 *
 * @example
 * chunkWeights([0.5, 2], null, y, 'chunk 3', false); // each row's sampleWeight
 */
export function chunkWeights(sampleWeight: unknown, perClass: Float64Array | null, y: Dense, where: string, float32: boolean): Float64Array | null {
  if (sampleWeight === undefined && perClass === null) return null;
  const out = sampleWeight === undefined ? new Float64Array(y.rows).fill(1) : readSampleWeights(sampleWeight, y.rows, float32, `${where} sampleWeight`, `${where} x`);
  if (perClass) {
    for (let r = 0; r < y.rows; r++) {
      out[r] *= perClass[rowClass(y, r)];
      if (float32 && out[r] >= FLOAT32_OVERFLOW) throw new RangeError(`the weight of row ${r} of ${where} (classWeight × sampleWeight) is ${out[r]}, beyond float32's range`);
    }
  }
  return out;
}
