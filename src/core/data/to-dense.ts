// Converts the caller's matrices (arrays of rows, or `{data, shape}` records of any numeric
// array, bytes or float16 storage) into validated {@link Dense} matrices.
import { FLOAT32_OVERFLOW } from '../config';
import { FLOAT16_MAX, float16Bits, float16Value } from '../float16';
import { describeValue, readForeign, isArray, listLength, readElement, readList, readRecord, typedArrayLength, typedArrayName } from '../inspect';
import type { Inputs, Targets } from '../types';
import { type Dense, allocate, byteDense, entryAt } from './dense';
import { numberError, readNumbers, safeLength } from './numbers';

/**
 * How {@link toDense} checks values beyond finiteness.
 *
 * @example
 * toDense(y, 'y', 3, { role: 'targets', float32: true });
 */
export interface DenseOptions {
  /** What the columns are, for messages: the model's inputs or its targets. */
  role?: 'inputs' | 'targets';
  /** Refuse values that float32 cannot hold (the WebGPU backend computes in float32). */
  float32?: boolean;
}

/** Most rows (or flat entries) read from an array. */
const MAX_ROWS = 2 ** 31 - 1;
const MATRIX = 'an array of rows (number[][]) or {data, shape}';
const NUMERIC_TYPED = ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array'];

/** Scans a typed array for values that are not finite (or not float32-representable). */
function scanTyped(name: string, data: Float32Array | Float64Array, cols: number, float32: boolean): void {
  const check64 = float32 && data instanceof Float64Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0 || (check64 && (v >= FLOAT32_OVERFLOW || v <= -FLOAT32_OVERFLOW))) throw numberError(name, v, entryAt(i, cols), float32);
  }
}

/** `d` stored as float16: its values rounded to half precision (what both backends then train on). */
function toHalf(d: Dense, name: string): Dense {
  const src = d.data;
  const half = new Uint16Array(src.length);
  const values = allocate(name, src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (Math.abs(v) > FLOAT16_MAX) throw new RangeError(`${name} holds ${v}${entryAt(i, d.cols)}, beyond float16's range (±${FLOAT16_MAX}); scale the data or store it as float32`);
    half[i] = float16Bits(v);
    values[i] = float16Value(half[i]);
  }
  return { data: values, rows: d.rows, cols: d.cols, half };
}

/** `{data, shape}` → Dense (typed float arrays kept without a copy). */
function fromMatrix(value: object, name: string, float32: boolean): Dense {
  const m = readRecord(value, name, ['data', 'shape', 'scale', 'offset', 'storage'], MATRIX);
  const storage = m.storage ?? 'float32';
  if (storage !== 'float32' && storage !== 'float16') throw new TypeError(`${name}.storage must be 'float32' or 'float16', got ${describeValue(storage)}`);
  const dense = fromMatrixData(m, name, float32);
  if (storage === 'float32') return dense;
  if (dense.bytes) throw new TypeError(`${name}.storage 'float16' applies to float data; byte data is stored as bytes already`);
  return toHalf(dense, name);
}

/** The `{data, shape}` record's data as a Dense. */
function fromMatrixData(m: Record<string, unknown>, name: string, float32: boolean): Dense {
  const shape = readList(m.shape, `${name}.shape`, 3, '[rows, cols]');
  if (shape.length !== 2 || !shape.every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0)) {
    throw new RangeError(`${name}.shape must be [rows, cols] of non-negative integers, got ${shape.length === 2 ? `[${shape.map(describeValue).join(', ')}]` : `${shape.length} entries`}`);
  }
  const [rows, cols] = shape as [number, number];
  const data = m.data;
  const kind = typedArrayName(data);
  const length = kind ? typedArrayLength(data as ArrayBufferView) : isArray(data) ? safeLength(data, `${name}.data`) : -1;
  if (kind && !NUMERIC_TYPED.includes(kind)) throw new TypeError(`${name}.data must hold numbers, got a ${kind} (convert BigInts to numbers first)`);
  if (length < 0) throw new TypeError(`${name}.data must be a Float32Array, Float64Array or number[], got ${describeValue(data)}`);
  if (length !== rows * cols) throw new RangeError(`${name}.data must have shape[0]*shape[1] = ${rows * cols} entries, got ${length}`);
  if (kind === 'Uint8Array' || kind === 'Uint8ClampedArray') return fromBytes(m, data as Uint8Array | Uint8ClampedArray, rows, cols, name, float32);
  if (m.scale !== undefined || m.offset !== undefined) {
    throw new TypeError(`${name}.${m.scale !== undefined ? 'scale' : 'offset'} applies to Uint8Array or Uint8ClampedArray data (kept as bytes, scaled on use), got ${kind ?? 'number[]'} data; scale float data yourself`);
  }
  if (kind === 'Float32Array' || kind === 'Float64Array') {
    scanTyped(name, data as Float32Array | Float64Array, cols, float32);
    return { data: data as Float32Array | Float64Array, rows, cols };
  }
  const out = allocate(name, length);
  if (kind) {
    const t = data as Int32Array;
    for (let i = 0; i < length; i++) out[i] = t[i];
    if (float32) scanTyped(name, out, cols, true);
    return { data: out, rows, cols };
  }
  const bad = readForeign(`${name}.data`, () => readNumbers(data as unknown[], length, out, 0, float32));
  if (bad) throw numberError(`${name}.data`, bad.value, entryAt(bad.index, cols), float32);
  return { data: out, rows, cols };
}

