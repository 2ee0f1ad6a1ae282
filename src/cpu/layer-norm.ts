// The layer-normalization op, y = γ ⊙ (z − μ)/√(σ² + ε) + β over each row's units, its forward and
// backward beside each other (PyTorch's nn.LayerNorm over the last dimension).

/** What the forward keeps for the backward: x̂ = (z − μ)/√(σ² + ε) and 1/√(σ² + ε) per row. */
export interface LayerNormCache {
  normalized: Float64Array;
  invStd: Float64Array;
}

/**
 * Forward over a `[rows, units]` block: per row, μ and the biased variance σ² over its units,
 * x̂ = (z − μ)/√(σ² + ε), y = γ ⊙ x̂ + β; `gammaBeta` is γ then β (`[2 · units]`).
 *
 * @example
 * layerNormForward(Float64Array.of(1, 3), Float64Array.of(1, 1, 0, 0), 1, 2, 1e-5).y; // ≈ [−1, 1]
 */
export function layerNormForward(z: Float64Array, gammaBeta: Float64Array, rows: number, units: number, eps: number): { y: Float64Array; cache: LayerNormCache } {
  const y = new Float64Array(z.length);
  const normalized = new Float64Array(z.length);
  const invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    let mean = 0;
    for (let j = 0; j < units; j++) mean += z[o + j];
    mean /= units;
    let variance = 0;
    for (let j = 0; j < units; j++) variance += (z[o + j] - mean) ** 2;
    variance /= units;
    const inv = 1 / Math.sqrt(variance + eps);
    invStd[r] = inv;
    for (let j = 0; j < units; j++) {
      const xhat = (z[o + j] - mean) * inv;
      normalized[o + j] = xhat;
      y[o + j] = gammaBeta[j] * xhat + gammaBeta[units + j];
    }
  }
  return { y, cache: { normalized, invStd } };
}

/**
 * Backward, given g = ∂loss/∂y: ∂γ += Σ_rows g ⊙ x̂ and ∂β += Σ_rows g into `gradGammaBeta`; returns
 * ∂loss/∂z = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) per row, with ĝ = g ⊙ γ.
 *
 * @example
 * const dz = layerNormBackward(g, gammaBeta, cache, rows, units, gradGammaBeta);
 */
export function layerNormBackward(g: Float64Array, gammaBeta: Float64Array, cache: LayerNormCache, rows: number, units: number, gradGammaBeta: Float64Array): Float64Array {
  const dz = new Float64Array(g.length);
  const { normalized, invStd } = cache;
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    let meanG = 0;
    let meanGX = 0;
    for (let j = 0; j < units; j++) {
      const gh = g[o + j] * gammaBeta[j];
      meanG += gh;
      meanGX += gh * normalized[o + j];
      gradGammaBeta[j] += g[o + j] * normalized[o + j];
      gradGammaBeta[units + j] += g[o + j];
    }
    meanG /= units;
    meanGX /= units;
    for (let j = 0; j < units; j++) dz[o + j] = invStd[r] * (g[o + j] * gammaBeta[j] - meanG - normalized[o + j] * meanGX);
  }
  return dz;
}
