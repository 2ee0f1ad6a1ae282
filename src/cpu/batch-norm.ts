// The batch-normalization op, y = γ ⊙ (z − μ)/√(σ² + ε) + β over each unit's column of the batch,
// its forward and backward beside each other (PyTorch's nn.BatchNorm1d on [rows, units]). Training
// normalizes with the batch's own mean and biased variance; inference with the running estimates.

/** What the training forward keeps for the backward: x̂ = (z − μ)/√(σ² + ε) and 1/√(σ² + ε) per unit. */
export interface BatchNormCache {
  normalized: Float64Array;
  invStd: Float64Array;
}

/** The batch's own statistics per unit: the mean and the biased variance (the running update's inputs). */
export interface BatchMoments {
  mean: Float64Array;
  variance: Float64Array;
}

/**
 * Training forward over a `[rows, units]` block: per unit, μ and the biased variance σ² over the
 * rows, x̂ = (z − μ)/√(σ² + ε), y = γ ⊙ x̂ + β; `gammaBeta` is γ then β (`[2 · units]`).
 *
 * @example
 * batchNormForward(Float64Array.of(1, 3), Float64Array.of(1, 0), 2, 1, 1e-5).y; // ≈ [−1, 1]
 */
export function batchNormForward(z: Float64Array, gammaBeta: Float64Array, rows: number, units: number, eps: number): { y: Float64Array; cache: BatchNormCache; moments: BatchMoments } {
  const mean = new Float64Array(units);
  const variance = new Float64Array(units);
  for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) mean[j] += z[r * units + j];
  for (let j = 0; j < units; j++) mean[j] /= rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) variance[j] += (z[r * units + j] - mean[j]) ** 2;
  for (let j = 0; j < units; j++) variance[j] /= rows;
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const normalized = new Float64Array(z.length);
  const y = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const i = r * units + j;
      normalized[i] = (z[i] - mean[j]) * invStd[j];
      y[i] = gammaBeta[j] * normalized[i] + gammaBeta[units + j];
    }
  }
  return { y, cache: { normalized, invStd }, moments: { mean, variance } };
}

/**
 * Inference forward: the running mean and variance (`stats`: mean then variance, `[2 · units]`)
 * in place of the batch's, y = γ ⊙ (z − mean)/√(var + ε) + β.
 *
 * @example
 * batchNormInfer(Float64Array.of(2), Float64Array.of(1, 0), Float64Array.of(1, 4), 1, 1, 0).y; // [0.5]
 */
export function batchNormInfer(z: Float64Array, gammaBeta: Float64Array, stats: Float64Array, rows: number, units: number, eps: number): { y: Float64Array } {
  const y = new Float64Array(z.length);
  for (let j = 0; j < units; j++) {
    const inv = 1 / Math.sqrt(stats[units + j] + eps);
    for (let r = 0; r < rows; r++) y[r * units + j] = gammaBeta[j] * (z[r * units + j] - stats[j]) * inv + gammaBeta[units + j];
  }
  return { y };
}

/**
 * The running estimates after one training batch of `rows` rows, in place, as PyTorch counts its
 * momentum: mean ← (1 − m)·mean + m·μ, var ← (1 − m)·var + m·σ²·rows/(rows − 1) (the unbiased
 * batch variance; training itself normalizes with the biased one).
 *
 * @example
 * updateRunningStats(stats, moments, 32, 0.1);
 */
export function updateRunningStats(stats: Float64Array, moments: BatchMoments, rows: number, momentum: number): void {
  const units = moments.mean.length;
  const unbias = rows / (rows - 1);
  for (let j = 0; j < units; j++) {
    stats[j] = (1 - momentum) * stats[j] + momentum * moments.mean[j];
    stats[units + j] = (1 - momentum) * stats[units + j] + momentum * moments.variance[j] * unbias;
  }
}

/**
 * Backward of the training forward, given g = ∂loss/∂y: ∂γ += Σ_rows g ⊙ x̂ and ∂β += Σ_rows g into
 * `gradGammaBeta`; returns ∂loss/∂z = (1/σ)·(ĝ − mean_rows(ĝ) − x̂·mean_rows(ĝ ⊙ x̂)) per unit, with
 * ĝ = g ⊙ γ (the batch's mean and variance depend on every row).
 *
 * @example
 * const dz = batchNormBackward(g, gammaBeta, cache, rows, units, gradGammaBeta);
 */
export function batchNormBackward(g: Float64Array, gammaBeta: Float64Array, cache: BatchNormCache, rows: number, units: number, gradGammaBeta: Float64Array): Float64Array {
  const { normalized, invStd } = cache;
  const meanG = new Float64Array(units);
  const meanGX = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const i = r * units + j;
      const gh = g[i] * gammaBeta[j];
      meanG[j] += gh;
      meanGX[j] += gh * normalized[i];
      gradGammaBeta[j] += g[i] * normalized[i];
      gradGammaBeta[units + j] += g[i];
    }
  }
  const dz = new Float64Array(g.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const i = r * units + j;
      dz[i] = invStd[j] * (g[i] * gammaBeta[j] - meanG[j] / rows - normalized[i] * (meanGX[j] / rows));
    }
  }
  return dz;
}
