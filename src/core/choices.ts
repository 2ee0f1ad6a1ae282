// The names a model config may choose from. Import-free on purpose: the private entry
// (src/internal.ts, built alone as dist/internal.js) shares them with the interop entry.
import type { Activation, BackendName, LossName, NormName } from './types';

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

/**
 * The normalizations a hidden layer may apply (`norm`).
 *
 * @example
 * NORMS.includes('batch'); // true
 */
export const NORMS: readonly NormName[] = ['layer', 'batch'];

/**
 * Batch normalization's momentum when `normMomentum` is not given: each batch's weight in the
 * running mean and variance (PyTorch's `nn.BatchNorm1d` default and convention).
 *
 * @example
 * DEFAULT_NORM_MOMENTUM; // 0.1
 */
export const DEFAULT_NORM_MOMENTUM = 0.1;

/**
 * ε of a layer's normalization when `normEpsilon` is not given (PyTorch's `nn.LayerNorm` default).
 *
 * @example
 * DEFAULT_NORM_EPSILON; // 1e-5
 */
export const DEFAULT_NORM_EPSILON = 1e-5;
