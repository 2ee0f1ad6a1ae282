// Diagnostics over a matrix's values, for messages about data a backend cannot hold.
import type { Dense } from './dense';

/**
 * The largest |value| of a dense matrix, with where it is (for messages about overflowing data).
 *
 * @example
 * largestMagnitude({ data: Float64Array.of(1, -5), rows: 1, cols: 2 }); // { value: 5, row: 0, col: 1 }
 */
export function largestMagnitude(d: Dense): { value: number; row: number; col: number } {
  let best = 0;
  let at = 0;
  if (d.bytes) {
    // the extreme byte (0 or the largest) holds the largest |byte·scale + offset|
    const { data, scale, offset } = d.bytes;
    for (let i = 0; i < data.length; i++) {
      const v = Math.abs(data[i] * scale + offset);
      if (v > best) {
        best = v;
        at = i;
      }
    }
    return { value: best, row: Math.floor(at / d.cols), col: at % d.cols };
  }
  for (let i = 0; i < d.data.length; i++) {
    const v = Math.abs(d.data[i]);
    if (v > best) {
      best = v;
      at = i;
    }
  }
  return { value: best, row: Math.floor(at / d.cols), col: at % d.cols };
}
