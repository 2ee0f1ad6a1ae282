import { FLOAT32_MAX, FLOAT32_OVERFLOW, type NetSpec, outputSize } from './config';
import { HOLE, describeNonNumber, describeValue, foreignError, isArray, listLength, readElement, readList, readRecord, typedArrayLength, typedArrayName } from './inspect';
import type { Inputs, Targets } from './types';

/**
 * A validated dense matrix (float32 and float64 data are kept as they are, without a copy). Byte
 * data keeps its bytes in `bytes` (what the WebGPU path uploads); `data` is then their values
 * `byte·scale + offset` as float64, computed when first read.
 */
export interface Dense {
  readonly data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  bytes?: ByteData;
  /** Float16 storage (`storage: 'float16'`): the values' IEEE half bits; `data` holds the same values. */
  half?: Uint16Array;
}

/** Largest finite float16. */
const FLOAT16_MAX = 65504;

/** One float32 and its bits, reused by {@link float16Bits} (called once per value converted). */
const HALF_SCRATCH_F32 = new Float32Array(1);
const HALF_SCRATCH_U32 = new Uint32Array(HALF_SCRATCH_F32.buffer);

/**
 * The IEEE float16 bits of `v` (round to nearest, ties to even; ±Infinity beyond the range).
 *
 * @example
 * float16Bits(1); // 0x3c00
 */
export function float16Bits(v: number): number {
  HALF_SCRATCH_F32[0] = v;
  const x = HALF_SCRATCH_U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half (or zero): shift the mantissa with its implicit bit, rounding to nearest even
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // round to nearest even (a carry into the exponent is the right result, up to Infinity)
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}

/**
 * The value of float16 bits `h`.
 *
 * @example
 * float16Value(0x3c00); // 1
 */
export function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** `d` stored as float16: its values rounded to half precision (what both backends then train on). */
function toHalf(d: Dense, name: string): Dense {
  const src = d.data;
  const half = new Uint16Array(src.length);
  const values = allocate(name, src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (Math.abs(v) > FLOAT16_MAX) throw new RangeError(`${name} holds ${v}${at(i, d.cols)}, beyond float16's range (±${FLOAT16_MAX}); scale the data or store it as float32`);
    half[i] = float16Bits(v);
    values[i] = float16Value(half[i]);
  }
  return { data: values, rows: d.rows, cols: d.cols, half };
}

/** Byte matrix data: each value is `data[i] * scale + offset`. */
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

/** How {@link toDense} checks values beyond finiteness. */
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

/** Why `v` (read at `where`) is not a usable number, or null when it is. */
function badNumber(v: unknown, float32: boolean): string | null {
  if (typeof v === 'number' && v - v === 0 && !(float32 && (v >= FLOAT32_OVERFLOW || v <= -FLOAT32_OVERFLOW))) return null;
  return typeof v === 'number' ? 'range' : 'type';
}

/**
 * The error for the bad value `v` found in `name` at `where` (", at row r, column c").
 *
 * @example
 * numberError('x', '3', ' at row 0, column 1', false).message; // 'x must hold finite numbers, got "3" (a string) at row 0, column 1'
 */
export function numberError(name: string, v: unknown, where: string, float32: boolean): Error {
  if (typeof v === 'number' && v - v === 0 && float32) {
    return new RangeError(`${name} holds ${v}${where}, beyond float32's range (±${FLOAT32_MAX}), which the WebGPU backend computes in; scale the data or use backend 'cpu'`);
  }
  const E = typeof v === 'number' ? RangeError : TypeError;
  return new E(`${name} must hold finite numbers, got ${describeNonNumber(v)}${where}`);
}

const at = (i: number, cols: number) => (cols > 0 ? ` at row ${Math.floor(i / cols)}, column ${i % cols}` : ` at index ${i}`);

/** Allocates `n` float64 values, refusing sizes the engine cannot allocate with a RangeError. */
function allocate(name: string, n: number): Float64Array {
  try {
    return new Float64Array(n);
  } catch {
    throw new RangeError(`${name} has ${n} values, more than this JavaScript engine can copy into one float64 array`);
  }
}

