//!include batch.wgsl
//!include activation.wgsl
// The output layer's error term and each row's loss and correctness, one thread per row.
//
//   δ = a − y                      sigmoid + binary cross-entropy, softmax + categorical cross-entropy
//   δ = ∂loss/∂a ⊙ f'(a)           otherwise, with ∂loss/∂a = (a − y) for sse, 2(a − y)/cols for mse,
//                                  clamp(a − y, −δₕ, δₕ)/cols for huber (δₕ = params.huberDelta)
//   δ_j = a_j (g_j − Σ_k g_k a_k)  softmax under sse/mse (its Jacobian applied to g = ∂loss/∂a)
//
// Huber: ½d² for |d| ≤ δₕ, else δₕ(|d| − ½δₕ), averaged over the row's outputs (as mse is).
// rowStats[2r] is row r's loss, rowStats[2r + 1] is 1 when its prediction is right (argmax match,
// or the same side of 0.5 for one output). Logarithms see outputs clamped to [1e-7, 1 − 1e-7].
//
// WEIGHTED: row r's loss and delta are multiplied by its sample weight (class and sample
// weights, gathered into sampleWeights[r]); its correctness is not.
// METRICS: rowMetrics[2r] = Σ_j |y − a|, rowMetrics[2r + 1] = Σ_j (y − a)² (regression models'
// mean absolute error and R², reduced per batch like rowStats).

const LOSS_SSE: u32 = 0u;
const LOSS_MSE: u32 = 1u;
const LOSS_BINARY_CROSS_ENTROPY: u32 = 2u;
const LOSS_CATEGORICAL_CROSS_ENTROPY: u32 = 3u;
const LOSS_HUBER: u32 = 4u;
const THREADS: u32 = 64u;

override LOSS: u32 = LOSS_SSE;
override WRITE_DELTA: bool = true;
override WEIGHTED: bool = false;
override METRICS: bool = false;

struct Params {
  cols: u32,
  huberDelta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowStats: array<f32>;
@group(0) @binding(5) var<storage, read> sampleWeights: array<f32>;
@group(0) @binding(6) var<storage, read_write> rowMetrics: array<f32>;

const EPS: f32 = 1e-7;

/** ∂loss/∂a of one output (sse and mse: scale·(a − y); huber: scale·clamp(a − y, −δₕ, δₕ)). */
fn lossGradient(av: f32, yv: f32, scale: f32) -> f32 {
  if (LOSS == LOSS_HUBER) { return scale * clamp(av - yv, -params.huberDelta, params.huberDelta); }
  return scale * (av - yv);
}

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= batch.rows) { return; }
  let cols = params.cols;
  let o = r * cols;
  var scale = select(1.0, 2.0 / f32(cols), LOSS == LOSS_MSE);
  if (LOSS == LOSS_HUBER) { scale = 1.0 / f32(cols); }

  // loss and correctness
  var loss = 0.0;
  var ia = 0u;
  var iy = 0u;
  var absErr = 0.0;
  var sqErr = 0.0;
  for (var j = 0u; j < cols; j++) {
    let av = a[o + j];
    let yv = y[o + j];
    let d = yv - av;
    absErr += abs(d);
    sqErr += d * d;
    switch LOSS {
      case LOSS_SSE: { loss += 0.5 * d * d; }
      case LOSS_MSE: { loss += d * d; }
      case LOSS_HUBER: {
        let hd = params.huberDelta;
        let ad = abs(d);
        loss += select(hd * (ad - 0.5 * hd), 0.5 * d * d, ad <= hd);
      }
      case LOSS_BINARY_CROSS_ENTROPY: {
        let p = clamp(av, EPS, 1.0 - EPS);
        loss -= yv * log(p) + (1.0 - yv) * log(1.0 - p);
      }
      default: {
        if (yv != 0.0) { loss -= yv * log(clamp(av, EPS, 1.0 - EPS)); }
      }
    }
    if (av > a[o + ia]) { ia = j; }
    if (yv > y[o + iy]) { iy = j; }
  }
  if (LOSS == LOSS_MSE || LOSS == LOSS_HUBER) { loss /= f32(cols); }
  var right = ia == iy;
  if (cols == 1u) { right = (a[o] > 0.5) == (y[o] > 0.5); }
  var w = 1.0;
  if (WEIGHTED) { w = sampleWeights[r]; }
  rowStats[2u * r] = loss * w;
  rowStats[2u * r + 1u] = select(0.0, 1.0, right);
  if (METRICS) {
    rowMetrics[2u * r] = absErr;
    rowMetrics[2u * r + 1u] = sqErr;
  }

  if (!WRITE_DELTA) { return; }
  // output delta (times the row's weight)
  if (LOSS == LOSS_BINARY_CROSS_ENTROPY || LOSS == LOSS_CATEGORICAL_CROSS_ENTROPY) {
    for (var j = 0u; j < cols; j++) { delta[o + j] = (a[o + j] - y[o + j]) * w; }
  } else if (ACTIVATION == ACTIVATION_SOFTMAX) {
    var dot = 0.0;
    for (var j = 0u; j < cols; j++) { dot += lossGradient(a[o + j], y[o + j], scale) * a[o + j]; }
    for (var j = 0u; j < cols; j++) {
      let g = lossGradient(a[o + j], y[o + j], scale);
      delta[o + j] = a[o + j] * (g - dot) * w;
    }
  } else {
    for (var j = 0u; j < cols; j++) {
      delta[o + j] = lossGradient(a[o + j], y[o + j], scale) * derivative(a[o + j]) * w;
    }
  }
}
