// Caps on a model's size, checked before anything is allocated (a guard against hostile
// configs and files). Import-free on purpose: the private entry (src/internal.ts, built alone as
// dist/internal.js) shares them with the interop entry.

/**
 * Largest layer width and input size accepted.
 *
 * @example
 * MAX_UNITS; // 1048576
 */
export const MAX_UNITS = 1 << 20;

/**
 * Most layers accepted.
 *
 * @example
 * MAX_LAYERS; // 1024
 */
export const MAX_LAYERS = 1024;

/**
 * Most parameters (weights and biases) a network may have: 2^27, whose float64 copy alone is
 * 1 GiB. Larger networks are refused before anything is allocated.
 *
 * @example
 * MAX_PARAMETERS; // 134217728
 */
export const MAX_PARAMETERS = 2 ** 27;
