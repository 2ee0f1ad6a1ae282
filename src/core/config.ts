import { describeNonNumber, describeValue, isArray, or, readList, readRecord } from './inspect';
import type { Activation, BackendName, InitializerSpec, LayerSpec, LossName, ModelConfig, OptimizerSpec } from './types';
import { resolveDropout } from './dropout-mask';
import { ACTIVATIONS, BACKENDS, LOSSES } from './choices';
import { MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS } from './model-caps';

/** A model's structure after validation, with every default filled in. */
export interface NetSpec {
  inputSize: number;
  layers: LayerSpec[];
  loss: LossName;
  useBias: boolean;
  freezeBias: boolean;
  l2: number;
}

/** A fully specified model configuration. */
export interface ResolvedConfig extends NetSpec {
  initializer: Exclude<InitializerSpec, string>;
  seed: number;
  backend: BackendName;
}

/** An optimizer with every hyper-parameter filled in. */
export type ResolvedOptimizer =
  | { type: 'sgd' }
  | { type: 'momentum'; momentum: number; nesterov?: boolean }
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number }
  | { type: 'rmsprop'; rho: number; epsilon: number; momentum: number }
  | { type: 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number; decayBiases: boolean };

const INITIALIZERS = ['normal', 'uniform', 'xavier', 'he'] as const;
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop', 'adamw'] as const;
/** The names a model config may have. */
export const CONFIG_KEYS = ['inputSize', 'layers', 'loss', 'useBias', 'freezeBias', 'initializer', 'weights', 'biases', 'l2', 'seed', 'backend'] as const;

// The config's vocabulary and size caps live in their own import-free modules (shared through
// src/internal.ts); they are re-exported here for the modules that validate configs.
export { ACTIVATIONS, LOSSES, BACKENDS, MAX_UNITS, MAX_LAYERS, MAX_PARAMETERS };

/** Largest float32 value; a float64 at or beyond {@link FLOAT32_OVERFLOW} in magnitude becomes ±Infinity in float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** 2^128 − 2^103: the magnitude from which a float64 rounds to Infinity in float32. */
export const FLOAT32_OVERFLOW = 3.4028235677973366e38;
/** Smallest normal float32 (GPUs may flush smaller values to 0). */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

export { describeValue };

/** Throws unless `v` is an integer in [min, max] (a TypeError for a non-number, else a RangeError). */
export function checkInteger(name: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const what = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in [${min}, ${max}]`;
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${name} must be ${what}, got ${describeNonNumber(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number (optionally > 0 or ≥ 0); a TypeError for a non-number. */
export function checkNumber(name: string, v: unknown, rule: 'finite' | 'positive' | 'nonnegative' = 'finite'): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (rule === 'finite' || (rule === 'positive' ? v > 0 : v >= 0));
  if (!ok) {
    const what = rule === 'finite' ? 'a finite number' : rule === 'positive' ? 'a finite number > 0' : 'a finite number >= 0';
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${name} must be ${what}, got ${describeNonNumber(v)}`);
  }
  return v as number;
}

/** Throws unless `v` is a boolean. */
export function checkBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean (true or false), got ${describeValue(v)}`);
  return v;
}

/** Throws unless `v` is one of `options` (a TypeError for a non-string, else a RangeError). */
export function checkChoice<T extends string>(name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) {
    const E = typeof v === 'string' ? RangeError : TypeError;
    throw new E(`${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as T;
}

