// Snapshots of a caller's objects and lists, read through their own property descriptors.
import { describeValue, foreignError, unknownName } from './describe';
import { HOLE, isArray, typedArrayName } from './values';

/**
 * A snapshot of a plain object's own enumerable string-keyed properties (undefined ones left
 * out), refusing names not in `valid` (with the closest one; skipped with `unknown: 'ignore'`)
 * and accessor properties (without calling them).
 *
 * @example
 * readRecord({ epochs: 2 }, 'fit options', ['epochs']); // { epochs: 2 }
 */
export function readRecord(value: unknown, where: string, valid: readonly string[], expected = 'an object', unknown: 'refuse' | 'ignore' = 'refuse'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isArray(value) || typedArrayName(value)) {
    throw new TypeError(`${where} must be ${expected}, got ${describeValue(value)}`);
  }
  const out: Record<string, unknown> = Object.create(null);
  let problem: Error | null = null;
  try {
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'symbol') continue;
      const d = Reflect.getOwnPropertyDescriptor(value, key);
      if (!d || !d.enumerable) continue;
      if (!valid.includes(key)) {
        if (unknown === 'ignore') continue;
        problem = unknownName(where, key, valid);
        break;
      }
      if (!('value' in d)) {
        problem = new TypeError(`${where}.${key} is an accessor (get/set) property; pass a plain value (its getter is not called)`);
        break;
      }
      if (d.value !== undefined) out[key] = d.value;
    }
  } catch (e) {
    throw foreignError(where, e);
  }
  if (problem) throw problem;
  return out;
}

/**
 * A snapshot of an array's elements, read through their descriptors ({@link HOLE} for a hole);
 * refuses non-arrays, more than `maxLength` elements, and accessor elements (without calling them).
 *
 * @example
 * readList([1, , 3], 'row', 10); // [1, HOLE, 3]
 */
export function readList(value: unknown, where: string, maxLength: number, expected = 'an array'): unknown[] {
  if (!isArray(value)) throw new TypeError(`${where} must be ${expected}, got ${describeValue(value)}`);
  let problem: Error | null = null;
  let out: unknown[] = [];
  try {
    const n = Reflect.getOwnPropertyDescriptor(value, 'length')?.value;
    if (typeof n !== 'number' || n > maxLength) {
      problem = new RangeError(`${where} must have at most ${maxLength} entries, got ${describeValue(n)}`);
    } else {
      out = new Array(n);
      for (let i = 0; i < n; i++) {
        const d = Reflect.getOwnPropertyDescriptor(value, i);
        if (d && !('value' in d)) {
          problem = new TypeError(`${where}[${i}] is an accessor (get/set) property; pass plain values (its getter is not called)`);
          break;
        }
        out[i] = d ? d.value : HOLE;
      }
    }
  } catch (e) {
    throw foreignError(where, e);
  }
  if (problem) throw problem;
  return out;
}

/**
 * Element `i` of a real array through its descriptor ({@link HOLE} for a hole); an accessor is
 * refused without being called, and a throwing Proxy trap becomes a TypeError naming `where`.
 *
 * @example
 * readElement([[1, 2]], 0, 'x'); // [1, 2]
 */
export function readElement(list: unknown[], i: number, where: string): unknown {
  let d: PropertyDescriptor | undefined;
  try {
    d = Reflect.getOwnPropertyDescriptor(list, i);
  } catch (e) {
    throw foreignError(where, e);
  }
  if (d && !('value' in d)) throw new TypeError(`${where}[${i}] is an accessor (get/set) property; pass plain values (its getter is not called)`);
  return d ? d.value : HOLE;
}

/**
 * The `length` of a real array, through its descriptor (a Proxy's trap runs; what it throws
 * becomes a TypeError naming `where`).
 *
 * @example
 * listLength([1, 2, 3], 'x'); // 3
 */
export function listLength(list: unknown[], where: string): number {
  try {
    const n = Reflect.getOwnPropertyDescriptor(list, 'length')?.value;
    return typeof n === 'number' ? n : -1;
  } catch (e) {
    throw foreignError(where, e);
  }
}

/**
 * Reads one property of `obj` (own or inherited) without invoking getters; undefined when absent or an accessor.
 *
 * @example
 * lookupData(device, 'createBuffer'); // the method, found on the prototype
 */
export function lookupData(obj: object, key: string): unknown {
  try {
    for (let o: object | null = obj; o !== null; o = Reflect.getPrototypeOf(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
