// Reading and checking the numbers of a caller's matrix: finite, and (for the WebGPU backend)
// within float32's range; a bad one is named by where it is and what it is.
import { FLOAT32_MAX, FLOAT32_OVERFLOW } from '../config';
import { HOLE, describeNonNumber, foreignError } from '../inspect';

/**
 * Why `v` is not a usable number (`'type'` or `'range'`), or null when it is.
 *
 * @example
 * badNumber(1e39, true); // 'range' (beyond float32)
 */
export function badNumber(v: unknown, float32: boolean): 'type' | 'range' | null {
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

/**
 * Reads numbers `0..n-1` of a plain array by index into `out` from `offset` (one read each),
 * stopping at the first bad one: returns its index and value (an array hole as {@link HOLE}), or null.
 *
 * @example
 * readNumbers([1, 'a'], 2, new Float64Array(2), 0, false); // { index: 1, value: 'a' }
 */
export function readNumbers(src: unknown[], n: number, out: Float64Array, offset: number, float32: boolean): { index: number; value: unknown } | null {
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (badNumber(v, float32) !== null) return { index: i, value: v === undefined && !Object.prototype.hasOwnProperty.call(src, i) ? HOLE : v };
    out[offset + i] = v as number;
  }
  return null;
}

/**
 * The `length` of a real array (a Proxy's trap runs; a throw becomes a TypeError).
 *
 * @example
 * safeLength([1, 2], 'y'); // 2
 */
export function safeLength(a: unknown[], where: string): number {
  try {
    const n = a.length;
    return typeof n === 'number' ? n : -1;
  } catch (e) {
    throw foreignError(where, e);
  }
}
