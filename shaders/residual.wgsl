//!include batch.wgsl
//!include activation.wgsl
// Residual layers (a_l = drop(f(z_l)) + a_{l−1}), element-wise over the batch's rows × `cols`:
//   sum:        dst[i] = src[i] + other[i]            (forward: the layer's output plus its input)
//   accumulate: dst[i] = dst[i] + src[i]              (backward: ∂loss/∂a_{l−1} += the skip's ∂loss/∂a_l)
//   derivative_of: dst[i] = src[i] · f'(aux[i])          (δ = ∂loss/∂a ⊙ f', ∂loss/∂a kept in src)
//   scale:      dst[i] = dst[i] · f'(aux[i])          (δ in place)
// f' is activation.wgsl's derivative in terms of a = f(z) (`ACTIVATION`, a pipeline constant);
// aux is the layer's f(z) before dropout and the add (its z for the activations whose f' reads z).
// Each entry binds only what it reads.

const THREADS: u32 = 256u;

struct Params {
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> other: array<f32>;
@group(0) @binding(3) var<storage, read> aux: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

fn element(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * THREADS; }

@compute @workgroup_size(THREADS)
fn sum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = element(gid, nwg);
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = src[i] + other[i];
}

@compute @workgroup_size(THREADS)
fn accumulate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = element(gid, nwg);
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = dst[i] + src[i];
}

@compute @workgroup_size(THREADS)
fn derivative_of(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = element(gid, nwg);
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = src[i] * derivative(aux[i]);
}

@compute @workgroup_size(THREADS)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = element(gid, nwg);
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = dst[i] * derivative(aux[i]);
}
