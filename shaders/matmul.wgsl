//!include matmul-blocks.wgsl
// Matrix product C[M, N] = op(A) · op(B) with the epilogues backpropagation needs (see
// matmul-modes.wgsl), on scalar f32 bindings. Its variants, all with the same results and
// bindings, are chosen per shape and adapter by the host (src/gpu/kernels/matmul-variants.ts, with
// the tuner of src/gpu/tune/autotune.ts), with matmul-vec4.wgsl (vec4 loads and stores) and
// matmul-subgroups.wgsl (where the device has `subgroups`):
//
//   main:     workgroup-memory tiling. Each workgroup computes a TILE×TILE tile of C with
//             THREADS×THREADS threads, PER_THREAD×PER_THREAD outputs per thread (rows
//             ty + THREADS·r, columns tx + THREADS·q), staging TILE×TK slices of A and B in
//             workgroup memory.
//   blocked:  no workgroup memory and no barriers, for adapters that run invocations on CPU cores
//             (SwiftShader and the like, where workgroup memory is ordinary memory and barriers
//             switch coroutines): each thread computes RB × CB register blocks of 4×4 outputs
//             (matmul-blocks.wgsl), WG_X × WG_Y threads a workgroup, set by the host to the shape
//             of C. RB = CB = 1 suits thin layers, RB = CB = 4 big ones.

// tiled entry point
const THREADS: u32 = 16u;
const PER_THREAD: u32 = 4u;
const TILE: u32 = THREADS * PER_THREAD;
const TK: u32 = 16u;
const LOADS: u32 = TILE * TK / (THREADS * THREADS); // elements of each slice one thread stages

// blocked entry point: the side of one register block of outputs
const BLOCK: u32 = QUAD;

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

var<workgroup> As: array<f32, TILE * TK>; // [TK][TILE]: As[k * TILE + i]
var<workgroup> Bs: array<f32, TILE * TK>; // [TK][TILE]: Bs[k * TILE + j]

@compute @workgroup_size(THREADS, THREADS)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  loadModes();
  let M = batchM();
  let N = params.N;
  let K = batchK();
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
      if (transA) { row = e % TILE; kk = e / TILE; } else { row = e / TK; kk = e % TK; }
      let gi = m0 + row;
      let gk = k0 + kk;
      var va = 0.0;
      if (gi < M && gk < K) {
        if (transA) { va = a[gk * M + gi]; } else { va = a[gi * K + gk]; }
      }
      As[kk * TILE + row] = va;
      // B slice: rows k0..k0+TK−1, columns n0..n0+TILE−1
      var col: u32; var kb: u32;
      if (transB) { col = e / TK; kb = e % TK; } else { col = e % TILE; kb = e / TILE; }
      let gj = n0 + col;
      let gkb = k0 + kb;
      var vb = 0.0;
      if (gj < N && gkb < K) {
        if (transB) { vb = b[gj * K + gkb]; } else { vb = b[gkb * N + gj]; }
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

// ---------------------------------------------------------------- register-blocked entry point

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  loadDims();
  let i0 = gid.y * QUAD * RB;
  let j0 = gid.x * QUAD * CB;
  if (i0 >= dimM || j0 >= dimN) { return; }
  let ir = blockRows(i0);
  let jc = blockCols(j0);
  var x: array<mat4x4<f32>, THREAD_BLOCKS>;
  var q: array<mat4x4<f32>, MAX_QUADS>;
  var p: array<mat4x4<f32>, MAX_QUADS>;
  for (var k = 0u; k < dimK; k += 4u) {
    let g = kGroup(k);
    loadQ(&q, ir, g);
    loadP(&p, jc, g);
    multiply(&x, &q, &p);
  }
  storeBlocks(i0, j0, &x);
}
