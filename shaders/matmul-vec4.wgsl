//!include matmul-modes.wgsl
// The workgroup-tiled matmul with vec4 loads and stores (same results and uniforms as
// matmul.wgsl). A, B and C are bound as arrays of vec4: operands are read four floats at a time
// wherever their rows allow it (A[M, K] when K is a multiple of 4, stored Aᵀ[K, M] when M is,
// and likewise B), else one float at a time through the same bindings; C is written one vec4
// (four columns) at a time, so the host uses this kernel only where N is a multiple of 4.
//
// A workgroup of WG_X × WG_Y threads computes a (ROWS·WG_Y) × (4·WG_X) tile of C, each thread
// ROWS rows × 4 columns (ROWS vec4 accumulators). Each slice of SLICE k is staged in workgroup
// memory as vec4s: At[k][row quad] holds four rows of A at one k, Bt[k][column quad] four
// columns of B, each filled by one thread from one 4×4 block of the operand. The host picks the
// tile per shape: 8×8 threads and ROWS 4 (32×32) for thin layers and small batches, 16×16 and
// ROWS 4 (64×64), 16×16 and ROWS 8 (128×64) for big layers.

const SLICE: u32 = 16u;   // k per staged slice (a multiple of 4)
const MAX_ROWS: u32 = 8u; // most rows per thread

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override ROWS: u32 = 4u; // 4 or MAX_ROWS

@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;

var<workgroup> At: array<vec4<f32>, SLICE * ROWS * WG_Y / 4u>; // [SLICE][row quads]
var<workgroup> Bt: array<vec4<f32>, SLICE * WG_X>;             // [SLICE][column quads]

var<private> dimM: u32;
var<private> dimN: u32;
var<private> dimK: u32;

// One float of an operand, by index into its storage (zero past `count` elements).
fn scalarA(e: u32) -> f32 { return a[e >> 2u][e & 3u]; }
fn scalarB(e: u32) -> f32 { return b[e >> 2u][e & 3u]; }

// A[i, k] and B[k, j] of the logical product, zero outside it.
fn elemA(i: u32, k: u32) -> f32 {
  if (i >= dimM || k >= dimK) { return 0.0; }
  if (transA) { return scalarA(k * dimM + i); }
  return scalarA(i * dimK + k);
}

fn elemB(k: u32, j: u32) -> f32 {
  if (k >= dimK || j >= dimN) { return 0.0; }
  if (transB) { return scalarB(j * dimK + k); }
  return scalarB(k * dimN + j);
}

// Rows i..i+3 of A at k (a column of A), and row k of B over columns j..j+3.
fn colA(i: u32, k: u32) -> vec4<f32> {
  if (transA && (dimM & 3u) == 0u) {
    if (i >= dimM || k >= dimK) { return vec4<f32>(); }
    return a[(k * dimM + i) >> 2u];
  }
  return vec4<f32>(elemA(i, k), elemA(i + 1u, k), elemA(i + 2u, k), elemA(i + 3u, k));
}

fn rowB(k: u32, j: u32) -> vec4<f32> {
  if (!transB && (dimN & 3u) == 0u) {
    if (k >= dimK || j >= dimN) { return vec4<f32>(); }
    return b[(k * dimN + j) >> 2u];
  }
  return vec4<f32>(elemB(k, j), elemB(k, j + 1u), elemB(k, j + 2u), elemB(k, j + 3u));
}

// Row i of A over k..k+3, and column j of B over k..k+3.
fn rowA(i: u32, k: u32) -> vec4<f32> {
  if (!transA && (dimK & 3u) == 0u) {
    if (i >= dimM || k >= dimK) { return vec4<f32>(); }
    return a[(i * dimK + k) >> 2u];
  }
  return vec4<f32>(elemA(i, k), elemA(i, k + 1u), elemA(i, k + 2u), elemA(i, k + 3u));
}

fn colB(k: u32, j: u32) -> vec4<f32> {
  if (transB && (dimK & 3u) == 0u) {
    if (k >= dimK || j >= dimN) { return vec4<f32>(); }
    return b[(j * dimK + k) >> 2u];
  }
  return vec4<f32>(elemB(k, j), elemB(k + 1u, j), elemB(k + 2u, j), elemB(k + 3u, j));
}

