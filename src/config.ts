import type {
  Activation,
  BackendName,
  InitializerSpec,
  LayerSpec,
  LossName,
  ModelConfig,
  OptimizerSpec,
} from './types';

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
  | { type: 'momentum'; momentum: number }
  | { type: 'adam'; beta1: number; beta2: number; epsilon: number };

export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu', 'linear', 'softmax'];
export const LOSSES: readonly LossName[] = ['sse', 'mse', 'binaryCrossEntropy', 'categoricalCrossEntropy'];
export const BACKENDS: readonly BackendName[] = ['cpu', 'webgpu', 'auto'];
const INITIALIZERS = ['normal', 'uniform', 'xavier', 'he'] as const;
const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;

/** Largest layer width and input size accepted (a guard against hostile configs). */
export const MAX_UNITS = 1 << 20;
/** Most layers accepted. */
export const MAX_LAYERS = 1024;

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
};
export { show as describeValue };

/** Throws unless `v` is an integer in [min, max]. */
export function checkInteger(name: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const what = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in [${min}, ${max}]`;
    throw new RangeError(`${name} must be ${what}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number (optionally > 0 or ≥ 0). */
export function checkNumber(name: string, v: unknown, rule: 'finite' | 'positive' | 'nonnegative' = 'finite'): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (rule === 'finite' || (rule === 'positive' ? v > 0 : v >= 0));
  if (!ok) {
    const what = rule === 'finite' ? 'a finite number' : rule === 'positive' ? 'a finite number > 0' : 'a finite number >= 0';
    throw new RangeError(`${name} must be ${what}, got ${show(v)}`);
  }
  return v as number;
}

function checkChoice<T extends string>(name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) {
    throw new RangeError(`${name} must be one of ${options.map((o) => `'${o}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** Validates the structural part of a config (layers, loss and their pairing). */
export function resolveNetSpec(config: ModelConfig): NetSpec {
  if (config === null || typeof config !== 'object') throw new TypeError(`config must be an object, got ${show(config)}`);
  const inputSize = checkInteger('inputSize', config.inputSize, 1, MAX_UNITS);
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw new RangeError(`layers must be a non-empty array of {units, activation}, got ${show(config.layers)}`);
  }
  if (config.layers.length > MAX_LAYERS) throw new RangeError(`layers must have at most ${MAX_LAYERS} entries, got ${config.layers.length}`);
  const layers = config.layers.map((layer, i) => {
    if (layer === null || typeof layer !== 'object') throw new TypeError(`layers[${i}] must be {units, activation}, got ${show(layer)}`);
    const units = checkInteger(`layers[${i}].units`, layer.units, 1, MAX_UNITS);
    const activation = checkChoice(`layers[${i}].activation`, layer.activation, ACTIVATIONS);
    if (activation === 'softmax' && i !== config.layers.length - 1) {
      throw new RangeError(`layers[${i}].activation 'softmax' is only allowed on the output layer (layer ${config.layers.length - 1})`);
    }
    return { units, activation };
  });
  const loss = checkChoice('loss', config.loss, LOSSES);
  const out = layers[layers.length - 1].activation;
  if (loss === 'binaryCrossEntropy' && out !== 'sigmoid') {
    throw new RangeError(`loss 'binaryCrossEntropy' needs a 'sigmoid' output layer, got '${out}'`);
  }
  if (loss === 'categoricalCrossEntropy' && out !== 'softmax') {
    throw new RangeError(`loss 'categoricalCrossEntropy' needs a 'softmax' output layer, got '${out}'`);
  }
  const useBias = config.useBias ?? true;
  const freezeBias = config.freezeBias ?? false;
  if (typeof useBias !== 'boolean') throw new TypeError(`useBias must be a boolean, got ${show(useBias)}`);
  if (typeof freezeBias !== 'boolean') throw new TypeError(`freezeBias must be a boolean, got ${show(freezeBias)}`);
  const l2 = checkNumber('l2', config.l2 ?? 0, 'nonnegative');
  return { inputSize, layers, loss, useBias, freezeBias, l2 };
}

/** Validates a whole config and fills in the defaults. */
export function resolveConfig(config: ModelConfig): ResolvedConfig {
  const net = resolveNetSpec(config);
  const seed = checkInteger('seed', config.seed ?? 1, 0, 0xffffffff);
  const backend = checkChoice('backend', config.backend ?? 'auto', BACKENDS);
  return { ...net, initializer: resolveInitializer(config.initializer ?? 'xavier'), seed, backend };
}

function resolveInitializer(spec: InitializerSpec): Exclude<InitializerSpec, string> {
  if (typeof spec === 'string') return { type: checkChoice('initializer', spec, INITIALIZERS) } as Exclude<InitializerSpec, string>;
  if (spec === null || typeof spec !== 'object') throw new TypeError(`initializer must be a name or {type}, got ${show(spec)}`);
  const type = checkChoice('initializer.type', spec.type, INITIALIZERS);
  if (type === 'normal' && 'scale' in spec && spec.scale !== undefined) checkNumber('initializer.scale', spec.scale, 'positive');
  if (type === 'uniform' && 'epsilon' in spec && spec.epsilon !== undefined) checkNumber('initializer.epsilon', spec.epsilon, 'positive');
  return { ...spec, type } as Exclude<InitializerSpec, string>;
}

/** Validates an optimizer spec and fills in its defaults (momentum 0.9; Adam 0.9, 0.999, 1e-8). */
export function resolveOptimizer(spec: OptimizerSpec | undefined): ResolvedOptimizer {
  const o = typeof spec === 'string' || spec === undefined ? { type: spec ?? 'sgd' } : spec;
  if (o === null || typeof o !== 'object') throw new TypeError(`optimizer must be a name or {type}, got ${show(spec)}`);
  const type = checkChoice('optimizer', (o as { type: unknown }).type, OPTIMIZERS);
  if (type === 'sgd') return { type };
  if (type === 'momentum') {
    const m = (o as { momentum?: number }).momentum ?? 0.9;
    if (typeof m !== 'number' || !(m >= 0 && m < 1)) throw new RangeError(`optimizer.momentum must be in [0, 1), got ${show(m)}`);
    return { type, momentum: m };
  }
  const a = o as { beta1?: number; beta2?: number; epsilon?: number };
  const beta1 = a.beta1 ?? 0.9;
  const beta2 = a.beta2 ?? 0.999;
  for (const [n, v] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new RangeError(`optimizer.${n} must be in [0, 1), got ${show(v)}`);
  }
  const epsilon = checkNumber('optimizer.epsilon', a.epsilon ?? 1e-8, 'positive');
  return { type, beta1, beta2, epsilon };
}

/** Fan-in of layer `l`. */
export const fanIn = (net: NetSpec, l: number): number => (l === 0 ? net.inputSize : net.layers[l - 1].units);
/** Number of outputs of the network. */
export const outputSize = (net: NetSpec): number => net.layers[net.layers.length - 1].units;
