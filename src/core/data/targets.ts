// Model inputs and targets: the checks that depend on the network (its input size, output
// layer and loss), over the matrices {@link toDense} reads.
import { type NetSpec, outputSize } from '../config';
import { describeValue, readForeign, isArray, listLength, readElement } from '../inspect';
import type { Inputs, Targets } from '../types';
import { type Dense, allocate, byteDense } from './dense';
import { badNumber, numberError, readNumbers, safeLength } from './numbers';
import { toDense } from './to-dense';

/**
 * Validates model inputs against `inputSize` (float32-range values only with `float32`).
 *
 * @example
 * toInputs([[0, 1]], net).cols; // net.inputSize (2)
 */
export function toInputs(x: Inputs | unknown, net: NetSpec, name = 'x', float32 = false): Dense {
  return toDense(x, name, net.inputSize, { role: 'inputs', float32 });
}

/** A flat array of one target per sample, read by index. */
function flatTargets(y: unknown[], name: string, float32: boolean): Float64Array {
  const n = safeLength(y, name);
  const out = allocate(name, n);
  const bad = readForeign(name, () => readNumbers(y, n, out, 0, float32));
  if (bad) throw numberError(name, bad.value, ` at row ${bad.index}`, float32);
  return out;
}

/** Element 0 of an array, read through its descriptor (a getter is not called). */
function firstElement(a: unknown[], name: string): { value: unknown; empty: boolean } {
  const empty = listLength(a, name) === 0;
  return { value: empty ? undefined : readElement(a, 0, name), empty };
}

/**
 * Validates `rows` targets for the model's output layer and loss: rows of outputs, or a flat
 * array (class indices for softmax, made one-hot bytes; scalars for one output). Cross-entropy
 * targets lie in [0, 1]; categorical rows sum to 1.
 *
 * @example
 * toTargets([2, 0], softmaxNet3, 2).bytes?.data; // Uint8Array [0, 0, 1, 1, 0, 0]
 */
export function toTargets(y: Targets | unknown, net: NetSpec, rows: number, name = 'y', float32 = false): Dense {
  const k = outputSize(net);
  const outAct = net.layers[net.layers.length - 1].activation;
  let dense: Dense;
  const first = isArray(y) ? firstElement(y, name) : null;
  if (first && !isArray(first.value)) {
    if (first.empty) throw new RangeError(`${name} must not be empty, got 0 rows`);
    // a bad first entry is refused before anything is allocated for the rest
    if (badNumber(first.value, float32) !== null) throw numberError(name, first.value, ' at row 0', float32);
    const flat = flatTargets(y as unknown[], name, float32);
    if (k === 1) {
      dense = { data: flat, rows: flat.length, cols: 1 };
    } else if (outAct === 'softmax') {
      // one-hot rows, kept as bytes (a quarter of float32's memory on the device)
      let data: Uint8Array;
      try {
        data = new Uint8Array(flat.length * k);
      } catch {
        throw new RangeError(`${name} has ${flat.length} class labels of ${k} classes, more one-hot values than this JavaScript engine can allocate`);
      }
      for (let i = 0; i < flat.length; i++) {
        const c = flat[i];
        if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`${name}[${i}] is a class label and must be an integer in [0, ${k - 1}], got ${describeValue(c)}`);
        data[i * k + c] = 1;
      }
      dense = byteDense({ data, scale: 1, offset: 0 }, flat.length, k);
    } else {
      throw new RangeError(`${name} is a flat array but the model has ${k} '${outAct}' outputs: pass rows of ${k} targets (class indices need a softmax output)`);
    }
  } else {
    dense = toDense(y, name, k, { role: 'targets', float32 });
  }
  if (dense.rows !== rows) throw new RangeError(`${name} must have one row per sample of ${name.startsWith('validationData') ? 'validationData inputs' : 'x'} (${rows}), got ${dense.rows}`);
  if (net.loss === 'binaryCrossEntropy' || net.loss === 'categoricalCrossEntropy') checkProbabilities(dense, net.loss, name, k);
  return dense;
}

/** Cross-entropy targets: in [0, 1], and (categorical) rows summing to 1. */
function checkProbabilities(dense: Dense, loss: string, name: string, k: number): void {
  const d = dense.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] < 0 || d[i] > 1) throw new RangeError(`${name} for '${loss}' must lie in [0, 1], got ${d[i]} at row ${Math.floor(i / k)}, column ${i % k}`);
  }
  if (loss !== 'categoricalCrossEntropy') return;
  for (let r = 0; r < dense.rows; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += d[r * k + j];
    if (Math.abs(s - 1) > 1e-6) throw new RangeError(`${name} row ${r} must be one-hot (or a distribution summing to 1) for 'categoricalCrossEntropy', sums to ${s}`);
  }
}