// Stages the 4×4 block of A at rows i..i+3, k..k+3 into At[kk][rq] (kk = k − k0 … + 3).
fn stageA(i: u32, k: u32, kk: u32, rq: u32) {
  let quads = ROWS * WG_Y / 4u;
  if (transA) {
    for (var u = 0u; u < 4u; u++) { At[(kk + u) * quads + rq] = colA(i, k + u); }
    return;
  }
  // rows of A read along k, transposed into columns
  let r0 = rowA(i, k);
  let r1 = rowA(i + 1u, k);
  let r2 = rowA(i + 2u, k);
  let r3 = rowA(i + 3u, k);
  At[kk * quads + rq] = vec4<f32>(r0.x, r1.x, r2.x, r3.x);
  At[(kk + 1u) * quads + rq] = vec4<f32>(r0.y, r1.y, r2.y, r3.y);
  At[(kk + 2u) * quads + rq] = vec4<f32>(r0.z, r1.z, r2.z, r3.z);
  At[(kk + 3u) * quads + rq] = vec4<f32>(r0.w, r1.w, r2.w, r3.w);
}

// Stages the 4×4 block of B at k..k+3, columns j..j+3 into Bt[kk][cq].
fn stageB(k: u32, j: u32, kk: u32, cq: u32) {
  if (!transB) {
    for (var u = 0u; u < 4u; u++) { Bt[(kk + u) * WG_X + cq] = rowB(k + u, j); }
    return;
  }
  // columns of B read along k, transposed into rows
  let c0 = colB(k, j);
  let c1 = colB(k, j + 1u);
  let c2 = colB(k, j + 2u);
  let c3 = colB(k, j + 3u);
  Bt[kk * WG_X + cq] = vec4<f32>(c0.x, c1.x, c2.x, c3.x);
  Bt[(kk + 1u) * WG_X + cq] = vec4<f32>(c0.y, c1.y, c2.y, c3.y);
  Bt[(kk + 2u) * WG_X + cq] = vec4<f32>(c0.z, c1.z, c2.z, c3.z);
  Bt[(kk + 3u) * WG_X + cq] = vec4<f32>(c0.w, c1.w, c2.w, c3.w);
}

// acc[4·q + r] += (rows of quad q at this k)[r] · (the thread's four columns at this k)
fn accumulate(acc: ptr<function, array<vec4<f32>, MAX_ROWS>>, kk: u32, ty: u32, bv: vec4<f32>) {
  let quads = ROWS * WG_Y / 4u;
  let a0 = At[kk * quads + ty * ROWS / 4u];
  (*acc)[0] += a0.x * bv;
  (*acc)[1] += a0.y * bv;
  (*acc)[2] += a0.z * bv;
  (*acc)[3] += a0.w * bv;
  if (ROWS > 4u) {
    let a1 = At[kk * quads + ty * ROWS / 4u + 1u];
    (*acc)[4] += a1.x * bv;
    (*acc)[5] += a1.y * bv;
    (*acc)[6] += a1.z * bv;
    (*acc)[7] += a1.w * bv;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  loadModes();
  dimM = batchM();
  dimN = params.N;
  dimK = batchK();
  let K = batchK(); // a uniform value: the slice loop holds barriers
  let tileM = ROWS * WG_Y;
  let m0 = wg.y * tileM;
  let n0 = wg.x * 4u * WG_X;
  let threads = WG_X * WG_Y;
  let t = lid.y * WG_X + lid.x;
  let kq = SLICE / 4u;
  var acc: array<vec4<f32>, MAX_ROWS>;
  for (var k0 = 0u; k0 < K; k0 += SLICE) {
    // one 4×4 block of A and of B per task
    for (var s = t; s < (tileM / 4u) * kq; s += threads) {
      let rq = s / kq;
      let kk = (s % kq) * 4u;
      stageA(m0 + rq * 4u, k0 + kk, kk, rq);
    }
    for (var s = t; s < WG_X * kq; s += threads) {
      let cq = s % WG_X;
      let kk = (s / WG_X) * 4u;
      stageB(k0 + kk, n0 + cq * 4u, kk, cq);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < SLICE; kk++) { accumulate(&acc, kk, lid.y, Bt[kk * WG_X + lid.x]); }
    workgroupBarrier();
  }
  let j = n0 + lid.x * 4u;
  if (j >= dimN) { return; }
  for (var r = 0u; r < ROWS; r++) {
    let i = m0 + lid.y * ROWS + r;
    if (i < dimM) {
      let v = acc[r];
      c[(i * dimN + j) >> 2u] = vec4<f32>(epilogue(v.x, i, j, dimN), epilogue(v.y, i, j + 1u, dimN), epilogue(v.z, i, j + 2u, dimN), epilogue(v.w, i, j + 3u, dimN));
    }
  }
}