/** Validates one entry of `layers` (it is the `i`-th of `count`). */
function resolveLayer(entry: unknown, i: number, count: number): LayerSpec {
  const layer = readRecord(entry, `layers[${i}]`, ['units', 'activation', 'dropout'], '{units, activation, dropout?}');
  const units = checkInteger(`layers[${i}].units`, layer.units, 1, MAX_UNITS);
  const activation = checkChoice(`layers[${i}].activation`, layer.activation, ACTIVATIONS);
  if (activation === 'softmax' && i !== count - 1) {
    throw new RangeError(`layers[${i}].activation 'softmax' is only allowed on the output layer (layer ${count - 1})`);
  }
  if (activation === 'softmax' && units < 2) {
    throw new RangeError(`layers[${i}] is a softmax output of ${units} unit: a 1-unit softmax always outputs 1 and cannot learn; use 2+ units, or one 'sigmoid' unit with 'binaryCrossEntropy'`);
  }
  const dropout = resolveDropout(layer.dropout, i, count);
  return dropout > 0 ? { units, activation, dropout } : { units, activation };
}

/**
 * A snapshot of a config object's own properties (unknown names and accessors refused).
 *
 * @example
 * readConfig({ inputSize: 2, layers: [], loss: 'mse' }); // a snapshot of those three
 */
export function readConfig(config: unknown): Record<string, unknown> {
  return readRecord(config, 'config', CONFIG_KEYS, 'an object ({inputSize, layers, loss, ...})');
}

/** Validates the structural part of a config (layers, loss and their pairing, the size caps). */
export function resolveNetSpec(config: ModelConfig | Record<string, unknown>): NetSpec {
  return netFrom(readConfig(config));
}

function netFrom(c: Record<string, unknown>): NetSpec {
  const inputSize = checkInteger('inputSize', c.inputSize, 1, MAX_UNITS);
  if (!isArray(c.layers)) throw new TypeError(`layers must be a non-empty array of {units, activation}, got ${describeValue(c.layers)}`);
  const list = readList(c.layers, 'layers', MAX_LAYERS);
  if (list.length === 0) throw new RangeError('layers must be a non-empty array of {units, activation}, got an empty array');
  const layers = list.map((entry, i) => resolveLayer(entry, i, list.length));
  const loss = checkChoice('loss', c.loss, LOSSES);
  const out = layers[layers.length - 1].activation;
  if (loss === 'binaryCrossEntropy' && out !== 'sigmoid') throw new RangeError(`loss 'binaryCrossEntropy' needs a 'sigmoid' output layer, got '${out}'`);
  if (loss === 'categoricalCrossEntropy' && out !== 'softmax') throw new RangeError(`loss 'categoricalCrossEntropy' needs a 'softmax' output layer, got '${out}'`);
  const useBias = checkBoolean('useBias', or(c.useBias, true));
  const freezeBias = checkBoolean('freezeBias', or(c.freezeBias, false));
  const l2 = checkNumber('l2', or(c.l2, 0), 'nonnegative');
  checkParameterCap(inputSize, layers);
  return { inputSize, layers, loss, useBias, freezeBias, l2 };
}

/** Refuses a network of more than {@link MAX_PARAMETERS} parameters, naming its largest layer. */
function checkParameterCap(inputSize: number, layers: LayerSpec[]): void {
  let total = 0;
  let widest = 0;
  let widestCount = -1;
  layers.forEach((l, i) => {
    const w = (i === 0 ? inputSize : layers[i - 1].units) * l.units;
    total += w + l.units;
    if (w > widestCount) {
      widestCount = w;
      widest = i;
    }
  });
  if (total > MAX_PARAMETERS) {
    const fin = widest === 0 ? inputSize : layers[widest - 1].units;
    throw new RangeError(
      `the network has ${total} parameters (layer ${widest} alone: ${fin} × ${layers[widest].units} weights), more than the ${MAX_PARAMETERS} ` +
        `(2^27) this library accepts: their float64 copy alone would take ${((total * 8) / 2 ** 30).toFixed(1)} GiB. Nothing was allocated.`,
    );
  }
}

/** Validates a whole config and fills in the defaults. */
export function resolveConfig(config: ModelConfig | Record<string, unknown>): ResolvedConfig {
  const c = readConfig(config);
  const net = netFrom(c);
  const seed = checkInteger('seed', or(c.seed, 1), 0, 0xffffffff);
  const backend = checkChoice('backend', or(c.backend, 'auto'), BACKENDS);
  return { ...net, initializer: resolveInitializer(or(c.initializer, 'xavier')), seed, backend };
}

