// Describing a caller's values and names in error messages, without running their code.
import { HOLE, isArray, typedArrayName } from './values';

/** Longest piece of a caller's string echoed in a message. */
const ECHO_CHARS = 40;

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
  return new TypeError(`${where} could not be read: reading it ran the caller's code (a Proxy trap or a getter), which threw ${describeValue(thrown)}; pass plain data`, { cause: thrown });
}

/**
 * Runs `read`, which may run the caller's code; what that throws becomes {@link foreignError}.
 *
 * @example
 * const keys = readForeign('classWeight', () => Reflect.ownKeys(weights));
 */
export function readForeign<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw foreignError(where, e);
  }
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
