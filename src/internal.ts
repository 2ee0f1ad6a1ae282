/**
 * webgpu-mlp's private entry: the core's constants and helpers that the interop entry shares
 * instead of copying; not part of the public API. Built alone as dist/internal.js, so the modules
 * it re-exports must import nothing at run time (the library build refuses them otherwise).
 *
 * @example
 * import { ACTIVATIONS, MAX_PARAMETERS, parseJsonText } from '../internal'; // from src/interop/ only
 */
export { ACTIVATIONS, LOSSES } from './core/choices';
export { MAX_PARAMETERS } from './core/model-caps';
export { parseJsonText } from './core/json';
