//!include batch.wgsl
//!include activation.wgsl
// A layer's activation as a pass of its own, for the layers whose derivative reads z (GELU, SiLU,
// Mish, a negative-slope leakyRelu): their forward product writes z (linear epilogue), and
//   forward:  dst[i] = f(src[i])            (src = z, dst = a)
//   backward: dst[i] = dst[i] · f'(src[i])  (src = z, dst = ∂loss/∂a of the output layer → δ)
// over the batch's rows × `cols` units. Hidden layers' deltas read z in the product's epilogue.

const THREADS: u32 = 256u;

struct Params {
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(THREADS)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = activate(src[i]);
}

@compute @workgroup_size(THREADS)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = dst[i] * derivative(src[i]);
}
