// Reads the Keras topology of a TF.js layers model: a Sequential of Dense layers, optionally with
// an InputLayer, Activation, LeakyReLU or ELU layers following linear Dense layers, and Dropout
// (inference no-op).
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
      default:
        throw new RangeError(`${where} is a ${show(layer.class_name)} layer; this importer reads Dense, Activation, Dropout and InputLayer layers (and LeakyReLU or ELU after a linear Dense)`);
    }
  });
  return out;
}
