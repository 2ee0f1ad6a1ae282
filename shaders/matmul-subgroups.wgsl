enable subgroups;
diagnostic(off, subgroup_uniformity);
//!include matmul-blocks.wgsl
// The register-blocked matmul (matmul.wgsl blocked) with A shared through subgroup broadcasts,
// compiled only on devices with the `subgroups` feature; the same results and bindings.
//
// A workgroup is one row of WG_X threads: all of them compute the same QUAD·RB rows of C (each
// its own QUAD·CB columns), so every subgroup, whatever its size and however the invocations are
// split into subgroups, needs the same rows of A. For each row block and group of four k, lane l
// reads row (l mod 4) of the block (one vec4) and the four rows reach every lane by
// subgroupBroadcast from lanes 0 … 3: one read of A per lane where the blocked entry point makes
// four. Lanes 0 … 3 must be active: the host keeps WG_X a multiple of 4 (subgroups have at least
// 4 lanes), and no lane leaves before the last broadcast (columns past N are computed, clamped,
// and not stored).

override WG_X: u32 = 64u;

// Q of row block r over k..k+3: lane l holds row (l mod 4) of the block over k..k+3 in `own`.
fn sharedQ(own: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(subgroupBroadcast(own, 0u), subgroupBroadcast(own, 1u), subgroupBroadcast(own, 2u), subgroupBroadcast(own, 3u));
}

// The row of each row block this lane reads (row (lane mod 4) of the block, clamped).
fn ownRows(i0: u32, lane: u32) -> vec4<u32> {
  return min(vec4<u32>(i0 + (lane & 3u)) + vec4<u32>(0u, 1u, 2u, 3u) * QUAD, vec4<u32>(dimM - 1u));
}

@compute @workgroup_size(WG_X, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  loadDims();
  let i0 = wg.y * QUAD * RB;
  let j0 = gid.x * QUAD * CB;
  // the whole workgroup leaves together (same rows)
  if (i0 >= dimM) { return; }
  let jc = blockCols(min(j0, dimN - 1u));
  let own = ownRows(i0, lane);
  var x: array<mat4x4<f32>, THREAD_BLOCKS>;
  var q: array<mat4x4<f32>, MAX_QUADS>;
  var p: array<mat4x4<f32>, MAX_QUADS>;
  for (var k = 0u; k < dimK; k += 4u) {
    let g = kGroup(k);
    q[0] = sharedQ(rowA(own.x, g));
    if (RB > 1u) { q[1] = sharedQ(rowA(own.y, g)); }
    if (RB > 2u) { q[2] = sharedQ(rowA(own.z, g)); }
    if (RB > 3u) { q[3] = sharedQ(rowA(own.w, g)); }
    loadP(&p, jc, g);
    multiply(&x, &q, &p);
  }
  if (j0 >= dimN) { return; }
  storeBlocks(i0, j0, &x);
}