/** A byte matrix: kept as bytes (no copy), with its `scale` and `offset` checked. */
function fromBytes(m: Record<string, unknown>, data: Uint8Array | Uint8ClampedArray, rows: number, cols: number, name: string, float32: boolean): Dense {
  const number = (key: 'scale' | 'offset', fallback: number): number => {
    const v = m[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name}.${key} must be a finite number, got ${describeValue(v)}`);
    return v;
  };
  const scale = number('scale', 1);
  const offset = number('offset', 0);
  // every value lies between offset and 255·scale + offset
  const extreme = Math.max(Math.abs(offset), Math.abs(255 * scale + offset));
  if (!Number.isFinite(extreme) || (float32 && extreme >= FLOAT32_OVERFLOW)) {
    throw new RangeError(`${name} bytes scaled by ${scale} with offset ${offset} reach ${extreme}, beyond ${float32 ? "float32's range, which the WebGPU backend computes in" : 'finite numbers'}`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length); // a view: no copy
  return byteDense({ data: bytes, scale, offset }, rows, cols);
}

/** number[][] → Dense: every row an array of the same length, every entry a finite number. */
function fromRows(value: unknown[], name: string, float32: boolean): Dense {
  // rows are read one at a time (never a snapshot of all of them first), so a huge sparse array
  // is refused at its first hole, not after walking it
  const count = listLength(value, name);
  if (count < 0 || count > MAX_ROWS) throw new RangeError(`${name} must have at most ${MAX_ROWS} rows, got ${describeValue(count)}`);
  if (count === 0) throw new RangeError(`${name} must not be empty, got 0 rows`);
  const first = readElement(value, 0, name);
  if (!isArray(first)) throw new TypeError(`${name} must be ${MATRIX}, got ${describeValue(first)} as row 0`);
  const cols = safeLength(first, `${name}[0]`);
  const data = allocate(name, count * cols);
  for (let r = 0; r < count; r++) {
    const row = r === 0 ? first : readElement(value, r, name);
    if (!isArray(row)) throw new TypeError(`${name}[${r}] must be an array (a row of numbers), got ${describeValue(row)}`);
    const n = safeLength(row, `${name}[${r}]`);
    if (n !== cols) throw new RangeError(`${name} has ragged rows: row 0 has ${cols} entries but row ${r} has ${n}`);
    const bad = readForeign(`${name}[${r}]`, () => readNumbers(row, cols, data, r * cols, float32));
    if (bad) throw numberError(name, bad.value, ` at row ${r}, column ${bad.index}`, float32);
  }
  return { data, rows: count, cols };
}

/**
 * Converts and validates a 2-D input (array of rows or `{data, shape}`): not empty, not ragged,
 * `expectedCols` wide, finite (float32-range with `float32`) numbers only; the first bad entry is
 * named by row and column. Runs no caller code for plain data (see src/core/inspect.ts).
 *
 * @example
 * toDense([[0, 1], [1, 0]], 'x', 2); // { rows: 2, cols: 2, data: Float64Array [0, 1, 1, 0] }
 */
export function toDense(value: Inputs | Targets | unknown, name: string, expectedCols?: number, options: DenseOptions = {}): Dense {
  const float32 = options.float32 ?? false;
  let dense: Dense;
  if (isArray(value)) dense = fromRows(value, name, float32);
  else if (value !== null && typeof value === 'object' && !typedArrayName(value)) dense = fromMatrix(value, name, float32);
  else throw new TypeError(`${name} must be ${MATRIX}, got ${describeValue(value)}`);
  if (dense.rows === 0 || dense.cols === 0) throw new RangeError(`${name} must not be empty, got shape [${dense.rows}, ${dense.cols}]`);
  if (expectedCols !== undefined && dense.cols !== expectedCols) {
    const role = options.role ?? 'inputs';
    throw new RangeError(`${name} must have ${expectedCols} columns (the model's ${role === 'inputs' ? 'inputSize' : 'output units'}), got ${dense.cols}`);
  }
  return dense;
}
