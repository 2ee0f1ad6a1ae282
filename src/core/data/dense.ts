// The validated matrix every backend trains on, and the byte form it may keep its values in.

/**
 * A validated dense matrix (float32 and float64 data are kept as they are, without a copy). Byte
 * data keeps its bytes in `bytes` (what the WebGPU path uploads); `data` is then their values
 * `byte·scale + offset` as float64, computed when first read.
 *
 * @example
 * const d: Dense = { data: Float64Array.of(0, 1, 1, 0), rows: 2, cols: 2 };
 */
export interface Dense {
  readonly data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  bytes?: ByteData;
  /** Float16 storage (`storage: 'float16'`): the values' IEEE half bits; `data` holds the same values. */
  half?: Uint16Array;
}

/**
 * Byte matrix data: each value is `data[i] * scale + offset`.
 *
 * @example
 * const pixels: ByteData = { data: Uint8Array.of(0, 255), scale: 1 / 255, offset: 0 };
 */
export interface ByteData {
  data: Uint8Array;
  scale: number;
  offset: number;
}

/**
 * A {@link Dense} over bytes (`rows × cols` of them), whose float64 `data` is computed when first read.
 *
 * @example
 * byteDense({ data: Uint8Array.of(0, 255), scale: 1 / 255, offset: 0 }, 1, 2).data; // Float64Array [0, 1]
 */
export function byteDense(bytes: ByteData, rows: number, cols: number): Dense {
  let values: Float64Array | null = null;
  return {
    rows, cols, bytes,
    get data() {
      if (!values) {
        const { data, scale, offset } = bytes;
        values = allocate('byte data', data.length);
        for (let i = 0; i < data.length; i++) values[i] = data[i] * scale + offset;
      }
      return values;
    },
  };
}

/**
 * Allocates `n` float64 values, refusing sizes the engine cannot allocate with a RangeError.
 *
 * @example
 * allocate('x', 6).length; // 6
 */
export function allocate(name: string, n: number): Float64Array {
  try {
    return new Float64Array(n);
  } catch {
    throw new RangeError(`${name} has ${n} values, more than this JavaScript engine can copy into one float64 array`);
  }
}

/**
 * Where flat entry `i` of a matrix with `cols` columns sits, for messages.
 *
 * @example
 * entryAt(5, 2); // ' at row 2, column 1'
 */
export const entryAt = (i: number, cols: number): string => (cols > 0 ? ` at row ${Math.floor(i / cols)}, column ${i % cols}` : ` at index ${i}`);
