// Gathers this batch's rows out of the resident dataset through the epoch's sample order:
// dst[r, :] = src[order[batch.start + r], :]. The data is uploaded once; only the order changes.

struct Params {
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let cols = params.cols;
  if (i >= batch.rows * cols) { return; }
  let r = i / cols;
  let c = i % cols;
  dst[i] = src[order[batch.start + r] * cols + c];
}
