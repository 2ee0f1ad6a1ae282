// What the backends share about an activation beyond its name: the `alpha` it runs with, SELU's
// constants, and whether its derivative needs the pre-activation z kept from the forward pass.
import type { Activation, LayerSpec } from './types';

/**
 * The default `alpha` of the activations that take one (PyTorch's defaults).
 *
 * @example
 * DEFAULT_ALPHA.elu; // 1
 */
export const DEFAULT_ALPHA: Readonly<Record<'leakyRelu' | 'elu', number>> = { leakyRelu: 0.01, elu: 1 };

/**
 * SELU's fixed α and scale (Klambauer et al. 2017, the values PyTorch and TF.js use).
 *
 * @example
 * SELU.scale * SELU.alpha; // ≈ 1.7581
 */
export const SELU = { alpha: 1.6732632423543772, scale: 1.0507009873554805 } as const;

/**
 * The activations whose derivative cannot be recovered from the output a = f(z) (not invertible):
 * a layer with one keeps z from the forward pass for its backward.
 *
 * @example
 * Z_ACTIVATIONS.includes('gelu'); // true
 */
export const Z_ACTIVATIONS: readonly Activation[] = ['gelu', 'geluTanh', 'silu', 'mish'];

/**
 * The `alpha` a layer runs with: its own, else the default of its activation (0 for the others).
 *
 * @example
 * activationAlpha({ units: 4, activation: 'leakyRelu' }); // 0.01
 */
export function activationAlpha(layer: Pick<LayerSpec, 'activation' | 'alpha'>): number {
  if (layer.alpha !== undefined) return layer.alpha;
  return layer.activation === 'leakyRelu' || layer.activation === 'elu' ? DEFAULT_ALPHA[layer.activation] : 0;
}

/**
 * True when the layer's backward needs z: a {@link Z_ACTIVATIONS} activation, or a leakyRelu with
 * a negative slope (its output's sign no longer tells z's).
 *
 * @example
 * keepsPreActivation({ units: 4, activation: 'silu' }); // true
 */
export function keepsPreActivation(layer: Pick<LayerSpec, 'activation' | 'alpha'>): boolean {
  return Z_ACTIVATIONS.includes(layer.activation) || (layer.activation === 'leakyRelu' && activationAlpha(layer) < 0);
}

/**
 * PyTorch's nn.Softplus threshold: above it softplus(z) is z, and its derivative 1.
 *
 * @example
 * SOFTPLUS_LIMIT; // 20
 */
export const SOFTPLUS_LIMIT = 20;
