// Validating configs and options: the shared checks (checks.ts), the network and model config
// (network.ts), optimizers (optimizer.ts) and the float32 range of the WebGPU backend
// (float32.ts); the config's names and size caps come from src/core/choices.ts and
// src/core/model-caps.ts, import-free so that src/internal.ts can share them.
export { checkInteger, checkNumber, checkBoolean, checkChoice } from './checks';
export { type NetSpec, type ResolvedConfig, CONFIG_KEYS, readConfig, resolveNetSpec, resolveConfig, frozenConfig, fanIn, outputSize } from './network';
export { type ResolvedOptimizer, resolveOptimizer } from './optimizer';
export { FLOAT32_MAX, FLOAT32_OVERFLOW, FLOAT32_MIN_NORMAL, checkFloat32Settings } from './float32';
export { ACTIVATIONS, LOSSES, BACKENDS } from '../choices';
export { MAX_UNITS, MAX_LAYERS, MAX_PARAMETERS } from '../model-caps';
export { describeValue } from '../inspect';
