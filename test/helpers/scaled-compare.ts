// Float32 results against a float64 reference, each value within a tolerance scaled by the sum of
// magnitudes it came from: shared by the wasm normalization kernel tests.

/**
 * The first (at most four) values of `got` off `want` by more than 1e-7 + 1e-6·scale(i), each
 * named by `label` and its index (empty when all agree).
 */
export function compareScaled(label: string, got: ArrayLike<number>, want: ArrayLike<number>, scale: (i: number) => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.length && out.length < 4; i++) {
    const tol = 1e-7 + 1e-6 * scale(i);
    if (!(Math.abs(got[i] - want[i]) <= tol)) out.push(`${label}[${i}] = ${got[i]}, expected ${want[i]} (|diff| ${Math.abs(got[i] - want[i]).toExponential(2)} > ${tol.toExponential(2)})`);
  }
  return out;
}
