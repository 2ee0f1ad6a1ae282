//!include batch.wgsl
//!include norm-output.wgsl
// Layer normalization (PyTorch's nn.LayerNorm over a row's `cols` units), between a layer's product
// z = a·W + b and its activation. gammaBeta is γ then β ([2·cols]); per row r:
//   forward:          x̂ = (z − μ)/√(σ² + ε) in place of z in `xhat`, invStd[r] = 1/√(σ² + ε) (σ² the
//                     biased variance), dst = f(y) with y = γ ⊙ x̂ + β, and y into `pre` when
//                     KEEP_PRE (norm-output.wgsl)
//   param_grads:      ∂γ = Σ_rows g ⊙ x̂, ∂β = Σ_rows g into `grads` (g = ∂loss/∂y in `delta`; one
//                     thread a column, as reduce.wgsl's column_sums); runs before `backward`
//   backward:         delta = (1/σ)(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) with ĝ = g ⊙ γ, in place (∂loss/∂z)
// One workgroup per row (grid over rows in x, then y), its threads striding over the units, so a
// row of thousands of units is one workgroup's loop; the row's sums are reduced in workgroup memory.

// 64 threads: on software adapters compiling takes longer the larger the workgroup (see reduce.wgsl)
const THREADS: u32 = 64u;

struct Params {
  cols: u32,
  eps: f32,
}

// bindings 1 (gammaBeta), 2 (xhat), 4 (dst) and 5 (pre) are norm-output.wgsl's
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read_write> invStd: array<f32>;
@group(0) @binding(6) var<storage, read_write> delta: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;

var<workgroup> partial: array<vec2<f32>, THREADS>;

/** The workgroup's sum of each thread's `v` (every thread gets it). */
fn rowSum(lane: u32, v: vec2<f32>) -> vec2<f32> {
  partial[lane] = v;
  workgroupBarrier();
  for (var w = THREADS / 2u; w > 0u; w >>= 1u) {
    if (lane < w) { partial[lane] += partial[lane + w]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

/** Row `r`'s x̂ (in place of z) and 1/σ; returns 1/σ. Two passes (μ, then σ²), as the CPU path. */
fn normalizeRow(r: u32, lane: u32) -> f32 {
  let cols = params.cols;
  let o = r * cols;
  var s = 0.0;
  for (var j = lane; j < cols; j += THREADS) { s += xhat[o + j]; }
  let mean = rowSum(lane, vec2<f32>(s, 0.0)).x / f32(cols);
  var q = 0.0;
  for (var j = lane; j < cols; j += THREADS) {
    let d = xhat[o + j] - mean;
    q += d * d;
  }
  let inv = inverseSqrt(rowSum(lane, vec2<f32>(q, 0.0)).x / f32(cols) + params.eps);
  for (var j = lane; j < cols; j += THREADS) { xhat[o + j] = (xhat[o + j] - mean) * inv; }
  if (lane == 0u) { invStd[r] = inv; }
  return inv;
}

@compute @workgroup_size(THREADS)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= batch.rows) { return; }
  normalizeRow(r, lid.x);
  let cols = params.cols;
  // each thread reads back the x̂ it wrote: the same units j as in normalizeRow
  for (var j = lid.x; j < cols; j += THREADS) { writeOutput(r * cols + j, j, cols); }
}

@compute @workgroup_size(THREADS)
fn param_grads(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols) { return; }
  var dGamma = 0.0;
  var dBeta = 0.0;
  for (var r = 0u; r < batch.rows; r++) {
    let g = delta[r * cols + j];
    dGamma += g * xhat[r * cols + j];
    dBeta += g;
  }
  grads[j] = dGamma;
  grads[cols + j] = dBeta;
}

@compute @workgroup_size(THREADS)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= batch.rows) { return; }
  let cols = params.cols;
  let o = r * cols;
  var s = vec2<f32>(0.0, 0.0);
  for (var j = lid.x; j < cols; j += THREADS) {
    let gh = delta[o + j] * gammaBeta[j];
    s += vec2<f32>(gh, gh * xhat[o + j]);
  }
  let means = rowSum(lid.x, s) / f32(cols);
  let inv = invStd[r];
  for (var j = lid.x; j < cols; j += THREADS) {
    delta[o + j] = inv * (delta[o + j] * gammaBeta[j] - means.x - xhat[o + j] * means.y);
  }
}
