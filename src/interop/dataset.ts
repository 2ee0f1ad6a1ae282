// Training data as a safetensors file ('inputs' [rows, inputSize], 'targets' [rows, outputs],
// float32), for training the same model elsewhere (test/interop/ddp_train.py reads it).
import type { Inputs, MLP, Matrix, Targets } from '../index';
import { isObject, show } from './common';
import { encodeSafetensors } from './safetensors-format';
import { SAFETENSORS_CONFIG_KEY } from './safetensors';

const isMatrix = (v: unknown): v is Matrix => isObject(v) && 'data' in v && 'shape' in v;

/** Rows of `cols` finite numbers from `number[][]` or `{ data, shape }`, as one flat array. */
function rowsOf(name: string, value: unknown, cols: number): Float64Array {
  if (isMatrix(value)) {
    const { data, shape } = value;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== cols || !Number.isSafeInteger(shape[0]) || shape[0] < 1) {
      throw new RangeError(`${name}.shape must be [rows >= 1, ${cols}], got ${show(shape)}`);
    }
    if (!data || data.length !== shape[0] * cols) throw new RangeError(`${name}.data must hold ${shape[0] * cols} numbers, got ${show(data?.length)}`);
    const out = Float64Array.from(data);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`${name} must hold finite numbers, got ${data[bad]} at row ${Math.floor(bad / cols)}, column ${bad % cols}`);
    return out;
  }
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${name} must be a non-empty array of rows or {data, shape}, got ${show(value)}`);
  const out = new Float64Array(value.length * cols);
  value.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) throw new RangeError(`${name}[${r}] must be an array of ${cols} numbers, got ${show(row)}`);
    row.forEach((v, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${r}][${c}] must be a finite number, got ${show(v)}`);
      out[r * cols + c] = v;
    });
  });
  return out;
}

/** Targets as rows: class indices become one-hot rows for softmax models, scalars a column. */
function targetRows(y: unknown, rows: number, outputs: number, softmax: boolean): Float64Array {
  if (!Array.isArray(y) || y.length === 0 || Array.isArray(y[0])) return rowsOf('y', y, outputs);
  if (y.length !== rows) throw new RangeError(`y must have one entry per row of x (${rows}), got ${y.length}`);
  const out = new Float64Array(rows * outputs);
  y.forEach((v, r) => {
    if (softmax && outputs > 1) {
      if (!Number.isInteger(v) || v < 0 || v >= outputs) throw new RangeError(`y[${r}] must be a class index in [0, ${outputs - 1}], got ${show(v)}`);
      out[r * outputs + v] = 1;
    } else {
      if (outputs !== 1) throw new RangeError(`y must hold rows of ${outputs} targets for this ${outputs}-output model, got a flat array`);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`y[${r}] must be a finite number, got ${show(v)}`);
      out[r] = v;
    }
  });
  return out;
}

/**
 * A training set as a safetensors file for `model`: `'inputs'` `[rows, inputSize]` and
 * `'targets'` `[rows, outputs]`, float32 (class indices become one-hot rows), with the model's
 * config in `__metadata__['webgpu-mlp']`.
 *
 * @example
 * import { datasetToSafetensors, toSafetensors } from 'webgpu-mlp/interop';
 * const data = await datasetToSafetensors(model, [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]);
 * // python3 test/interop/ddp_train.py --model model.safetensors --data data.safetensors --out trained.safetensors
 */
export async function datasetToSafetensors(model: MLP, x: Inputs, y: Targets): Promise<Uint8Array> {
  if (model === null || typeof model !== 'object' || !isObject((model as MLP).config)) throw new TypeError(`model must be an MLP, got ${show(model)}`);
  const { inputSize, layers, loss, useBias, freezeBias, l2, l1, huberDelta, initializer, seed } = model.config;
  const inputs = rowsOf('x', x, inputSize);
  const rows = inputs.length / inputSize;
  const outputs = layers[layers.length - 1].units;
  const targets = targetRows(y, rows, outputs, layers[layers.length - 1].activation === 'softmax');
  if (targets.length !== rows * outputs) throw new RangeError(`y must have ${rows} rows (one per row of x), got ${targets.length / outputs}`);
  const config = { inputSize, layers, loss, useBias, freezeBias, l2, ...(l1 > 0 ? { l1 } : {}), ...(huberDelta !== undefined ? { huberDelta } : {}), initializer, seed };
  return encodeSafetensors(
    [{ name: 'inputs', shape: [rows, inputSize], values: inputs }, { name: 'targets', shape: [rows, outputs], values: targets }],
    { format: 'dataset', [SAFETENSORS_CONFIG_KEY]: JSON.stringify(config) },
  );
}
