// The primitives of reading a caller's values without running their code: built-in getters
// that no caller code can replace, and the marks a snapshot uses.

/**
 * `v`, or `fallback` when `v` is undefined (not when it is null: null is a value, and is validated).
 *
 * @example
 * or(o.epochs, 1); // 1 when epochs is not given
 */
export const or = (v: unknown, fallback: unknown): unknown => (v === undefined ? fallback : v);

/**
 * Marks an array hole in a snapshot (an index the array does not have).
 *
 * @example
 * describeValue(HOLE); // 'an empty slot (an array hole)'
 */
export const HOLE: unique symbol = Symbol('array hole');

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const tagOf = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;
const lengthOf = Object.getOwnPropertyDescriptor(typedArrayProto, 'length')!.get! as (this: unknown) => number;

/**
 * The TypedArray's name (`'Float32Array'`, …) when `v` is a real typed array, else undefined. Runs no caller code.
 *
 * @example
 * typedArrayName(new Float32Array(2)); // 'Float32Array'
 */
export function typedArrayName(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? tagOf.call(v) : undefined;
}

/**
 * Length of a real typed array, through the built-in getter (which no caller code can replace).
 *
 * @example
 * typedArrayLength(new Float32Array(3)); // 3
 */
export function typedArrayLength(v: ArrayBufferView): number {
  return lengthOf.call(v);
}

/**
 * `Array.isArray`, false instead of throwing for a revoked Proxy.
 *
 * @example
 * isArray([1]); // true
 */
export function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}
