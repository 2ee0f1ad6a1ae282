// Reads the Keras topology of a TF.js layers model: a Sequential of Dense layers, optionally with
// an InputLayer, LayerNormalization, BatchNormalization, Activation, LeakyReLU or ELU layers following linear Dense
// layers, and Dropout (inference no-op).
import type { Activation } from '../index';
import { isObject, show } from './common';
import { activationFromTfjs } from './tfjs-activations';

/**
 * A Dense layer as the topology describes it.
 *
 * @example
 * const d: DenseSpec = { name: 'dense_1', units: 8, activation: 'relu', useBias: true };
 */
export interface DenseSpec {
  name: string;
  units: number;
  activation: Activation;
  /** leakyRelu's or elu's alpha, from a LeakyReLU or ELU layer after it. */
  alpha?: number;
  useBias: boolean;
  /**
   * A LayerNormalization or BatchNormalization layer between this (linear) Dense layer and its
   * activation: its name, epsilon, and for batch normalization the momentum as the library counts it.
   */
  norm?: { name: string; epsilon: number; batch?: { momentum: number } };
}

/** A LayerNormalization or BatchNormalization layer's config, checked: over the last axis, with γ and β. */
function readNorm(where: string, className: string, c: Record<string, unknown>): NonNullable<DenseSpec['norm']> {
  const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
  // the units are the last axis of a [batch, units] tensor: -1, or 1
  if (axis !== -1 && axis !== 1) throw new RangeError(`${where} ('${String(c.name)}') normalizes over axis ${show(c.axis)}; only the last axis (-1) is read`);
  if (c.center === false || c.scale === false) throw new RangeError(`${where} ('${String(c.name)}') has center ${show(c.center)} and scale ${show(c.scale)}; only center and scale true (learned β and γ) are read`);
  // TF.js's default epsilon when the config leaves it out: 1e-3
  const epsilon = c.epsilon ?? 1e-3;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`${where} ('${String(c.name)}') epsilon must be a finite number > 0, got ${show(epsilon)}`);
  if (typeof c.name !== 'string' || c.name === '') throw new TypeError(`${where} (${className}) must have a name, got ${show(c.name)}`);
  if (className === 'LayerNormalization') return { name: c.name, epsilon };
  // Keras counts momentum as the weight of the old estimate (default 0.99), the library as the new batch's
  const keras = c.momentum ?? 0.99;
  if (typeof keras !== 'number' || !(keras >= 0 && keras < 1)) throw new RangeError(`${where} ('${c.name}') momentum must be a number in [0, 1), got ${show(keras)}`);
  // 1 − 0.9 is 0.09999999999999998 in float64: 15 significant digits give back the 0.1 that was written
  return { name: c.name, epsilon, batch: { momentum: Number((1 - keras).toPrecision(15)) } };
}

/**
 * The topology's dense layers in order, and the input width when it states one.
 *
 * @example
 * const { dense, inputSize }: Topology = parseTopology(json.modelTopology);
 */
export interface Topology {
  dense: DenseSpec[];
  inputSize?: number;
}

function inputWidth(where: string, shape: unknown): number {
  if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || shape[1] < 1) {
    throw new RangeError(`${where} must be [null, features] (a flat input), got ${show(shape)}`);
  }
  return shape[1];
}

/**
 * Checks and reads `modelTopology` (or its Keras `model_config`): a Sequential of Dense layers,
 * with InputLayer, Activation and Dropout layers allowed.
 *
 * @example
 * parseTopology(json.modelTopology).dense.map((d) => d.units); // e.g. [8, 1]
 */
export function parseTopology(value: unknown): Topology {
  if (!isObject(value)) throw new TypeError(`model.json modelTopology must be an object, got ${show(value)}`);
  const model = isObject(value.model_config) ? value.model_config : value;
  if (model.class_name !== 'Sequential') throw new RangeError(`model.json modelTopology class_name must be 'Sequential', got ${show(model.class_name)}`);
  const config = model.config;
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(list)) throw new TypeError(`model.json Sequential config must list its layers, got ${show(config)}`);
  const out: Topology = { dense: [] };
  list.forEach((layer: unknown, i: number) => {
    const where = `model.json layer ${i}`;
    if (!isObject(layer) || !isObject(layer.config)) throw new TypeError(`${where} must be {class_name, config}, got ${show(layer)}`);
    const c = layer.config;
    const shape = c.batch_input_shape ?? c.batch_shape;
    if (shape !== undefined && i === 0) out.inputSize = inputWidth(`${where} batch_input_shape`, shape);
    switch (layer.class_name) {
      case 'InputLayer':
        if (i !== 0) throw new RangeError(`${where} is an InputLayer; only the first layer may be one`);
        return;
      case 'Dropout':
        return;
      case 'Dense': {
        if (typeof c.name !== 'string' || c.name === '') throw new TypeError(`${where} (Dense) must have a name, got ${show(c.name)}`);
        if (!Number.isSafeInteger(c.units) || (c.units as number) < 1) throw new RangeError(`${where} ('${c.name}') units must be a positive integer, got ${show(c.units)}`);
        if (c.use_bias !== undefined && typeof c.use_bias !== 'boolean') throw new TypeError(`${where} ('${c.name}') use_bias must be a boolean, got ${show(c.use_bias)}`);
        out.dense.push({ name: c.name, units: c.units as number, activation: activationFromTfjs(c.activation ?? 'linear', `${where} ('${c.name}')`), useBias: c.use_bias !== false });
        return;
      }
      case 'Activation': {
        const last = out.dense[out.dense.length - 1];
        if (!last || last.activation !== 'linear') {
          throw new RangeError(`${where} is an Activation layer after ${last ? `Dense '${last.name}' with activation '${last.activation}'` : 'no Dense layer'}; only one activation per Dense layer is supported`);
        }
        last.activation = activationFromTfjs(c.activation, where);
        return;
      }
      case 'LeakyReLU':
      case 'ELU': {
        const last = out.dense[out.dense.length - 1];
        if (!last || last.activation !== 'linear') throw new RangeError(`${where} is a ${layer.class_name} layer after ${last ? `Dense '${last.name}' with activation '${last.activation}'` : 'no Dense layer'}; only one activation per Dense layer is supported`);
        // TF.js's defaults when the config leaves alpha out: LeakyReLU 0.3, ELU 1
        const alpha = c.alpha ?? (layer.class_name === 'LeakyReLU' ? 0.3 : 1);
        if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new RangeError(`${where} (${layer.class_name}) alpha must be a finite number, got ${show(alpha)}`);
        last.activation = layer.class_name === 'LeakyReLU' ? 'leakyRelu' : 'elu';
        last.alpha = alpha;
        return;
      }
      case 'LayerNormalization':
      case 'BatchNormalization': {
        const last = out.dense[out.dense.length - 1];
        if (!last || last.activation !== 'linear' || last.norm) throw new RangeError(`${where} is a ${layer.class_name} layer after ${last ? `Dense '${last.name}' with activation '${last.activation}'${last.norm ? ' and a normalization' : ''}` : 'no Dense layer'}; it is read only between a linear Dense layer and its activation`);
        last.norm = readNorm(where, layer.class_name, c);
        return;
      }
      default:
        throw new RangeError(`${where} is a ${show(layer.class_name)} layer; this importer reads Dense, Activation, Dropout and InputLayer layers (and LayerNormalization, BatchNormalization, LeakyReLU or ELU after a linear Dense)`);
    }
  });
  return out;
}