/** Validates an initializer name or `{type, scale | epsilon}`; keeps only the fields its type uses. */
function resolveInitializer(spec: unknown): Exclude<InitializerSpec, string> {
  if (typeof spec === 'string') return { type: checkChoice('initializer', spec, INITIALIZERS) } as Exclude<InitializerSpec, string>;
  const s = readRecord(spec, 'initializer', ['type', 'scale', 'epsilon'], "a name ('xavier', 'he', 'normal', 'uniform') or {type, scale / epsilon}");
  const type = checkChoice('initializer.type', s.type, INITIALIZERS);
  const allowed = type === 'normal' ? 'scale' : type === 'uniform' ? 'epsilon' : null;
  for (const k of ['scale', 'epsilon']) {
    if (s[k] !== undefined && k !== allowed) throw new TypeError(`initializer.${k} does not apply to '${type}'${allowed ? ` (it takes ${allowed})` : ''}`);
  }
  // normal draws reach 8.6 × scale (Box–Muller from 53-bit uniforms); uniform ones span 2 × epsilon
  const capped = (name: string, v: number, max: number) => {
    if (v > max) throw new RangeError(`initializer.${name} ${v} draws weights beyond the float64 range; use at most ${max}`);
    return v;
  };
  if (type === 'normal' && s.scale !== undefined) return { type, scale: capped('scale', checkNumber('initializer.scale', s.scale, 'positive'), 2e307) };
  if (type === 'uniform' && s.epsilon !== undefined) return { type, epsilon: capped('epsilon', checkNumber('initializer.epsilon', s.epsilon, 'positive'), 8e307) };
  return { type } as Exclude<InitializerSpec, string>;
}

/**
 * Validates an optimizer spec and fills in its defaults (momentum 0.9, nesterov false; Adam and
 * AdamW 0.9, 0.999, 1e-8, AdamW weightDecay 0.01 with biases not decayed; RMSprop ρ 0.9, ε 1e-7,
 * momentum 0).
 */
export function resolveOptimizer(spec: OptimizerSpec | undefined): ResolvedOptimizer {
  if (spec === undefined || typeof spec === 'string') return defaults(checkChoice('optimizer', spec ?? 'sgd', OPTIMIZERS), {});
  const keys = ['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay', 'decayBiases'];
  const o = readRecord(spec, 'optimizer', ['type', ...keys], "a name ('sgd', 'momentum', 'adam', 'rmsprop', 'adamw') or {type, ...}");
  const type = checkChoice('optimizer.type', o.type, OPTIMIZERS);
  const own: Record<string, readonly string[]> = {
    sgd: [], momentum: ['momentum', 'nesterov'], adam: ['beta1', 'beta2', 'epsilon'],
    rmsprop: ['rho', 'epsilon', 'momentum'], adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay', 'decayBiases'],
  };
  for (const k of keys) {
    if (o[k] !== undefined && !own[type].includes(k)) throw new TypeError(`optimizer.${k} does not apply to '${type}'${own[type].length ? ` (it takes ${own[type].join(', ')})` : ''}`);
  }
  return defaults(type, o);
}

