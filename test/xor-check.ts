// The check every end-to-end XOR run shares: predictions for (0,0), (0,1), (1,0), (1,1) on the
// right side of 0.1 and 0.9.
import { expect } from 'vitest';

/** Expects `predictions` (one output per XOR row, in the order 00, 01, 10, 11) to have learned XOR. */
export function expectXorPredictions(predictions: ArrayLike<number>): void {
  const [p00, p01, p10, p11] = Array.from(predictions);
  expect(p00).toBeLessThan(0.1);
  expect(p01).toBeGreaterThan(0.9);
  expect(p10).toBeGreaterThan(0.9);
  expect(p11).toBeLessThan(0.1);
}
