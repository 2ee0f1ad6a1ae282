// Row selection: the batches and shuffled blocks the trainers take out of a matrix.
import { type Dense, byteDense } from './dense';

/**
 * Rows `idx[start..start+count)` of a dense matrix as a new one: bytes stay bytes, other data
 * becomes float64.
 *
 * @example
 * takeRows(d, Uint32Array.of(2, 0), 0, 2).rows; // 2
 */
export function takeRows(d: Dense, idx: ArrayLike<number>, start: number, count: number): Dense {
  if (d.half) {
    const half = new Uint16Array(count * d.cols);
    for (let r = 0; r < count; r++) half.set(d.half.subarray(idx[start + r] * d.cols, (idx[start + r] + 1) * d.cols), r * d.cols);
    return { data: gatherRows(d, idx, start, count), rows: count, cols: d.cols, half };
  }
  if (!d.bytes) return { data: gatherRows(d, idx, start, count), rows: count, cols: d.cols };
  const src = d.bytes.data;
  const out = new Uint8Array(count * d.cols);
  for (let r = 0; r < count; r++) out.set(src.subarray(idx[start + r] * d.cols, (idx[start + r] + 1) * d.cols), r * d.cols);
  return byteDense({ ...d.bytes, data: out }, count, d.cols);
}

/**
 * Rows `idx[start..start+count)` of a dense matrix, copied into a new float64 block.
 *
 * @example
 * gatherRows({ data: Float64Array.of(1, 2, 3, 4), rows: 2, cols: 2 }, [1]); // Float64Array [3, 4]
 */
export function gatherRows(d: Dense, idx: ArrayLike<number>, start = 0, count = idx.length - start): Float64Array {
  const out = new Float64Array(count * d.cols);
  for (let r = 0; r < count; r++) {
    const src = idx[start + r] * d.cols;
    for (let c = 0; c < d.cols; c++) out[r * d.cols + c] = d.data[src + c];
  }
  return out;
}