function defaults(type: ResolvedOptimizer['type'], o: Record<string, unknown>): ResolvedOptimizer {
  const unit = (n: string, v: unknown): number => {
    if (typeof v !== 'number') throw new TypeError(`optimizer.${n} must be a number in [0, 1), got ${describeNonNumber(v)}`);
    if (!(v >= 0 && v < 1)) throw new RangeError(`optimizer.${n} must be in [0, 1), got ${describeValue(v)}`);
    return v;
  };
  if (type === 'sgd') return { type };
  if (type === 'momentum') {
    const momentum = unit('momentum', or(o.momentum, 0.9));
    return checkBoolean('optimizer.nesterov', or(o.nesterov, false)) ? { type, momentum, nesterov: true } : { type, momentum };
  }
  if (type === 'rmsprop') return { type, rho: unit('rho', or(o.rho, 0.9)), epsilon: checkNumber('optimizer.epsilon', or(o.epsilon, 1e-7), 'positive'), momentum: unit('momentum', or(o.momentum, 0)) };
  const beta1 = unit('beta1', or(o.beta1, 0.9));
  const beta2 = unit('beta2', or(o.beta2, 0.999));
  const epsilon = checkNumber('optimizer.epsilon', or(o.epsilon, 1e-8), 'positive');
  if (type === 'adamw') return { type, beta1, beta2, epsilon, weightDecay: checkNumber('optimizer.weightDecay', or(o.weightDecay, 0.01), 'nonnegative'), decayBiases: checkBoolean('optimizer.decayBiases', or(o.decayBiases, false)) };
  return { type, beta1, beta2, epsilon };
}

/**
 * Refuses hyper-parameters the WebGPU backend cannot hold in float32, saying why: a learning
 * rate, λ or Adam ε that overflows or falls below float32's smallest normal number, and a
 * momentum or β that rounds to 1.
 *
 * @example
 * checkFloat32Settings({ type: 'adam', beta1: 0.9, beta2: 0.999999999, epsilon: 1e-8 }, 0.01, 0); // RangeError: beta2 rounds to 1
 */
export function checkFloat32Settings(opt: ResolvedOptimizer, learningRate: number, l2: number): void {
  const range = (name: string, v: number, zeroOk: boolean) => {
    if (zeroOk && v === 0) return;
    if (v >= FLOAT32_OVERFLOW) throw new RangeError(`${name} ${v} is beyond float32's range (largest ${FLOAT32_MAX}), which the WebGPU backend computes in; use a smaller value or backend 'cpu'`);
    if (v < FLOAT32_MIN_NORMAL) throw new RangeError(`${name} ${v} is below float32's smallest normal number (${FLOAT32_MIN_NORMAL}); the WebGPU backend would treat it as 0. Use a larger value or backend 'cpu'`);
  };
  range('learningRate', learningRate, false);
  range('l2', l2, true);
  const one = (name: string, v: number) => {
    if (Math.fround(v) === 1) throw new RangeError(`optimizer.${name} ${v} rounds to 1 in float32, which the WebGPU backend computes in (the update would stop decaying); use at most 0.9999999 or backend 'cpu'`);
  };
  if (opt.type === 'momentum' || opt.type === 'rmsprop') one('momentum', opt.momentum);
  if (opt.type === 'rmsprop') {
    one('rho', opt.rho);
    range('optimizer.epsilon', opt.epsilon, false);
  }
  if (opt.type === 'adam' || opt.type === 'adamw') {
    one('beta1', opt.beta1);
    one('beta2', opt.beta2);
    range('optimizer.epsilon', opt.epsilon, false);
  }
  if (opt.type === 'adamw') range('optimizer.weightDecay', opt.weightDecay, true);
}

/**
 * A deep-frozen copy of a resolved config (what `model.config` shows).
 *
 * @example
 * Object.isFrozen(frozenConfig(resolveConfig(config)).layers[0]); // true
 */
export function frozenConfig(c: ResolvedConfig): ResolvedConfig {
  const layers = Object.freeze(c.layers.map((l) => Object.freeze({ ...l }))) as ResolvedConfig['layers'];
  return Object.freeze({ ...c, layers, initializer: Object.freeze({ ...c.initializer }) });
}

/** Fan-in of layer `l`. */
export const fanIn = (net: NetSpec, l: number): number => (l === 0 ? net.inputSize : net.layers[l - 1].units);
/** Number of outputs of the network. */
export const outputSize = (net: NetSpec): number => net.layers[net.layers.length - 1].units;
