//!include activation.wgsl
// The output step of the normalizations' training forward (norm.wgsl, batch-norm.wgsl), which
// include this file: y = γ ⊙ x̂ + β, then dst = f(y) (`ACTIVATION`, activation.wgsl). Both files
// bind these four buffers at the same numbers; gammaBeta is γ then β ([2·cols]).

// Set by the host per pipeline (src/gpu/kernels/launch-norm.ts, launch-batch-norm.ts): true keeps
// y in `pre`, for the activations whose f' reads their input. No default, so a launch that forgets
// it fails at pipeline creation instead of silently dropping y.
override KEEP_PRE: bool;

@group(0) @binding(1) var<storage, read> gammaBeta: array<f32>;
@group(0) @binding(2) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;
@group(0) @binding(5) var<storage, read_write> pre: array<f32>;

/** Element i (unit j of a layer `cols` wide): y from x̂[i], kept in `pre` when KEEP_PRE, and dst[i] = f(y). */
fn writeOutput(i: u32, j: u32, cols: u32) {
  let y = gammaBeta[j] * xhat[i] + gammaBeta[cols + j];
  if (KEEP_PRE) { pre[i] = y; }
  dst[i] = activate(y);
}
