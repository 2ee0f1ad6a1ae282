/**
 * The editor's training features checked by the library's own validators (the functions
 * `MLP.create` and `fit` run, exported for editors like this one), so that a bad value shows the
 * very message `fit` would throw, next to its field, before anything is sent to the worker.
 */
import { resolveDropout, resolveEarlyStopping, resolveSchedule } from '../src';
import type { Settings } from './presets';

/** A refused value: the option's path as the library names it (`learningRate.factor`), and its message. */
export interface FieldError {
  field: string;
  message: string;
}

/** The option path a library message starts with (`earlyStopping.patience must be …` → `earlyStopping.patience`). */
const pathOf = (message: string, root: string): string => new RegExp(`^${root}(\\.\\w+)?`).exec(message)?.[0] ?? root;

/** Runs `check`; returns its error as a FieldError under `root`, or null. */
function attempt(root: string, check: () => unknown): FieldError | null {
  try {
    check();
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { field: pathOf(message, root), message };
  }
}

/**
 * Dropout per layer, the learning-rate schedule and early stopping of `s`, as the library
 * validates them for a `fit` with validation data when `s.validationSplit > 0`.
 *
 * @example
 * checkFeatures({ ...MNIST_FEATURES, validationSplit: 0 });
 * // [{ field: 'earlyStopping.monitor', message: "earlyStopping.monitor 'valLoss' needs validation data: …" }]
 */
export function checkFeatures(s: Settings): FieldError[] {
  const errors: FieldError[] = [];
  const count = s.layers.length;
  s.layers.forEach((l, i) => {
    const e = attempt(`layers[${i}].dropout`, () => resolveDropout(l.dropout, i, count));
    if (e) errors.push({ ...e, field: `layers[${i}].dropout` });
  });
  const out = s.layers[count - 1]?.activation;
  const ctx = { validation: s.validationSplit > 0, regression: out === 'linear' || out === 'relu' || out === 'tanh' };
  const schedule = attempt('learningRate', () => resolveSchedule(s.learningRate, ctx));
  if (schedule) errors.push(schedule);
  const stopping = attempt('earlyStopping', () => resolveEarlyStopping(s.earlyStopping, ctx));
  if (stopping) errors.push(stopping);
  return errors;
}
