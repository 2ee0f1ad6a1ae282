//!include matmul-modes.wgsl
// Register blocks, shared by the register-blocked entry points (matmul.wgsl blocked,
// matmul-subgroups.wgsl main): each thread computes (QUAD·RB) × (QUAD·CB) outputs of C held in
// RB × CB 4×4 matrices, updated four k at a time as matrix products X += P·Q, with Q's columns
// rows of A and P's columns rows of B, so the inner loop has no indexed private arrays. Rows and
// columns past the edge read the last one; their results are not stored.

// side of one register block (a mat4x4 of outputs)
const QUAD: u32 = 4u;
// most blocks a thread holds along rows (RB) and along columns (CB)
const MAX_QUADS: u32 = 4u;
// most blocks a thread holds
const THREAD_BLOCKS: u32 = MAX_QUADS * MAX_QUADS;

override RB: u32 = 2u; // 1 … MAX_QUADS
override CB: u32 = 2u; // 1 … MAX_QUADS

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<private> dimM: u32;
var<private> dimN: u32;
var<private> dimK: u32;

/** Reads this batch's sizes into dimM, dimN, dimK. */
fn loadDims() {
  dimM = batchM();
  dimN = params.N;
  dimK = batchK();
}

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

// The 4 rows of block r (from row i0), and the 4 columns of block q (from column j0), clamped.
fn quadRows(i0: u32, r: u32) -> vec4<u32> {
  return min(vec4<u32>(i0 + QUAD * r) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dimM - 1u));
}

fn quadCols(j0: u32, q: u32) -> vec4<u32> {
  return min(vec4<u32>(j0 + QUAD * q) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dimN - 1u));
}

// Q for each row block (rows ir[r]) and P for each column block (columns jc[q]) of the thread
// over k..k+3; tail: the last, partial group of k.
fn loadQ(qa: ptr<function, array<mat4x4<f32>, MAX_QUADS>>, ir: array<vec4<u32>, MAX_QUADS>, k: u32, tail: bool) {
  if (tail) {
    (*qa)[0] = tailA(ir[0], k);
    if (RB > 1u) { (*qa)[1] = tailA(ir[1], k); }
    if (RB > 2u) { (*qa)[2] = tailA(ir[2], k); }
    if (RB > 3u) { (*qa)[3] = tailA(ir[3], k); }
    return;
  }
  (*qa)[0] = blockA(ir[0], k);
  if (RB > 1u) { (*qa)[1] = blockA(ir[1], k); }
  if (RB > 2u) { (*qa)[2] = blockA(ir[2], k); }
  if (RB > 3u) { (*qa)[3] = blockA(ir[3], k); }
}

fn loadP(p: ptr<function, array<mat4x4<f32>, MAX_QUADS>>, jc: array<vec4<u32>, MAX_QUADS>, k: u32, tail: bool) {
  if (tail) {
    (*p)[0] = tailB(k, jc[0]);
    if (CB > 1u) { (*p)[1] = tailB(k, jc[1]); }
    if (CB > 2u) { (*p)[2] = tailB(k, jc[2]); }
    if (CB > 3u) { (*p)[3] = tailB(k, jc[3]); }
    return;
  }
  (*p)[0] = blockB(k, jc[0]);
  if (CB > 1u) { (*p)[1] = blockB(k, jc[1]); }
  if (CB > 2u) { (*p)[2] = blockB(k, jc[2]); }
  if (CB > 3u) { (*p)[3] = blockB(k, jc[3]); }
}

// x[MAX_QUADS·r + q] += p[q] · q[r] for the RB × CB blocks in use (constant indices only).
fn multiply(x: ptr<function, array<mat4x4<f32>, THREAD_BLOCKS>>, qa: ptr<function, array<mat4x4<f32>, MAX_QUADS>>, p: ptr<function, array<mat4x4<f32>, MAX_QUADS>>) {
  (*x)[0] += (*p)[0] * (*qa)[0];
  if (CB > 1u) { (*x)[1] += (*p)[1] * (*qa)[0]; }
  if (CB > 2u) { (*x)[2] += (*p)[2] * (*qa)[0]; }
  if (CB > 3u) { (*x)[3] += (*p)[3] * (*qa)[0]; }
  if (RB > 1u) {
    (*x)[4] += (*p)[0] * (*qa)[1];
    if (CB > 1u) { (*x)[5] += (*p)[1] * (*qa)[1]; }
    if (CB > 2u) { (*x)[6] += (*p)[2] * (*qa)[1]; }
    if (CB > 3u) { (*x)[7] += (*p)[3] * (*qa)[1]; }
  }
  if (RB > 2u) {
    (*x)[8] += (*p)[0] * (*qa)[2];
    if (CB > 1u) { (*x)[9] += (*p)[1] * (*qa)[2]; }
    if (CB > 2u) { (*x)[10] += (*p)[2] * (*qa)[2]; }
    if (CB > 3u) { (*x)[11] += (*p)[3] * (*qa)[2]; }
  }
  if (RB > 3u) {
    (*x)[12] += (*p)[0] * (*qa)[3];
    if (CB > 1u) { (*x)[13] += (*p)[1] * (*qa)[3]; }
    if (CB > 2u) { (*x)[14] += (*p)[2] * (*qa)[3]; }
    if (CB > 3u) { (*x)[15] += (*p)[3] * (*qa)[3]; }
  }
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

// Stores the thread's RB × CB blocks, from output (i0, j0).
fn storeBlocks(i0: u32, j0: u32, x: ptr<function, array<mat4x4<f32>, THREAD_BLOCKS>>) {
  storeRowOfBlocks(i0, j0, (*x)[0], (*x)[1], (*x)[2], (*x)[3]);
  if (RB > 1u) { storeRowOfBlocks(i0 + QUAD, j0, (*x)[4], (*x)[5], (*x)[6], (*x)[7]); }
  if (RB > 2u) { storeRowOfBlocks(i0 + 2u * QUAD, j0, (*x)[8], (*x)[9], (*x)[10], (*x)[11]); }
  if (RB > 3u) { storeRowOfBlocks(i0 + 3u * QUAD, j0, (*x)[12], (*x)[13], (*x)[14], (*x)[15]); }
}

fn storeRowOfBlocks(i0: u32, j0: u32, x0: mat4x4<f32>, x1: mat4x4<f32>, x2: mat4x4<f32>, x3: mat4x4<f32>) {
  storeBlock(i0, j0, x0);
  if (CB > 1u) { storeBlock(i0, j0 + QUAD, x1); }
  if (CB > 2u) { storeBlock(i0, j0 + 2u * QUAD, x2); }
  if (CB > 3u) { storeBlock(i0, j0 + 3u * QUAD, x3); }
}

// The row and column indices of the thread's blocks, from output (i0, j0).
fn blockRows(i0: u32) -> array<vec4<u32>, MAX_QUADS> {
  return array<vec4<u32>, MAX_QUADS>(quadRows(i0, 0u), quadRows(i0, 1u), quadRows(i0, 2u), quadRows(i0, 3u));
}

fn blockCols(j0: u32) -> array<vec4<u32>, MAX_QUADS> {
  return array<vec4<u32>, MAX_QUADS>(quadCols(j0, 0u), quadCols(j0, 1u), quadCols(j0, 2u), quadCols(j0, 3u));
}
