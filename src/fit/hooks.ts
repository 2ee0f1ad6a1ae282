/**
 * The callbacks and abort signal of a training call (`fit` or `fitDataset`): validated once,
 * called with the caller's options object as `this`, the signal linked without running caller code.
 */
import { describeValue } from '../core/config';
import type { BatchLog, EpochLog } from '../core/types';

/**
 * The callbacks and abort signal of a `fit` call: the caller's functions, read once and called
 * with the caller's options object as `this`, and the caller's (real) AbortSignal.
 *
 * @example
 * if (plan.hooks.onEpochEnd) await plan.hooks.onEpochEnd(log);
 */
export interface FitHooks {
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  onBatchEnd?: (log: BatchLog) => void | Promise<void>;
  signal?: AbortSignal;
}

const abortedGetter = typeof AbortSignal === 'function' ? Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get : undefined;
const addListener = typeof EventTarget === 'function' ? EventTarget.prototype.addEventListener : undefined;
const removeListener = typeof EventTarget === 'function' ? EventTarget.prototype.removeEventListener : undefined;

/** True when `v` is a real AbortSignal (checked by calling the built-in getter on it, no caller code). */
function isAbortSignal(v: unknown): v is AbortSignal {
  if (!abortedGetter || v === null || typeof v !== 'object') return false;
  try {
    abortedGetter.call(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * A signal of the library's own that follows the caller's `signal` for one `fit`, read without
 * running caller code (an `aborted` property shadowed on the caller's object is not consulted).
 * `release()` removes the listener, so a long-lived caller signal keeps nothing of the fit.
 *
 * @example
 * const link = linkSignal(plan.hooks.signal);
 * try { await train(link.signal); } finally { link.release(); }
 */
export function linkSignal(caller: AbortSignal | undefined): { signal: AbortSignal | undefined; release(): void } {
  if (!caller || !abortedGetter || !addListener || !removeListener) return { signal: undefined, release() {} };
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  if (abortedGetter.call(caller)) inner.abort();
  else addListener.call(caller, 'abort', onAbort);
  return { signal: inner.signal, release: () => removeListener.call(caller, 'abort', onAbort) };
}

/**
 * Validates the callbacks and signal; the callbacks will be called with `self` as `this`.
 *
 * @example
 * const hooks = resolveHooks(readTrainingOptions(options, 'fit'), options);
 */
export function resolveHooks(o: Record<string, unknown>, self: object): FitHooks {
  const hooks: FitHooks = {};
  const callback = (cb: 'onEpochEnd' | 'onBatchEnd') => {
    const fn = o[cb];
    if (fn === undefined) return undefined;
    if (typeof fn !== 'function') throw new TypeError(`${cb} must be a function, got ${describeValue(fn)}`);
    return (log: unknown) => Reflect.apply(fn, self, [log]) as void | Promise<void>;
  };
  hooks.onEpochEnd = callback('onEpochEnd');
  hooks.onBatchEnd = callback('onBatchEnd');
  if (o.signal !== undefined) {
    if (!isAbortSignal(o.signal)) throw new TypeError(`signal must be an AbortSignal (new AbortController().signal), got ${describeValue(o.signal)}`);
    hooks.signal = o.signal;
  }
  return hooks;
}
