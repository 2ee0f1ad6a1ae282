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
//
// Two entry points, chosen by the host per adapter (same results, same bindings):
//   main:     workgroup-memory tiling for GPUs. Each workgroup computes a 64×64 tile of C with
//             16×16 threads, 4×4 outputs per thread (rows ty + 16·r, columns tx + 16·c), staging
//             64×16 slices of A and B in workgroup memory.
//   blocked:  no workgroup memory and no barriers, for software adapters (SwiftShader and the
//             like run invocations on CPU cores, where workgroup memory is ordinary memory and
//             barriers switch coroutines). Each thread computes an 8×8 block of C in four 4×4
//             matrices, four k at a time: X += P·Q, with Q's columns rows of A and P's columns
//             rows of B, so the inner loop is matrix products with no indexed private arrays.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = 0u;
override ACTIVATION: u32 = 0u; // 0 linear, 1 sigmoid, 2 tanh, 3 relu
override HAS_BIAS: bool = false;
// blocked entry point: threads per workgroup along N and along M (8×8 outputs each)
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

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

// activate() and derivative() come from activation.wgsl, prepended by the host.


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

// ---------------------------------------------------------------- register-blocked entry point

var<private> dimM: u32;
var<private> dimN: u32;
var<private> dimK: u32;

// A[i, k] and B[k, j] of the logical product, whatever the storage order.
fn elemA(i: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[k * dimM + i]; }
  return a[i * dimK + k];
}

fn elemB(k: u32, j: u32) -> f32 {
  if (TRANS_B) { return b[j * dimK + k]; }
  return b[k * dimN + j];
}

// Row i of A over k..k+3 (the caller keeps i and k + 3 in range).
fn rowA(i: u32, k: u32) -> vec4<f32> {
  return vec4<f32>(elemA(i, k), elemA(i, k + 1u), elemA(i, k + 2u), elemA(i, k + 3u));
}

// Row k of B over columns j (4 indices, already clamped).
fn rowB(k: u32, j: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(elemB(k, j.x), elemB(k, j.y), elemB(k, j.z), elemB(k, j.w));
}

// Q for rows i (4 indices, clamped) over k..k+3: column r is row i[r] of A.
fn blockA(i: vec4<u32>, k: u32) -> mat4x4<f32> {
  return mat4x4<f32>(rowA(i.x, k), rowA(i.y, k), rowA(i.z, k), rowA(i.w, k));
}

// P for k..k+3 and columns j (clamped): column kk is row k + kk of B.
fn blockB(k: u32, j: vec4<u32>) -> mat4x4<f32> {
  return mat4x4<f32>(rowB(k, j), rowB(k + 1u, j), rowB(k + 2u, j), rowB(k + 3u, j));
}

// The same for the last, partial group of k: columns of Q past K are zero.
fn tailA(i: vec4<u32>, k: u32) -> mat4x4<f32> {
  var q: mat4x4<f32>;
  for (var kk = 0u; kk < 4u; kk++) {
    let kc = min(k + kk, dimK - 1u);
    let keep = select(0.0, 1.0, k + kk < dimK);
    q[0][kk] = elemA(i.x, kc) * keep;
    q[1][kk] = elemA(i.y, kc) * keep;
    q[2][kk] = elemA(i.z, kc) * keep;
    q[3][kk] = elemA(i.w, kc) * keep;
  }
  return q;
}

fn tailB(k: u32, j: vec4<u32>) -> mat4x4<f32> {
  var p: mat4x4<f32>;
  for (var kk = 0u; kk < 4u; kk++) { p[kk] = rowB(min(k + kk, dimK - 1u), j); }
  return p;
}

// Writes one row of a 4×4 block (columns j0..j0+3) through the epilogue.
fn storeRow(i: u32, j0: u32, v: vec4<f32>) {
  if (i >= dimM) { return; }
  for (var q = 0u; q < 4u; q++) {
    let j = j0 + q;
    if (j >= dimN) { return; }
    var x = v[q];
    if (EPILOGUE == 1u) {
      if (HAS_BIAS) { x += bias[j]; }
      x = activate(x);
    } else if (EPILOGUE == 2u) {
      x *= derivative(aux[i * dimN + j]);
    }
    c[i * dimN + j] = x;
  }
}

fn storeBlock(i0: u32, j0: u32, x: mat4x4<f32>) {
  storeRow(i0, j0, x[0]);
  storeRow(i0 + 1u, j0, x[1]);
  storeRow(i0 + 2u, j0, x[2]);
  storeRow(i0 + 3u, j0, x[3]);
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  dimM = select(params.M, batch.rows, params.batchDim == 1u);
  dimN = params.N;
  dimK = select(params.K, batch.rows, params.batchDim == 2u);
  let i0 = gid.y * 8u;
  let j0 = gid.x * 8u;
  if (i0 >= dimM || j0 >= dimN) { return; }
  // rows and columns past the edge read the last one; their results are not stored
  let lastM = dimM - 1u;
  let lastN = dimN - 1u;
  let ia = min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(lastM));
  let ib = min(vec4<u32>(i0) + vec4<u32>(4u, 5u, 6u, 7u), vec4<u32>(lastM));
  let ja = min(vec4<u32>(j0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(lastN));
  let jb = min(vec4<u32>(j0) + vec4<u32>(4u, 5u, 6u, 7u), vec4<u32>(lastN));
  // x_rc: rows block r (ia, ib) × columns block c (ja, jb); column t of x_rc is one row of C
  var x00 = mat4x4<f32>();
  var x01 = mat4x4<f32>();
  var x10 = mat4x4<f32>();
  var x11 = mat4x4<f32>();
  let k4 = dimK & ~3u;
  for (var k = 0u; k < k4; k += 4u) {
    let qa = blockA(ia, k);
    let qb = blockA(ib, k);
    let pa = blockB(k, ja);
    let pb = blockB(k, jb);
    x00 += pa * qa;
    x01 += pb * qa;
    x10 += pa * qb;
    x11 += pb * qb;
  }
  if (k4 < dimK) {
    let qa = tailA(ia, k4);
    let qb = tailA(ib, k4);
    let pa = tailB(k4, ja);
    let pb = tailB(k4, jb);
    x00 += pa * qa;
    x01 += pb * qa;
    x10 += pa * qb;
    x11 += pb * qb;
  }
  storeBlock(i0, j0, x00);
  storeBlock(i0, j0 + 4u, x01);
  storeBlock(i0 + 4u, j0, x10);
  storeBlock(i0 + 4u, j0 + 4u, x11);
}
