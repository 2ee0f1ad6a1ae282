/**
 * Outputs are clamped to [LOG_EPS, 1 − LOG_EPS] inside the logarithms of the cross-entropy
 * losses, so no backend ever takes log(0); every backend uses this one value.
 *
 * @example
 * Math.log(Math.max(LOG_EPS, 0)); // −16.1…, not −Infinity
 */
export const LOG_EPS = 1e-7;
