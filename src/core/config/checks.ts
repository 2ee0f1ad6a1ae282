// The checks every option and config field goes through: a value of the right kind and range,
// or an error naming the field, what it must be, and what it got.
import { describeNonNumber, describeValue } from '../inspect';

/**
 * Throws unless `v` is an integer in [min, max] (a TypeError for a non-number, else a RangeError).
 *
 * @example
 * checkInteger('epochs', 2.5); // RangeError: epochs must be a positive integer, got 2.5
 */
export function checkInteger(name: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const what = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in [${min}, ${max}]`;
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${name} must be ${what}, got ${describeNonNumber(v)}`);
  }
  return v;
}

/**
 * Throws unless `v` is a finite number (optionally > 0 or ≥ 0); a TypeError for a non-number.
 *
 * @example
 * checkNumber('learningRate', 0, 'positive'); // RangeError: learningRate must be a finite number > 0, got 0
 */
export function checkNumber(name: string, v: unknown, rule: 'finite' | 'positive' | 'nonnegative' = 'finite'): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (rule === 'finite' || (rule === 'positive' ? v > 0 : v >= 0));
  if (!ok) {
    const what = rule === 'finite' ? 'a finite number' : rule === 'positive' ? 'a finite number > 0' : 'a finite number >= 0';
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${name} must be ${what}, got ${describeNonNumber(v)}`);
  }
  return v as number;
}

/**
 * Throws unless `v` is a boolean.
 *
 * @example
 * checkBoolean('shuffle', 'yes'); // TypeError: shuffle must be a boolean (true or false), got "yes"
 */
export function checkBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean (true or false), got ${describeValue(v)}`);
  return v;
}

/**
 * Throws unless `v` is one of `options` (a TypeError for a non-string, else a RangeError).
 *
 * @example
 * checkChoice('loss', 'mae', LOSSES); // RangeError: loss must be one of 'sse', 'mse', …, got "mae"
 */
export function checkChoice<T extends string>(name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) {
    const E = typeof v === 'string' ? RangeError : TypeError;
    throw new E(`${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as T;
}