/**
 * Reads numbers `0..n-1` of a plain array by index into `out` (one read each), stopping at the
 * first bad one. Returns its index, or -1.
 */
function readNumbers(src: unknown[], n: number, out: Float64Array, offset: number, float32: boolean): { index: number; value: unknown } | null {
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (badNumber(v, float32) !== null) return { index: i, value: v === undefined && !Object.prototype.hasOwnProperty.call(src, i) ? HOLE : v };
    out[offset + i] = v as number;
  }
  return null;
}

/** Scans a typed array for values that are not finite (or not float32-representable). */
function scanTyped(name: string, data: Float32Array | Float64Array, cols: number, float32: boolean): void {
  const check64 = float32 && data instanceof Float64Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0 || (check64 && (v >= FLOAT32_OVERFLOW || v <= -FLOAT32_OVERFLOW))) throw numberError(name, v, at(i, cols), float32);
  }
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
  let bad: ReturnType<typeof readNumbers> = null;
  try {
    bad = readNumbers(data as unknown[], length, out, 0, float32);
  } catch (e) {
    throw foreignError(`${name}.data`, e);
  }
  if (bad) throw numberError(`${name}.data`, bad.value, at(bad.index, cols), float32);
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

/** The `length` of a real array (a Proxy's trap runs; a throw becomes a TypeError). */
function safeLength(a: unknown[], where: string): number {
  try {
    const n = a.length;
    return typeof n === 'number' ? n : -1;
  } catch (e) {
    throw foreignError(where, e);
  }
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
    let bad: ReturnType<typeof readNumbers> = null;
    try {
      bad = readNumbers(row, cols, data, r * cols, float32);
    } catch (e) {
      throw foreignError(`${name}[${r}]`, e);
    }
    if (bad) throw numberError(name, bad.value, ` at row ${r}, column ${bad.index}`, float32);
  }
  return { data, rows: count, cols };
}

/**
 * Converts and validates a 2-D input (array of rows or `{data, shape}`): no empty data, no ragged
 * rows, the expected column count, and only finite numbers (float32-representable ones with
 * `float32`). Names the first bad entry by row and column and says what kind of value it is.
 * Runs no caller code for plain data (see src/inspect.ts for what is read how).
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

/** Validates model inputs against `inputSize`. */
export function toInputs(x: Inputs | unknown, net: NetSpec, name = 'x', float32 = false): Dense {
  return toDense(x, name, net.inputSize, { role: 'inputs', float32 });
}

/** A flat array of one target per sample, read by index. */
function flatTargets(y: unknown[], name: string, float32: boolean): Float64Array {
  const n = safeLength(y, name);
  const out = allocate(name, n);
  let bad: ReturnType<typeof readNumbers> = null;
  try {
    bad = readNumbers(y, n, out, 0, float32);
  } catch (e) {
    throw foreignError(name, e);
  }
  if (bad) throw numberError(name, bad.value, ` at row ${bad.index}`, float32);
  return out;
}

/** Element 0 of an array, read through its descriptor (a getter is not called). */
function firstElement(a: unknown[], name: string): { value: unknown; empty: boolean } {
  const empty = listLength(a, name) === 0;
  return { value: empty ? undefined : readElement(a, 0, name), empty };
}

/**
 * Validates targets for the model's output layer and loss. A flat array is one class index per
 * sample for softmax models (converted to one-hot) or one scalar per sample for one-output
 * models. Cross-entropy targets must lie in [0, 1]; categorical ones must be one-hot rows.
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

/** Rows `idx` of a dense matrix, copied into a new float64 block. */
export function gatherRows(d: Dense, idx: ArrayLike<number>, start = 0, count = idx.length - start): Float64Array {
  const out = new Float64Array(count * d.cols);
  for (let r = 0; r < count; r++) {
    const src = idx[start + r] * d.cols;
    for (let c = 0; c < d.cols; c++) out[r * d.cols + c] = d.data[src + c];
  }
  return out;
}

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
