//!include matmul-modes.wgsl
// Register blocks, shared by the register-blocked entry points (matmul.wgsl blocked,
// matmul-subgroups.wgsl main): each thread computes (QUAD·RB) × (QUAD·CB) outputs of C held in
// RB × CB 4×4 matrices, updated four k at a time as matrix products X += P·Q, with Q's columns
// rows of A and P's columns rows of B, so the inner loop has no indexed private arrays. Rows and
// columns past the edge read the last one; their results are not stored. A K that is not a
// multiple of 4 runs through the same loop (its last group of k clamped, and masked in Q), not a
// second copy of the loop body: compiling then takes about half as long on software adapters.

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
// element strides of A along i and k, and of B along k and j (from the modes)
var<private> strideAi: u32;
var<private> strideAk: u32;
var<private> strideBk: u32;
var<private> strideBj: u32;

/** Reads this launch's modes, and this batch's sizes into dimM, dimN, dimK (and the strides). */
fn loadDims() {
  loadModes();
  dimM = batchM();
  dimN = params.N;
  dimK = batchK();
  strideAi = select(dimK, 1u, transA);
  strideAk = select(1u, dimM, transA);
  strideBk = select(dimN, 1u, transB);
  strideBj = select(1u, dimK, transB);
}

// A[i, k] and B[k, j] of the logical product, whatever the storage order.
fn elemA(i: u32, k: u32) -> f32 {
  return a[i * strideAi + k * strideAk];
}

fn elemB(k: u32, j: u32) -> f32 {
  return b[k * strideBk + j * strideBj];
}

// One group of four k: their indices, clamped to K − 1, and 1 for those below K, 0 past it (the
// last group of a K that is not a multiple of 4), so every group runs the same code.
struct KGroup {
  k: vec4<u32>,
  keep: vec4<f32>,
}

fn kGroup(k: u32) -> KGroup {
  let ks = vec4<u32>(k) + vec4<u32>(0u, 1u, 2u, 3u);
  return KGroup(min(ks, vec4<u32>(dimK - 1u)), select(vec4<f32>(0.0), vec4<f32>(1.0), ks < vec4<u32>(dimK)));
}

// Row i of A over the group (zero past K; i already clamped).
fn rowA(i: u32, g: KGroup) -> vec4<f32> {
  return vec4<f32>(elemA(i, g.k.x), elemA(i, g.k.y), elemA(i, g.k.z), elemA(i, g.k.w)) * g.keep;
}

// Row k of B over columns j (4 indices, already clamped).
fn rowB(k: u32, j: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(elemB(k, j.x), elemB(k, j.y), elemB(k, j.z), elemB(k, j.w));
}

// Q for rows i (4 indices, clamped) over the group: column r is row i[r] of A.
fn blockA(i: vec4<u32>, g: KGroup) -> mat4x4<f32> {
  return mat4x4<f32>(rowA(i.x, g), rowA(i.y, g), rowA(i.z, g), rowA(i.w, g));
}

// P for the group and columns j (clamped): column kk is row k + kk of B (rows past K repeat the
// last one; Q is zero there).
fn blockB(g: KGroup, j: vec4<u32>) -> mat4x4<f32> {
  return mat4x4<f32>(rowB(g.k.x, j), rowB(g.k.y, j), rowB(g.k.z, j), rowB(g.k.w, j));
}

// The 4 rows of block r (from row i0), and the 4 columns of block q (from column j0), clamped.
fn quadRows(i0: u32, r: u32) -> vec4<u32> {
  return min(vec4<u32>(i0 + QUAD * r) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dimM - 1u));
}

fn quadCols(j0: u32, q: u32) -> vec4<u32> {
  return min(vec4<u32>(j0 + QUAD * q) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dimN - 1u));
}

// Q for each row block (rows ir[r]) and P for each column block (columns jc[q]) of the thread
// over group g.
fn loadQ(qa: ptr<function, array<mat4x4<f32>, MAX_QUADS>>, ir: array<vec4<u32>, MAX_QUADS>, g: KGroup) {
  (*qa)[0] = blockA(ir[0], g);
  if (RB > 1u) { (*qa)[1] = blockA(ir[1], g); }
  if (RB > 2u) { (*qa)[2] = blockA(ir[2], g); }
  if (RB > 3u) { (*qa)[3] = blockA(ir[3], g); }
}

fn loadP(p: ptr<function, array<mat4x4<f32>, MAX_QUADS>>, jc: array<vec4<u32>, MAX_QUADS>, g: KGroup) {
  (*p)[0] = blockB(g, jc[0]);
  if (CB > 1u) { (*p)[1] = blockB(g, jc[1]); }
  if (CB > 2u) { (*p)[2] = blockB(g, jc[2]); }
  if (CB > 3u) { (*p)[3] = blockB(g, jc[3]); }
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
