// Reading one plain-array vector of finite numbers into a flat float64 array.
import { checkNumber, describeValue } from './config';
import { HOLE, foreignError, isArray } from './inspect';

/**
 * Reads a `[n]` plain array of finite numbers into `out` at `offset` (one index read per number).
 *
 * @example
 * readVector([1, 2], 'biases[0]', 2, out, 0); // out[0] = 1, out[1] = 2
 */
export function readVector(value: unknown, where: string, n: number, out: Float64Array, offset: number): void {
  if (!isArray(value)) throw new TypeError(`${where} must be an array of ${n} numbers, got ${describeValue(value)}`);
  let len: unknown;
  let bad: { i: number; v: unknown } | null = null;
  try {
    len = value.length;
    for (let j = 0; len === n && j < n && !bad; j++) {
      const v = value[j];
      if (typeof v === 'number' && v - v === 0) out[offset + j] = v;
      else bad = { i: j, v: v === undefined && !Object.prototype.hasOwnProperty.call(value, j) ? HOLE : v };
    }
  } catch (e) {
    throw foreignError(where, e);
  }
  if (len !== n) throw new RangeError(`${where} must have ${n} entries, got ${describeValue(len)}`);
  if (bad) checkNumber(`${where}[${bad.i}]`, bad.v);
}
