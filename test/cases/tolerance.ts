// How far one vector of numbers is from a reference, in units of the allowed error.
import { expect } from 'vitest';

/**
 * Largest |actual − reference| / (atol + rtol·|reference|) over two vectors of the same length
 * (≤ 1: every element is within tolerance).
 *
 * @example
 * expect(worstRatio(cpuWeights, gpuWeights, { atol: 5e-6, rtol: 5e-4 })).toBeLessThanOrEqual(1);
 */
export function worstRatio(reference: number[], actual: number[], tol: { atol: number; rtol: number }): number {
  expect(actual.length).toBe(reference.length);
  return reference.reduce((w, r, i) => Math.max(w, Math.abs(actual[i] - r) / (tol.atol + tol.rtol * Math.abs(r))), 0);
}
