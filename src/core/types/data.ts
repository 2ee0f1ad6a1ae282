// Public types of the data `fit`, `predict` and `evaluate` take.

/**
 * A dense row-major matrix: `data.length === shape[0] * shape[1]`.
 *
 * @example
 * const x: Matrix = { data: new Float32Array([0, 1, 1, 0]), shape: [2, 2] };
 */
export interface Matrix {
  /**
   * Row-major values: a `Float32Array` or `Float64Array` (used without a copy), another numeric
   * typed array, or a `number[]`. Every value must be a finite number (float32-representable on
   * WebGPU); nothing is coerced.
   */
  data: ArrayLike<number>;
  shape: [number, number];
  /**
   * With `Uint8Array` / `Uint8ClampedArray` data only: each value is `byte * scale + offset`
   * (e.g. `scale: 1/255` for pixels). Byte data stays bytes on the device (four to a word),
   * scaled as each batch is gathered: a quarter of float32's memory. Defaults 1 and 0.
   */
  scale?: number;
  offset?: number;
  /**
   * `'float16'` keeps float data as IEEE half precision on the device (two to a word, unpacked
   * in the gather kernel with WGSL's core `unpack2x16float`, so no `shader-f16` feature is
   * needed): half of float32's memory. The values are rounded to float16 for both backends
   * (|value| ≤ 65504). Default `'float32'`.
   */
  storage?: 'float32' | 'float16';
}

/**
 * Inputs: an array of rows, or a {@link Matrix}.
 *
 * @example
 * const x: Inputs = [[0, 0], [0, 1]];
 */
export type Inputs = number[][] | Matrix;

/**
 * Targets: an array of rows, a {@link Matrix}, or a flat array that is either one scalar target
 * per sample (single-output models) or one class index per sample (softmax models).
 *
 * @example
 * const labels: Targets = [3, 0, 7]; // class indices for a softmax output
 */
export type Targets = number[][] | number[] | Matrix;
