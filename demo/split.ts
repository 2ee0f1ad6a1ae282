/**
 * The demo's train/validation split: the rows are shuffled once, in place, when a dataset is
 * loaded (seeded, so the split is the same every time), and the last `floor(rows × fraction)`
 * rows are held out for validation. Both parts are views of the same arrays, never copies.
 *
 * @example
 * shuffleRows(x, y, 1);
 * const { train, validation } = splitCounts(600, 0.2); // 480, 120
 */
import { type Matrix, Rng } from '../src';

/** Rows to train on and rows held out for `fraction` (0 ≤ fraction < 1) of `rows`. */
export function splitCounts(rows: number, fraction: number): { train: number; validation: number } {
  const validation = Math.floor(rows * fraction);
  return { train: rows - validation, validation };
}

/** Rows [start, start + count) of a row-major matrix, as a view. */
export function rowsOf(m: Matrix, start: number, count: number): Matrix {
  const cols = m.shape[1];
  return { data: (m.data as Float32Array | Float64Array).subarray(start * cols, (start + count) * cols), shape: [count, cols] };
}

/** Shuffles the rows of `x` and the entries of `y` together, in place, with a seeded permutation. */
export function shuffleRows(x: Matrix, y: unknown[], seed: number): void {
  const rows = x.shape[0];
  const cols = x.shape[1];
  const data = x.data as Float32Array | Float64Array;
  const order = new Rng(seed, 'demo split').permutation(rows);
  const copy = data.slice();
  const ys = y.slice();
  for (let r = 0; r < rows; r++) {
    const from = order[r];
    data.set(copy.subarray(from * cols, (from + 1) * cols), r * cols);
    y[r] = ys[from];
  }
}
