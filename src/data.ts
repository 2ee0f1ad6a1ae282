import { type NetSpec, describeValue, outputSize } from './config';
import type { Inputs, Matrix, Targets } from './types';

/** A validated dense matrix (float32 data is kept as is, without a copy). */
export interface Dense {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

const isMatrix = (v: unknown): v is Matrix =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && 'data' in v && 'shape' in v;

function checkFinite(name: string, data: ArrayLike<number>, cols: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${name} must hold finite numbers, got ${describeValue(v)} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
}

/**
 * Converts and validates a 2-D input (array of rows or `{data, shape}`): no empty data, no ragged
 * rows, the expected column count, and only finite numbers. Names the first bad entry.
 *
 * @example
 * toDense([[0, 1], [1, 0]], 'x', 2); // { rows: 2, cols: 2, data: Float64Array [0, 1, 1, 0] }
 */
export function toDense(value: Inputs | Targets, name: string, expectedCols?: number): Dense {
  let dense: Dense;
  if (isMatrix(value)) {
    const { data, shape } = value;
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new RangeError(`${name}.shape must be [rows, cols] of non-negative integers, got ${describeValue(shape)}`);
    }
    if (!data || typeof data.length !== 'number' || data.length !== shape[0] * shape[1]) {
      throw new RangeError(`${name}.data must have shape[0]*shape[1] = ${shape[0] * shape[1]} entries, got ${data?.length}`);
    }
    const arr = data instanceof Float32Array || data instanceof Float64Array ? data : Float64Array.from(data);
    dense = { data: arr, rows: shape[0], cols: shape[1] };
  } else if (Array.isArray(value)) {
    if (value.length === 0) throw new RangeError(`${name} must not be empty, got 0 rows`);
    if (!Array.isArray(value[0])) throw new TypeError(`${name} must be an array of rows (number[][]) or {data, shape}, got ${describeValue(value[0])} as row 0`);
    const rows = value.length;
    const cols = (value[0] as number[]).length;
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = value[r];
      if (!Array.isArray(row)) throw new TypeError(`${name}[${r}] must be an array, got ${describeValue(row)}`);
      if (row.length !== cols) throw new RangeError(`${name} has ragged rows: row 0 has ${cols} entries but row ${r} has ${row.length}`);
      for (let c = 0; c < cols; c++) data[r * cols + c] = row[c] as number;
      for (let c = 0; c < cols; c++) {
        const v = row[c];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new RangeError(`${name} must hold finite numbers, got ${describeValue(v)} at row ${r}, column ${c}`);
        }
      }
    }
    return finish({ data, rows, cols }, name, expectedCols);
  } else {
    throw new TypeError(`${name} must be an array of rows (number[][]) or {data, shape}, got ${describeValue(value)}`);
  }
  checkFinite(name, dense.data, Math.max(1, dense.cols));
  return finish(dense, name, expectedCols);
}

function finish(d: Dense, name: string, expectedCols?: number): Dense {
  if (d.rows === 0 || d.cols === 0) throw new RangeError(`${name} must not be empty, got shape [${d.rows}, ${d.cols}]`);
  if (expectedCols !== undefined && d.cols !== expectedCols) {
    throw new RangeError(`${name} must have ${expectedCols} columns (the model's ${name === 'x' ? 'inputSize' : 'output units'}), got ${d.cols}`);
  }
  return d;
}

/** Validates model inputs against `inputSize`. */
export function toInputs(x: Inputs, net: NetSpec, name = 'x'): Dense {
  return toDense(x, name, net.inputSize);
}

/**
 * Validates targets for the model's output layer and loss. A flat array is one class index per
 * sample for softmax models (converted to one-hot) or one scalar per sample for one-output
 * models. Cross-entropy targets must lie in [0, 1]; categorical ones must be one-hot rows.
 */
export function toTargets(y: Targets, net: NetSpec, rows: number, name = 'y'): Dense {
  const k = outputSize(net);
  const outAct = net.layers[net.layers.length - 1].activation;
  let dense: Dense;
  if (Array.isArray(y) && (y.length === 0 || !Array.isArray(y[0]))) {
    const flat = y as number[];
    if (flat.length === 0) throw new RangeError(`${name} must not be empty, got 0 rows`);
    for (let i = 0; i < flat.length; i++) {
      if (typeof flat[i] !== 'number' || !Number.isFinite(flat[i])) {
        throw new RangeError(`${name} must hold finite numbers, got ${describeValue(flat[i])} at row ${i}`);
      }
    }
    if (k === 1) {
      dense = { data: Float64Array.from(flat), rows: flat.length, cols: 1 };
    } else if (outAct === 'softmax') {
      const data = new Float64Array(flat.length * k);
      for (let i = 0; i < flat.length; i++) {
        const c = flat[i];
        if (!Number.isInteger(c) || c < 0 || c >= k) {
          throw new RangeError(`${name}[${i}] is a class label and must be an integer in [0, ${k - 1}], got ${describeValue(c)}`);
        }
        data[i * k + c] = 1;
      }
      dense = { data, rows: flat.length, cols: k };
    } else {
      throw new RangeError(`${name} is a flat array but the model has ${k} '${outAct}' outputs: pass rows of ${k} targets (class indices need a softmax output)`);
    }
  } else {
    dense = toDense(y, name, k);
  }
  if (dense.rows !== rows) throw new RangeError(`${name} must have one row per sample of x (${rows}), got ${dense.rows}`);
  if (net.loss === 'binaryCrossEntropy' || net.loss === 'categoricalCrossEntropy') {
    const d = dense.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] < 0 || d[i] > 1) {
        throw new RangeError(`${name} for '${net.loss}' must lie in [0, 1], got ${d[i]} at row ${Math.floor(i / k)}, column ${i % k}`);
      }
    }
    if (net.loss === 'categoricalCrossEntropy') {
      for (let r = 0; r < dense.rows; r++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += d[r * k + j];
        if (Math.abs(s - 1) > 1e-6) throw new RangeError(`${name} row ${r} must be one-hot (or a distribution summing to 1) for 'categoricalCrossEntropy', sums to ${s}`);
      }
    }
  }
  return dense;
}

/** Rows `idx` of a dense matrix, copied into a new float64 block. */
export function gatherRows(d: Dense, idx: ArrayLike<number>, start = 0, count = idx.length - start): Float64Array {
  const out = new Float64Array(count * d.cols);
  for (let r = 0; r < count; r++) {
    const src = idx[start + r] * d.cols;
    for (let c = 0; c < d.cols; c++) out[r * d.cols + c] = d.data[src + c];
  }
  return out;
}
