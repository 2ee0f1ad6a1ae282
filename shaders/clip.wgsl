//!include batch.wgsl
// Gradient clipping by the global norm, first half: Σ g² over one parameter buffer's averaged
// gradient g = (∂θ + λθ + λ₁·sign(θ)) / m (λ, λ₁ = 0 for biases; m = the batch's row count), written to
// norms[params.slot]. Every trainable buffer of the network has its slot; optimizer.wgsl then
// sums the slots into ‖g‖ and scales g by clipNorm / ‖g‖ where ‖g‖ exceeds clipNorm. One
// workgroup per buffer, a tree reduction in workgroup memory.

const THREADS: u32 = 256u;

struct Params {
  count: u32,
  l2: f32,
  l1: f32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;

var<workgroup> partial: array<f32, THREADS>;

@compute @workgroup_size(THREADS)
fn sum_squares(@builtin(local_invocation_id) lid: vec3<u32>) {
  let m = f32(batch.rows);
  var s = 0.0;
  for (var i = lid.x; i < params.count; i += THREADS) {
    let g = (grad[i] + params.l2 * theta[i] + params.l1 * sign(theta[i])) / m;
    s += g * g;
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var w = THREADS / 2u; w > 0u; w >>= 1u) {
    if (lid.x < w) { partial[lid.x] += partial[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { norms[params.slot] = partial[0]; }
}
