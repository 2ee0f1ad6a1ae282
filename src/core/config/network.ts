// A model's config: its structure (the network) and the rest (initializer, seed, backend),
// validated with every default filled in.
import { ACTIVATIONS, BACKENDS, DEFAULT_NORM_EPSILON, DEFAULT_NORM_MOMENTUM, LOSSES, NORMS } from '../choices';
import { resolveDropout } from '../dropout-mask';
import { describeValue, isArray, or, readList, readRecord } from '../inspect';
import { MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS } from '../model-caps';
import type { Activation, BackendName, InitializerSpec, LayerSpec, LossName, ModelConfig, NormName } from '../types';
import { checkBoolean, checkChoice, checkInteger, checkNumber } from './checks';

/**
 * A model's structure after validation, with every default filled in.
 *
 * @example
 * const net: NetSpec = resolveNetSpec({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse' });
 */
export interface NetSpec {
  inputSize: number;
  layers: LayerSpec[];
  loss: LossName;
  useBias: boolean;
  freezeBias: boolean;
  l2: number;
  /** λ₁ of the L1 term λ₁/m·Σ|W| (0: none). */
  l1: number;
  /** The `huber` loss's δ; present exactly when `loss` is `'huber'`. */
  huberDelta?: number;
}

/**
 * A fully specified model configuration.
 *
 * @example
 * const config: ResolvedConfig = resolveConfig({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse' });
 */
export interface ResolvedConfig extends NetSpec {
  initializer: Exclude<InitializerSpec, string>;
  seed: number;
  backend: BackendName;
}

const INITIALIZERS = ['normal', 'uniform', 'xavier', 'he'] as const;
/**
 * The names a model config may have.
 *
 * @example
 * CONFIG_KEYS.includes('seed'); // true
 */
export const CONFIG_KEYS = ['inputSize', 'layers', 'loss', 'useBias', 'freezeBias', 'initializer', 'weights', 'biases', 'l2', 'l1', 'huberDelta', 'seed', 'backend'] as const;

/** Validates one entry of `layers` (it is the `i`-th of `count`, its input `fanIn` wide). */
function resolveLayer(entry: unknown, i: number, count: number, fanIn: number): LayerSpec {
  const layer = readRecord(entry, `layers[${i}]`, ['units', 'activation', 'dropout', 'residual', 'alpha', 'norm', 'normEpsilon', 'normMomentum'], '{units, activation, dropout?, residual?, alpha?, norm?, normEpsilon?, normMomentum?}');
  const units = checkInteger(`layers[${i}].units`, layer.units, 1, MAX_UNITS);
  const activation = checkChoice(`layers[${i}].activation`, layer.activation, ACTIVATIONS);
  if (activation === 'softmax' && i !== count - 1) {
    throw new RangeError(`layers[${i}].activation 'softmax' is only allowed on the output layer (layer ${count - 1})`);
  }
  if (activation === 'softmax' && units < 2) {
    throw new RangeError(`layers[${i}] is a softmax output of ${units} unit: a 1-unit softmax always outputs 1 and cannot learn; use 2+ units, or one 'sigmoid' unit with 'binaryCrossEntropy'`);
  }
  const dropout = resolveDropout(layer.dropout, i, count);
  const residual = resolveResidual(layer.residual, i, count, fanIn, units);
  const norm = resolveNorm(layer.norm, layer.normEpsilon, layer.normMomentum, i, count);
  const alpha = resolveAlpha(layer.alpha, activation, i);
  return { units, activation, ...(dropout > 0 ? { dropout } : {}), ...(residual ? { residual } : {}), ...(alpha === undefined ? {} : { alpha }), ...norm };
}

/**
 * Validates layer `i`'s `norm`, `normEpsilon` and `normMomentum`: a known norm on a hidden layer,
 * ε finite and > 0 and only with a norm, the momentum in (0, 1] and only with batch norm.
 */
function resolveNorm(v: unknown, eps: unknown, momentum: unknown, i: number, count: number): { norm?: NormName; normEpsilon?: number; normMomentum?: number } {
  if (v === undefined) {
    if (eps !== undefined) throw new TypeError(`layers[${i}].normEpsilon is set (${describeValue(eps)}) but layers[${i}] has no norm; add norm: 'layer' or 'batch', or remove normEpsilon`);
  }
  if (v !== 'batch' && momentum !== undefined) throw new TypeError(`layers[${i}].normMomentum is set (${describeValue(momentum)}) but layers[${i}] has ${v === undefined ? 'no norm' : `norm '${String(v)}'`}; it is batch normalization's, with norm: 'batch'`);
  if (v === undefined) return {};
  const norm = checkChoice(`layers[${i}].norm`, v, NORMS);
  if (i === count - 1) throw new RangeError(`layers[${i}].norm is for hidden layers only: layer ${i} is the output layer`);
  const normEpsilon = checkNumber(`layers[${i}].normEpsilon`, or(eps, DEFAULT_NORM_EPSILON), 'positive');
  if (norm !== 'batch') return { norm, normEpsilon };
  const normMomentum = checkNumber(`layers[${i}].normMomentum`, or(momentum, DEFAULT_NORM_MOMENTUM), 'positive');
  if (normMomentum > 1) throw new RangeError(`layers[${i}].normMomentum must be in (0, 1] (the weight of each batch in the running estimates, as PyTorch counts it), got ${normMomentum}`);
  return { norm, normEpsilon, normMomentum };
}

