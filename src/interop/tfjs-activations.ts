// Our activation names in the TF.js layers format and back: TF.js 4.22's activation identifiers
// (tfjs-layers/src/activations.ts), and its LeakyReLU layer, which carries alpha (it has no
// leaky-ReLU activation). Its 'elu' runs with alpha 1 and its ELU layer refuses any other alpha, so
// elu with another alpha is refused on export; an ELU layer is read back.
import type { Activation } from '../index';
import { show } from './common';

const TO_TFJS: Readonly<Record<Exclude<Activation, 'leakyRelu'>, string>> = {
  sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', linear: 'linear', softmax: 'softmax',
  elu: 'elu', selu: 'selu', softplus: 'softplus', silu: 'swish', mish: 'mish', gelu: 'gelu', geluTanh: 'gelu_new',
};
const FROM_TFJS: ReadonlyMap<string, Activation> = new Map(Object.entries(TO_TFJS).map(([ours, theirs]) => [theirs, ours as Activation]));

/**
 * How a layer is written: its Dense layer's `activation`, and for leakyRelu a LeakyReLU layer after
 * it carrying alpha; elu with alpha ≠ 1 and geluTanh, which TF.js 4.22 cannot load, are refused.
 *
 * @example
 * tfjsActivation({ activation: 'silu' }, 'dense_1'); // { dense: 'swish', after: null }
 */
export function tfjsActivation(layer: { activation: Activation; alpha?: number }, name: string): { dense: string; after: { class_name: string; config: Record<string, unknown> } | null } {
  if (layer.activation === 'leakyRelu') return { dense: 'linear', after: { class_name: 'LeakyReLU', config: { name: `${name}_leaky_re_lu`, alpha: layer.alpha ?? 0.01, trainable: true, dtype: 'float32' } } };
  if (layer.activation === 'elu' && layer.alpha !== undefined && layer.alpha !== 1) {
    // tfjs-layers 4.22's ELU layer throws 'Non-default alpha value … is not supported' when loaded
    throw new RangeError(`layer '${name}' is 'elu' with alpha ${layer.alpha}: TF.js 4.22 runs ELU with alpha 1 only (its ELU layer refuses another alpha), so the TF.js layers format cannot express it`);
  }
  if (layer.activation === 'geluTanh') {
    // tfjs-layers 4.22 registers it as 'gelu_new' but looks it up as 'geluNew' when loading
    throw new RangeError(`layer '${name}' is 'geluTanh': TF.js 4.22 writes it as 'gelu_new' but cannot load that name back (Unknown activation: geluNew), so the TF.js layers format cannot carry it; use 'gelu' or the ONNX or safetensors export`);
  }
  return { dense: TO_TFJS[layer.activation], after: null };
}

/**
 * Our name of a TF.js activation identifier; a name we have no activation for is refused, naming it.
 *
 * @example
 * activationFromTfjs('gelu_new', 'model.json layer 0'); // 'geluTanh'
 */
export function activationFromTfjs(name: unknown, where: string): Activation {
  const ours = typeof name === 'string' ? FROM_TFJS.get(name) : undefined;
  if (!ours) throw new RangeError(`${where} has activation ${show(name)}, which this library has no activation for; it reads ${[...FROM_TFJS.keys()].map((n) => `'${n}'`).join(', ')} (and LeakyReLU / ELU layers)`);
  return ours;
}
