//!include batch.wgsl
//!include activation.wgsl
// Tiled matrix product C[M, N] = op(A) · op(B), with the epilogues backpropagation needs.
//
//   TRANS_A = false: A is [M, K]      TRANS_A = true: A is stored [K, M]  (∂W = a_prevᵀ · δ)
//   TRANS_B = false: B is [K, N]      TRANS_B = true: B is stored [N, K]  (δ · Wᵀ)
//
//   EPILOGUE_NONE:                  C = A·B
//   EPILOGUE_BIAS_ACTIVATION:       C = f(A·B + bias)        (forward; bias only when HAS_BIAS)
//   EPILOGUE_ACTIVATION_DERIVATIVE: C = (A·B) ⊙ f'(aux)      (hidden delta; aux holds a = f(z))
//
// The batch dimension (M for the forward pass and the hidden delta, K for the weight gradient)
// is read from the per-batch uniform (params.batchRows), so one pipeline and one bind group
// serve every batch.
//
// Two entry points, chosen by the host per adapter (same results, same bindings):
//   main:     workgroup-memory tiling for GPUs. Each workgroup computes a TILE×TILE tile of C
//             with THREADS×THREADS threads, PER_THREAD×PER_THREAD outputs per thread (rows
//             ty + THREADS·r, columns tx + THREADS·q), staging TILE×TK slices of A and B in
//             workgroup memory.
//   blocked:  no workgroup memory and no barriers, for software adapters (SwiftShader and the
//             like run invocations on CPU cores, where workgroup memory is ordinary memory and
//             barriers switch coroutines). Each thread computes a BLOCK×BLOCK block of C in four
//             4×4 matrices, four k at a time: X += P·Q, with Q's columns rows of A and P's
//             columns rows of B, so the inner loop is matrix products with no indexed private
//             arrays. WG_X × WG_Y threads a workgroup, set by the host to the shape of C.

const EPILOGUE_NONE: u32 = 0u;
const EPILOGUE_BIAS_ACTIVATION: u32 = 1u;
const EPILOGUE_ACTIVATION_DERIVATIVE: u32 = 2u;

// which size is the batch's row count (params.batchRows)
const BATCH_ROWS_NONE: u32 = 0u;
const BATCH_ROWS_M: u32 = 1u;
const BATCH_ROWS_K: u32 = 2u;

// tiled entry point
const THREADS: u32 = 16u;
const PER_THREAD: u32 = 4u;
const TILE: u32 = THREADS * PER_THREAD;
const TK: u32 = 16u;
const LOADS: u32 = TILE * TK / (THREADS * THREADS); // elements of each slice one thread stages

// blocked entry point: outputs per thread side (two 4×4 blocks)
const BLOCK: u32 = 8u;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = EPILOGUE_NONE;
override HAS_BIAS: bool = false;
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batchRows: u32, // BATCH_ROWS_NONE, BATCH_ROWS_M or BATCH_ROWS_K
}


@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;

var<workgroup> As: array<f32, TILE * TK>; // [TK][TILE]: As[k * TILE + i]
var<workgroup> Bs: array<f32, TILE * TK>; // [TK][TILE]: Bs[k * TILE + j]

@compute @workgroup_size(THREADS, THREADS)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = select(params.M, batch.rows, params.batchRows == BATCH_ROWS_M);
  let N = params.N;
  let K = select(params.K, batch.rows, params.batchRows == BATCH_ROWS_K);
  let m0 = wg.y * TILE;
  let n0 = wg.x * TILE;
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * THREADS + tx;

  var acc: array<array<f32, PER_THREAD>, PER_THREAD>;
  for (var r = 0u; r < PER_THREAD; r++) {
    for (var q = 0u; q < PER_THREAD; q++) { acc[r][q] = 0.0; }
  }

  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var p = 0u; p < LOADS; p++) {
      let e = t + THREADS * THREADS * p;
      // A slice: rows m0..m0+TILE−1, columns k0..k0+TK−1, read along A's contiguous direction
      var row: u32; var kk: u32;
      if (TRANS_A) { row = e % TILE; kk = e / TILE; } else { row = e / TK; kk = e % TK; }
      let gi = m0 + row;
      let gk = k0 + kk;
      var va = 0.0;
      if (gi < M && gk < K) {
        if (TRANS_A) { va = a[gk * M + gi]; } else { va = a[gi * K + gk]; }
      }
      As[kk * TILE + row] = va;
      // B slice: rows k0..k0+TK−1, columns n0..n0+TILE−1
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
      var av: array<f32, PER_THREAD>;
      var bv: array<f32, PER_THREAD>;
      for (var r = 0u; r < PER_THREAD; r++) { av[r] = As[kk * TILE + ty + THREADS * r]; }
      for (var q = 0u; q < PER_THREAD; q++) { bv[q] = Bs[kk * TILE + tx + THREADS * q]; }
      for (var r = 0u; r < PER_THREAD; r++) {
        for (var q = 0u; q < PER_THREAD; q++) { acc[r][q] = fma(av[r], bv[q], acc[r][q]); }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < PER_THREAD; r++) {
    let i = m0 + ty + THREADS * r;
    if (i >= M) { continue; }
    for (var q = 0u; q < PER_THREAD; q++) {
      let j = n0 + tx + THREADS * q;
      if (j >= N) { continue; }
      c[i * N + j] = epilogue(acc[r][q], i, j, N);
    }
  }
}

// The epilogue for output C[i, j] of a row of N outputs.
fn epilogue(v: f32, i: u32, j: u32, N: u32) -> f32 {
  if (EPILOGUE == EPILOGUE_BIAS_ACTIVATION) {
    var x = v;
    if (HAS_BIAS) { x += bias[j]; }
    return activate(x);
  }
  if (EPILOGUE == EPILOGUE_ACTIVATION_DERIVATIVE) { return v * derivative(aux[i * N + j]); }
  return v;
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
    c[i * dimN + j] = epilogue(v[q], i, j, dimN);
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
  dimM = select(params.M, batch.rows, params.batchRows == BATCH_ROWS_M);
  dimN = params.N;
  dimK = select(params.K, batch.rows, params.batchRows == BATCH_ROWS_K);
  let i0 = gid.y * BLOCK;
  let j0 = gid.x * BLOCK;
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
