// The names a model config may choose from. Import-free on purpose: the private entry
// (src/internal.ts, built alone as dist/internal.js) shares them with the interop entry.
import type { Activation, BackendName, LossName } from './types';

/**
 * The activations a layer may have (`softmax` on the output layer only).
 *
 * @example
 * ACTIVATIONS.includes('relu'); // true
 */
export const ACTIVATIONS: readonly Activation[] = [
  'sigmoid', 'tanh', 'relu', 'linear', 'softmax', 'leakyRelu', 'elu', 'selu', 'gelu', 'geluTanh', 'silu', 'softplus', 'mish',
];

/**
 * The losses a model may train with.
 *
 * @example
 * LOSSES.includes('mse'); // true
 */
export const LOSSES: readonly LossName[] = ['sse', 'mse', 'binaryCrossEntropy', 'categoricalCrossEntropy', 'huber'];

/**
 * The backends a config may ask for.
 *
 * @example
 * BACKENDS; // ['cpu', 'webgpu', 'wasm', 'auto']
 */
export const BACKENDS: readonly BackendName[] = ['cpu', 'webgpu', 'wasm', 'auto'];
