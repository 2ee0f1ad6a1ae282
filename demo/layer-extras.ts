// The editor's per-layer `norm` choice (none / layer / batch normalization, hidden layers) and `alpha`
// input (leakyRelu's slope, elu's scale): the fields, and how a row shows and reads them.
import type { Activation, LayerSpec } from '../src';
import { el } from './dom';

/** The activations that take `alpha`, with the library's default (PyTorch's). */
const ALPHA_DEFAULTS: Partial<Record<Activation, number>> = { leakyRelu: 0.01, elu: 1 };

/**
 * The `norm` select of a hidden layer: none, layer normalization (over the layer's units) or batch
 * normalization (over the batch's rows, running estimates with the library's momentum 0.1 and ε 1e-5),
 * γ ⊙ (z − μ)/σ + β before the activation.
 *
 * @example
 * normSelect('batch').value; // 'batch'
 */
export function normSelect(norm?: LayerSpec['norm']): HTMLSelectElement {
  const s = el('select', { class: 'norm', title: "normalize z before the activation, with a learned scale γ and shift β per unit: layer norm over the layer's units; batch norm over the batch's rows (predictions use running estimates, momentum 0.1)" },
    el('option', { value: '' }, 'no norm'), el('option', { value: 'layer' }, 'layer norm'), el('option', { value: 'batch' }, 'batch norm'));
  s.value = norm === 'layer' || norm === 'batch' ? norm : '';
  return s;
}

/**
 * The refusal of a batch size of 1 when a layer has batch norm (its variance over one row is 0), as
 * `fit` refuses it; null when the batch size is fine. A last batch of one row is refused by `fit` itself.
 *
 * @example
 * oneRowBatchNorm([{ units: 4, activation: 'relu', norm: 'batch' }], 1); // "batch size 1: hidden layer 1 has batch norm, …"
 */
export function oneRowBatchNorm(layers: LayerSpec[], batchSize: number): string | null {
  const l = layers.findIndex((layer) => layer.norm === 'batch');
  if (l < 0 || batchSize !== 1) return null;
  return `batch size 1: hidden layer ${l + 1} has batch norm, which needs at least 2 rows in every training batch (its variance over one row is 0); use a batch size ≥ 2`;
}

/**
 * The `alpha` number input (empty: the default); {@link updateAlpha} enables it for leakyRelu and elu.
 *
 * @example
 * alphaInput(0.2).value; // '0.2'
 */
export function alphaInput(alpha?: number): HTMLInputElement {
  const a = el('input', { type: 'number', step: 'any', class: 'alpha' });
  if (alpha !== undefined) a.value = String(alpha);
  return a;
}

/**
 * Enables `input` only for an activation that takes alpha (cleared otherwise), with its default
 * as the placeholder and a title that says what it is.
 *
 * @example
 * updateAlpha(row.alpha, 'elu'); // enabled, placeholder '1'
 */
export function updateAlpha(input: HTMLInputElement, activation: Activation): void {
  const fallback = ALPHA_DEFAULTS[activation];
  input.disabled = fallback === undefined;
  if (input.disabled) input.value = '';
  input.placeholder = fallback === undefined ? '–' : String(fallback);
  input.title =
    activation === 'leakyRelu' ? `leakyRelu's slope for z < 0 (empty: ${fallback})` : activation === 'elu' ? `elu's α: α(eᶻ − 1) for z < 0, > 0 (empty: ${fallback})` : 'α applies to leakyRelu and elu only';
}

/**
 * Reads alpha for `activation` from `input`: undefined when empty or not applicable; otherwise a
 * finite number (> 0 for elu), else a RangeError naming the layer.
 *
 * @example
 * readAlpha(row.alpha, 'leakyRelu', 2); // 0.2 for '0.2'
 */
export function readAlpha(input: HTMLInputElement, activation: Activation, layer: number): number | undefined {
  const raw = input.value.trim();
  if (raw === '' || ALPHA_DEFAULTS[activation] === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || (activation === 'elu' && v <= 0)) throw new RangeError(`α of layer ${layer} must be a number${activation === 'elu' ? ' > 0' : ''}, got '${raw}'`);
  return v;
}
