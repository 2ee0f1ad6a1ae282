//!include batch.wgsl
//!include norm-output.wgsl
// Batch normalization (PyTorch's nn.BatchNorm1d on [rows, cols]), between a layer's product
// z = a·W + b and its activation: per unit j, over the batch's rows (batch.rows). gammaBeta is γ
// then β, `moments` the batch's μ then biased σ², `stats` the running mean then variance (each
// [2·cols]); per unit j:
//   forward:          μ, σ² over the rows into `moments`, invStd[j] = 1/√(σ² + ε), x̂ = (z − μ)·invStd
//                     in place of z in `xhat`, dst = f(y) with y = γ ⊙ x̂ + β, and y into `pre` when
//                     KEEP_PRE (norm-output.wgsl)
//   infer:            x̂ from the running estimates, (z − mean)/√(var + ε), in place; dst = f(y)
//   running_update:   prev = stats, then mean ← (1 − m)·mean + m·μ, var ← (1 − m)·var + m·σ²·n/(n − 1)
//                     (n = batch.rows ≥ 2, the host refuses one-row batches); nothing once flags[0]
//                     is set, as the optimizer (the divergence guard restores `prev` with the step)
//   backward:         ∂γ = Σ_rows g ⊙ x̂, ∂β = Σ_rows g into `grads` (g = ∂loss/∂y in `delta`), then
//                     delta = invStd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) with ĝ = g ⊙ γ, in place (∂loss/∂z)
// One thread a unit looping over the rows (as reduce.wgsl's column_sums): neighbouring threads read
// neighbouring addresses of each row, and a unit's sums need no workgroup reduction.

// 64 threads: on software adapters compiling takes longer the larger the workgroup (see reduce.wgsl)
const THREADS: u32 = 64u;

struct Params {
  cols: u32,
  eps: f32,
  momentum: f32,
}

// bindings 1 (gammaBeta), 2 (xhat), 4 (dst) and 5 (pre) are norm-output.wgsl's
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read_write> invStd: array<f32>;
@group(0) @binding(6) var<storage, read_write> moments: array<f32>;
@group(0) @binding(7) var<storage, read_write> stats: array<f32>;
@group(0) @binding(8) var<storage, read_write> prev: array<f32>;
@group(0) @binding(9) var<storage, read> flags: array<u32>;
@group(0) @binding(10) var<storage, read_write> delta: array<f32>;
@group(0) @binding(11) var<storage, read_write> grads: array<f32>;

/** Unit j's batch moments into `moments`, x̂ in place of z and 1/σ. Two passes (μ, then σ²), as the CPU path. */
fn normalizeColumn(j: u32) {
  let cols = params.cols;
  let rows = batch.rows;
  var s = 0.0;
  for (var r = 0u; r < rows; r++) { s += xhat[r * cols + j]; }
  let mean = s / f32(rows);
  var q = 0.0;
  for (var r = 0u; r < rows; r++) {
    let d = xhat[r * cols + j] - mean;
    q += d * d;
  }
  let variance = q / f32(rows);
  let inv = inverseSqrt(variance + params.eps);
  for (var r = 0u; r < rows; r++) { xhat[r * cols + j] = (xhat[r * cols + j] - mean) * inv; }
  invStd[j] = inv;
  moments[j] = mean;
  moments[cols + j] = variance;
}

@compute @workgroup_size(THREADS)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols) { return; }
  normalizeColumn(j);
  for (var r = 0u; r < batch.rows; r++) { writeOutput(r * cols + j, j, cols); }
}

@compute @workgroup_size(THREADS)
fn infer(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols) { return; }
  let mean = stats[j];
  let inv = inverseSqrt(stats[cols + j] + params.eps);
  for (var r = 0u; r < batch.rows; r++) {
    let i = r * cols + j;
    let x = (xhat[i] - mean) * inv;
    xhat[i] = x;
    dst[i] = activate(gammaBeta[j] * x + gammaBeta[cols + j]);
  }
}

@compute @workgroup_size(THREADS)
fn running_update(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols || flags[0] != 0u) { return; }
  let m = params.momentum;
  let n = f32(batch.rows);
  prev[j] = stats[j];
  prev[cols + j] = stats[cols + j];
  stats[j] = (1.0 - m) * stats[j] + m * moments[j];
  stats[cols + j] = (1.0 - m) * stats[cols + j] + m * moments[cols + j] * n / (n - 1.0);
}

@compute @workgroup_size(THREADS)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols) { return; }
  let rows = batch.rows;
  let gamma = gammaBeta[j];
  var dGamma = 0.0;
  var dBeta = 0.0;
  for (var r = 0u; r < rows; r++) {
    let i = r * cols + j;
    dGamma += delta[i] * xhat[i];
    dBeta += delta[i];
  }
  grads[j] = dGamma;
  grads[cols + j] = dBeta;
  // mean(ĝ) = γ·Σg/n and mean(ĝ ⊙ x̂) = γ·Σ g⊙x̂/n: the sums just taken
  let meanG = gamma * dBeta / f32(rows);
  let meanGX = gamma * dGamma / f32(rows);
  let inv = invStd[j];
  for (var r = 0u; r < rows; r++) {
    let i = r * cols + j;
    delta[i] = inv * (delta[i] * gamma - meanG - xhat[i] * meanGX);
  }
}
