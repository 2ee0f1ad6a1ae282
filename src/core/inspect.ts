/**
 * Reading the caller's values without running the caller's code.
 *
 * Validation never calls `valueOf`, `toString`, `toJSON` or `Symbol.toPrimitive` (a value's kind
 * is decided with `typeof` before anything else), and never calls a getter: option objects,
 * configs and the lists inside them (layers, rows) are read through their own property
 * descriptors, so an accessor property is refused without being called, and inherited or
 * non-enumerable properties are not read at all. Typed arrays are read through the built-in
 * TypedArray getters, which no caller code can replace. Every value is read once into a
 * snapshot, and the snapshot is what is validated and used.
 *
 * Two reads cannot avoid the caller: a `Proxy`'s traps run when it is read (JavaScript cannot
 * tell a Proxy apart), and the number elements of plain arrays (the entries of `x`, `y`,
 * `weights`, `biases`) are read with one plain index access each — a descriptor per number would
 * cost about 20× the conversion — which runs an index getter if the caller defined one. Either
 * runs at most once per value, and whatever it throws is reported as a `TypeError` naming the input.
 *
 * @example
 * readRecord({ epochs: 3 }, 'fit options', ['epochs', 'batchSize']); // { epochs: 3 }
 * readRecord({ epoch: 3 }, 'fit options', ['epochs', 'batchSize']); // TypeError: … did you mean "epochs"?
 */

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

/** Longest piece of a caller's string echoed in a message. */
const ECHO_CHARS = 40;

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

/**
 * A caller's string, quoted, cut to {@link ECHO_CHARS} characters.
 *
 * @example
 * quote('a'.repeat(100)); // '"aaaa…"… (100 characters)'
 */
export function quote(s: string): string {
  if (s.length <= ECHO_CHARS) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, ECHO_CHARS))}… (${s.length} characters)`;
}

/**
 * A short description of any value for an error message, without running caller code:
 * numbers as written (`NaN`, `-0`, `1e+39`), strings quoted and cut, and the kind of anything else.
 *
 * @example
 * describeValue('rmsprop'); // '"rmsprop"'
 * describeValue([1, 2]); // 'an array'
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'string':
      return quote(v);
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'bigint': {
      const s = String(v);
      return `${s.length > ECHO_CHARS ? s.slice(0, ECHO_CHARS) + '…' : s}n (a BigInt)`;
    }
    case 'symbol':
      return v === HOLE ? 'an empty slot (an array hole)' : 'a Symbol';
    case 'function':
      return 'a function';
    default:
      if (v === null) return 'null';
      if (isArray(v)) return 'an array';
      return typedArrayName(v) ? `a ${typedArrayName(v)}` : 'an object';
  }
}

/**
 * Like {@link describeValue}, saying a string is a string (where a number was expected).
 *
 * @example
 * describeNonNumber('3'); // '"3" (a string)'
 */
export function describeNonNumber(v: unknown): string {
  if (typeof v === 'string') return `${quote(v)} (a string)`;
  if (typeof v === 'boolean') return `${v} (a boolean)`;
  return describeValue(v);
}

/**
 * The error reported when reading `where` ran caller code (a Proxy trap, a getter) that threw.
 *
 * @example
 * throw foreignError('x', new Error('trap')); // TypeError: x could not be read: …
 */
export function foreignError(where: string, thrown: unknown): TypeError {
  return new TypeError(`${where} could not be read: reading it ran the caller's code (a Proxy trap or a getter), which threw ${describeValue(thrown)}; pass plain data`);
}

/** Edit distance between two names, case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[t.length];
}

/**
 * The valid name closest to `name` (by edit distance, ignoring case), or null when none is close.
 *
 * @example
 * closestName('learningrate', ['epochs', 'learningRate']); // 'learningRate'
 */
export function closestName(name: string, valid: readonly string[]): string | null {
  if (name.length > 64) return null;
  const lower = name.toLowerCase();
  const prefixed = name.length >= 2 ? valid.find((v) => v.toLowerCase().startsWith(lower) || lower.startsWith(v.toLowerCase())) : undefined;
  if (prefixed) return prefixed;
  let best: string | null = null;
  let bestD = Infinity;
  for (const v of valid) {
    const d = distance(name, v);
    if (d < bestD) {
      bestD = d;
      best = v;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/**
 * The error for an option name that `where` does not have.
 *
 * @example
 * unknownName('fit options', 'epoch', ['epochs']).message; // '… did you mean "epochs"? …'
 */
export function unknownName(where: string, key: string, valid: readonly string[]): TypeError {
  const near = closestName(key, valid);
  if (near) return new TypeError(`${where} has no option ${quote(key)}: did you mean "${near}"?`);
  const listed = valid.length > 12 ? `${valid.slice(0, 12).join(', ')} and ${valid.length - 12} more` : valid.join(', ');
  return new TypeError(`${where} has no option ${quote(key)} (valid: ${listed})`);
}

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
