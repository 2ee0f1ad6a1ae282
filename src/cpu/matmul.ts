/**
 * Float64 matrix products in the three forms backpropagation needs, none of which builds a
 * transpose. All matrices are row-major; the result `C` is `[M, N]` and `K` is the contracted size.
 *
 * @example
 * const c = matmulAB(new Float64Array([1, 2]), new Float64Array([3, 4]), 1, 2, 1); // [11]
 */

/** C = A·B with A `[M, K]`, B `[K, N]` (forward: z = a_prev·W). */
export function matmulAB(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      if (aik === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** C = Aᵀ·B with A `[K, M]`, B `[K, N]` (weight gradient: ∂W = a_prevᵀ·δ). */
export function matmulATB(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let k = 0; k < K; k++) {
    const ak = k * M;
    const bk = k * N;
    for (let i = 0; i < M; i++) {
      const aki = a[ak + i];
      if (aki === 0) continue;
      const ci = i * N;
      for (let j = 0; j < N; j++) c[ci + j] += aki * b[bk + j];
    }
  }
  return c;
}

/** C = A·Bᵀ with A `[M, K]`, B `[N, K]` (error term: δ·Wᵀ). */
export function matmulABT(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    const ai = i * K;
    for (let j = 0; j < N; j++) {
      const bj = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
      c[i * N + j] = s;
    }
  }
  return c;
}
