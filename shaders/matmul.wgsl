// Tiled matrix product C[M, N] = op(A) · op(B), with the epilogues backpropagation needs.
//
//   TRANS_A = false: A is [M, K]      TRANS_A = true: A is stored [K, M]  (∂W = a_prevᵀ · δ)
//   TRANS_B = false: B is [K, N]      TRANS_B = true: B is stored [N, K]  (δ · Wᵀ)
//
//   EPILOGUE 0: C = A·B
//   EPILOGUE 1: C = f(A·B + bias)            (forward; bias only when HAS_BIAS)
//   EPILOGUE 2: C = (A·B) ⊙ f'(aux)          (hidden delta; aux holds a = f(z), f' written in a)
//
// The batch dimension (M for the forward pass and the hidden delta, K for the weight gradient)
// is read from the per-batch uniform, so one pipeline and one bind group serve every batch.
// (`batch` comes from batch.wgsl, prepended by the host.)
// Each workgroup computes a 64×64 tile of C with 16×16 threads, 4×4 outputs per thread
// (rows ty + 16·r, columns tx + 16·c), staging 64×16 slices of A and B in workgroup memory.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = 0u;
override ACTIVATION: u32 = 0u; // 0 linear, 1 sigmoid, 2 tanh, 3 relu
override HAS_BIAS: bool = false;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // 0: sizes as given; 1: M is the batch row count; 2: K is the batch row count
  batchDim: u32,
}


@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;

const TILE: u32 = 64u;
const TK: u32 = 16u;

var<workgroup> As: array<f32, 1024>; // [TK][TILE]: As[k * TILE + i]
var<workgroup> Bs: array<f32, 1024>; // [TK][TILE]: Bs[k * TILE + j]

fn activate(z: f32) -> f32 {
  switch ACTIVATION {
    case 1u: {
      // numerically safe logistic
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case 2u: { return tanh(clamp(z, -15.0, 15.0)); }
    case 3u: { return max(z, 0.0); }
    default: { return z; }
  }
}

fn derivative(act: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return act * (1.0 - act); }
    case 2u: { return 1.0 - act * act; }
    case 3u: { return select(0.0, 1.0, act > 0.0); }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = select(params.M, batch.rows, params.batchDim == 1u);
  let N = params.N;
  let K = select(params.K, batch.rows, params.batchDim == 2u);
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * 16u + tx;

  var acc: array<array<f32, 4>, 4>;
  for (var r = 0u; r < 4u; r++) {
    for (var q = 0u; q < 4u; q++) { acc[r][q] = 0.0; }
  }

  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var p = 0u; p < 4u; p++) {
      let e = t + 256u * p;
      // A slice: rows m0..m0+63, columns k0..k0+15, read along A's contiguous direction
      var row: u32; var kk: u32;
      if (TRANS_A) { row = e % TILE; kk = e / TILE; } else { row = e / TK; kk = e % TK; }
      let gi = m0 + row;
      let gk = k0 + kk;
      var va = 0.0;
      if (gi < M && gk < K) {
        if (TRANS_A) { va = a[gk * M + gi]; } else { va = a[gi * K + gk]; }
      }
      As[kk * TILE + row] = va;
      // B slice: rows k0..k0+15, columns n0..n0+63
      var col: u32; var kb: u32;
      if (TRANS_B) { col = e / TK; kb = e % TK; } else { col = e % TILE; kb = e / TILE; }
      let gj = n0 + col;
      let gkb = k0 + kb;
      var vb = 0.0;
      if (gj < N && gkb < K) {
        if (TRANS_B) { vb = b[gj * K + gkb]; } else { vb = b[gkb * N + gj]; }
      }
      Bs[kb * TILE + col] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) { av[r] = As[kk * TILE + ty + 16u * r]; }
      for (var q = 0u; q < 4u; q++) { bv[q] = Bs[kk * TILE + tx + 16u * q]; }
      for (var r = 0u; r < 4u; r++) {
        for (var q = 0u; q < 4u; q++) { acc[r][q] = fma(av[r], bv[q], acc[r][q]); }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < 4u; r++) {
    let i = m0 + ty + 16u * r;
    if (i >= M) { continue; }
    for (var q = 0u; q < 4u; q++) {
      let j = n0 + tx + 16u * q;
      if (j >= N) { continue; }
      var v = acc[r][q];
      if (EPILOGUE == 1u) {
        if (HAS_BIAS) { v += bias[j]; }
        v = activate(v);
      } else if (EPILOGUE == 2u) {
        v *= derivative(aux[i * N + j]);
      }
      c[i * N + j] = v;
    }
  }
}
