//!include batch.wgsl
// Row-wise softmax, in place, over a [rows, cols] block of logits: a = exp(z − max) / Σ exp(z − max).
// One thread per row (output layers are narrow).

const THREADS: u32 = 64u;

struct Params {
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> z: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= batch.rows) { return; }
  let cols = params.cols;
  let o = r * cols;
  var mx = z[o];
  for (var j = 1u; j < cols; j++) { mx = max(mx, z[o + j]); }
  var sum = 0.0;
  for (var j = 0u; j < cols; j++) {
    let e = exp(z[o + j] - mx);
    z[o + j] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var j = 0u; j < cols; j++) { z[o + j] *= inv; }
}
