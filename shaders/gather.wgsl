//!include batch.wgsl
// Gathers this batch's rows out of the resident dataset through the epoch's sample order:
// dst[r, :] = X[order[batch.start + r], :]. The data is uploaded once; only the order changes.
// A dataset larger than one storage binding is split by rows over the src bindings
// (`shardRows` rows each); the host counts them here to know how many shards it may use.

const THREADS: u32 = 256u;

struct Params {
  cols: u32,
  shardRows: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> src0: array<f32>;
@group(0) @binding(4) var<storage, read> src1: array<f32>;
@group(0) @binding(5) var<storage, read> src2: array<f32>;
@group(0) @binding(6) var<storage, read> src3: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  let cols = params.cols;
  if (i >= batch.rows * cols) { return; }
  let r = i / cols;
  let c = i % cols;
  let row = order[batch.start + r];
  let shard = row / params.shardRows;
  let at = (row % params.shardRows) * cols + c;
  switch shard {
    case 0u: { dst[i] = src0[at]; }
    case 1u: { dst[i] = src1[at]; }
    case 2u: { dst[i] = src2[at]; }
    default: { dst[i] = src3[at]; }
  }
}