/** Validates layer `i`'s `residual` flag: a boolean, on a hidden layer whose input is as wide as its output. */
function resolveResidual(v: unknown, i: number, count: number, fanIn: number, units: number): boolean {
  const residual = checkBoolean(`layers[${i}].residual`, or(v, false));
  if (!residual) return false;
  if (i === count - 1) throw new RangeError(`layers[${i}].residual is for hidden layers only: layer ${i} is the output layer`);
  if (fanIn !== units) {
    throw new RangeError(`layers[${i}].residual needs the layer's input as wide as its output: its input has ${fanIn} values and it has ${units} units`);
  }
  return true;
}

/** Layer `i`'s `alpha`: only on leakyRelu (any finite slope) and elu (> 0). */
function resolveAlpha(alpha: unknown, activation: Activation, i: number): number | undefined {
  if (alpha === undefined) return undefined;
  if (activation !== 'leakyRelu' && activation !== 'elu') {
    throw new TypeError(`layers[${i}].alpha ${describeValue(alpha)} does not apply to activation '${activation}' (only 'leakyRelu' and 'elu' take alpha)`);
  }
  return checkNumber(`layers[${i}].alpha`, alpha, activation === 'elu' ? 'positive' : 'finite');
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

/**
 * Validates the structural part of a config (layers, loss and their pairing, the size caps).
 *
 * @example
 * resolveNetSpec(parsed.config).layers.length; // the layers of a model file, checked
 */
export function resolveNetSpec(config: ModelConfig | Record<string, unknown>): NetSpec {
  return netFrom(readConfig(config));
}

/** The network part of a config snapshot, validated. */
function netFrom(c: Record<string, unknown>): NetSpec {
  const inputSize = checkInteger('inputSize', c.inputSize, 1, MAX_UNITS);
  if (!isArray(c.layers)) throw new TypeError(`layers must be a non-empty array of {units, activation}, got ${describeValue(c.layers)}`);
  const list = readList(c.layers, 'layers', MAX_LAYERS);
  if (list.length === 0) throw new RangeError('layers must be a non-empty array of {units, activation}, got an empty array');
  const layers: LayerSpec[] = [];
  list.forEach((entry, i) => layers.push(resolveLayer(entry, i, list.length, i === 0 ? inputSize : layers[i - 1].units)));
  const loss = checkChoice('loss', c.loss, LOSSES);
  const out = layers[layers.length - 1].activation;
  if (loss === 'binaryCrossEntropy' && out !== 'sigmoid') throw new RangeError(`loss 'binaryCrossEntropy' needs a 'sigmoid' output layer, got '${out}'`);
  if (loss === 'categoricalCrossEntropy' && out !== 'softmax') throw new RangeError(`loss 'categoricalCrossEntropy' needs a 'softmax' output layer, got '${out}'`);
  const useBias = checkBoolean('useBias', or(c.useBias, true));
  const freezeBias = checkBoolean('freezeBias', or(c.freezeBias, false));
  const l2 = checkNumber('l2', or(c.l2, 0), 'nonnegative');
  const l1 = checkNumber('l1', or(c.l1, 0), 'nonnegative');
  if (c.huberDelta !== undefined && loss !== 'huber') throw new RangeError(`huberDelta applies to loss 'huber' only, got it with loss '${loss}'`);
  const huber = loss === 'huber' ? { huberDelta: checkNumber('huberDelta', or(c.huberDelta, 1), 'positive') } : {};
  checkParameterCap(inputSize, layers);
  return { inputSize, layers, loss, useBias, freezeBias, l2, l1, ...huber };
}

/** Refuses a network of more than {@link MAX_PARAMETERS} parameters, naming its largest layer. */
function checkParameterCap(inputSize: number, layers: LayerSpec[]): void {
  let total = 0;
  let widest = 0;
  let widestCount = -1;
  layers.forEach((l, i) => {
    const w = (i === 0 ? inputSize : layers[i - 1].units) * l.units;
    total += w + l.units + (l.norm ? 2 * l.units : 0);
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

/**
 * Validates a whole config and fills in the defaults.
 *
 * @example
 * resolveConfig({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse' }).initializer; // { type: 'xavier' }
 */
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
 * A deep-frozen copy of a resolved config (what `model.config` shows).
 *
 * @example
 * Object.isFrozen(frozenConfig(resolveConfig(config)).layers[0]); // true
 */
export function frozenConfig(c: ResolvedConfig): ResolvedConfig {
  const layers = Object.freeze(c.layers.map((l) => Object.freeze({ ...l }))) as ResolvedConfig['layers'];
  return Object.freeze({ ...c, layers, initializer: Object.freeze({ ...c.initializer }) });
}

/**
 * Fan-in of layer `l`: the inputs of the first layer, else the units of the one before.
 *
 * @example
 * fanIn(net, 0) === net.inputSize; // true
 */
export const fanIn = (net: NetSpec, l: number): number => (l === 0 ? net.inputSize : net.layers[l - 1].units);
/**
 * Number of outputs of the network.
 *
 * @example
 * outputSize(net) === net.layers.at(-1)!.units; // true
 */
export const outputSize = (net: NetSpec): number => net.layers[net.layers.length - 1].units;
