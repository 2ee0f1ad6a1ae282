//!include batch.wgsl
// One fused pass of the optimizer over a parameter buffer, with the averaged gradient
// g = (∂θ + λθ) / m  (λ = 0 for biases; m = the batch's row count):
//   sgd:      θ −= η g
//   momentum: v = μ v + g;  θ −= η v
//   adam:     m = β₁ m + (1 − β₁) g;  v = β₂ v + (1 − β₂) g²;  θ −= η (m / c₁) / (√(v / c₂) + ε)
// with c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ from the per-batch uniform.
//
// Divergence guard: before updating, the current θ and optimizer slots are saved to `prev`
// (layout [θ | s1 | s2], `count` each), and nothing happens once `flags[0]` is set (the batch
// loss went non-finite, see reduce.wgsl). The host then restores `prev`: the state after the
// last step whose weights still gave a finite loss.

const OPTIMIZER_SGD: u32 = 0u;
const OPTIMIZER_MOMENTUM: u32 = 1u;
const OPTIMIZER_ADAM: u32 = 2u;
const THREADS: u32 = 256u;

override OPTIMIZER: u32 = OPTIMIZER_SGD;

struct Params {
  count: u32,
  l2: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
@group(0) @binding(5) var<storage, read_write> prev: array<f32>;
@group(0) @binding(6) var<storage, read> flags: array<u32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= params.count || flags[0] != 0u) { return; }
  let n = params.count;
  prev[i] = theta[i];
  if (OPTIMIZER != OPTIMIZER_SGD) { prev[n + i] = s1[i]; }
  if (OPTIMIZER == OPTIMIZER_ADAM) { prev[2u * n + i] = s2[i]; }
  let g = (grad[i] + params.l2 * theta[i]) / f32(batch.rows);
  switch OPTIMIZER {
    case OPTIMIZER_MOMENTUM: {
      let v = params.momentum * s1[i] + g;
      s1[i] = v;
      theta[i] -= batch.lr * v;
    }
    case OPTIMIZER_ADAM: {
      let m = params.beta1 * s1[i] + (1.0 - params.beta1) * g;
      let v = params.beta2 * s2[i] + (1.0 - params.beta2) * g * g;
      s1[i] = m;
      s2[i] = v;
      theta[i] -= batch.lr * (m / batch.c1) / (sqrt(v / batch.c2) + params.epsilon);
    }
    default: { theta[i] -= batch.lr * g; }
  }
}
