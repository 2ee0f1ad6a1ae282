//!include batch.wgsl
// One fused pass of the optimizer over a parameter buffer, with the averaged gradient
// g = (∂θ + λθ + λ₁·sign(θ)) / m  (λ, λ₁ = 0 for biases; m = the batch's row count; sign(0) = 0,
// as PyTorch's abs backward), clipped first when asked:
//   CLIP_NORM:  g ·= clipNorm / ‖g‖ where the global norm ‖g‖ (√ of the `norms` slots that
//               clip.wgsl filled for every trainable buffer) exceeds clipNorm
//   CLIP_VALUE: g = clamp(g, −clipValue, clipValue)
// then
//   sgd:      θ −= η g
//   momentum: v = μ v + g;  θ −= η v            (NESTEROV: θ −= η (g + μ v))
//   adam:     m = β₁ m + (1 − β₁) g;  v = β₂ v + (1 − β₂) g²;  θ −= η (m / c₁) / (√(v / c₂) + ε)
//   adamw:    adam's step, plus the decoupled decay θ −= η·weightDecay·θ (of θ before the step)
//   rmsprop:  s = ρ s + (1 − ρ) g²;  u = μ u + η g / √(s + ε);  θ −= u   (TensorFlow.js's form)
// with c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ and η from the per-batch uniform. Slots: momentum
// s1 = v; adam(w) s1 = m, s2 = v; rmsprop s1 = s, s2 = u. RMSprop's ρ is the decay of its
// squared-gradient average, the role β₂ plays in Adam: it is passed in `beta2`. The settings
// fixed for a whole `fit` (weight decay, clipping) are pipeline constants.
//
// Divergence guard: before updating, the current θ and optimizer slots are saved to `prev`
// (layout [θ | s1 | s2], `count` each), and nothing happens once `flags[0]` is set (the batch
// loss went non-finite, see reduce.wgsl). The host then restores `prev`: the state after the
// last step whose weights still gave a finite loss.

const OPTIMIZER_SGD: u32 = 0u;
const OPTIMIZER_MOMENTUM: u32 = 1u;
const OPTIMIZER_ADAM: u32 = 2u;
const OPTIMIZER_RMSPROP: u32 = 3u;
const OPTIMIZER_ADAMW: u32 = 4u;
const THREADS: u32 = 256u;

override OPTIMIZER: u32 = OPTIMIZER_SGD;
override NESTEROV: bool = false;
// adamw's decoupled decay for this buffer (0 for biases unless they decay)
override WEIGHT_DECAY: f32 = 0.0;
// clipping: CLIP_NORM > 0 scales by the global norm (NORM_SLOTS slots of `norms`), CLIP_VALUE > 0 clamps
override CLIP_NORM: f32 = 0.0;
override NORM_SLOTS: u32 = 0u;
override CLIP_VALUE: f32 = 0.0;

struct Params {
  count: u32,
  l2: f32,
  l1: f32,
  momentum: f32, // μ (momentum, rmsprop)
  beta1: f32,
  beta2: f32,    // β₂ (adam, adamw), ρ (rmsprop)
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
@group(0) @binding(5) var<storage, read_write> prev: array<f32>;
@group(0) @binding(6) var<storage, read> flags: array<u32>;
@group(0) @binding(7) var<storage, read> norms: array<f32>;

/** Slots the optimizer keeps per parameter. */
fn slotCount() -> u32 {
  switch OPTIMIZER {
    case OPTIMIZER_SGD: { return 0u; }
    case OPTIMIZER_MOMENTUM: { return 1u; }
    default: { return 2u; }
  }
}

/** The averaged gradient of element i, clipped as configured. */
fn gradient(i: u32) -> f32 {
  var g = (grad[i] + params.l2 * theta[i] + params.l1 * sign(theta[i])) / f32(batch.rows);
  if (CLIP_NORM > 0.0) {
    var sq = 0.0;
    for (var k = 0u; k < NORM_SLOTS; k++) { sq += norms[k]; }
    let norm = sqrt(sq);
    if (norm > CLIP_NORM) { g = g * (CLIP_NORM / norm); }
  }
  if (CLIP_VALUE > 0.0) { g = clamp(g, -CLIP_VALUE, CLIP_VALUE); }
  return g;
}

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= params.count || flags[0] != 0u) { return; }
  let n = params.count;
  let slots = slotCount();
  prev[i] = theta[i];
  if (slots >= 1u) { prev[n + i] = s1[i]; }
  if (slots >= 2u) { prev[2u * n + i] = s2[i]; }
  let g = gradient(i);
  switch OPTIMIZER {
    case OPTIMIZER_MOMENTUM: {
      let v = params.momentum * s1[i] + g;
      s1[i] = v;
      if (NESTEROV) { theta[i] -= batch.lr * (g + params.momentum * v); } else { theta[i] -= batch.lr * v; }
    }
    case OPTIMIZER_ADAM, OPTIMIZER_ADAMW: {
      let m = params.beta1 * s1[i] + (1.0 - params.beta1) * g;
      let v = params.beta2 * s2[i] + (1.0 - params.beta2) * g * g;
      s1[i] = m;
      s2[i] = v;
      let t0 = theta[i];
      let step = batch.lr * (m / batch.c1) / (sqrt(v / batch.c2) + params.epsilon);
      if (OPTIMIZER == OPTIMIZER_ADAMW) { theta[i] = t0 - batch.lr * WEIGHT_DECAY * t0 - step; } else { theta[i] = t0 - step; }
    }
    case OPTIMIZER_RMSPROP: {
      let s = params.beta2 * s1[i] + (1.0 - params.beta2) * g * g;
      let u = params.momentum * s2[i] + batch.lr * g / sqrt(s + params.epsilon);
      s1[i] = s;
      s2[i] = u;
      theta[i] -= u;
    }
    default: { theta[i] -= batch.lr * g; }
  }
}
