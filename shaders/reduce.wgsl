//!include batch.wgsl
// Reductions over the batch rows.
//   column_sums: dst[j] = Σ_r src[r, j]  (bias gradient ∂b = Σ_batch δ), one thread per column
//   batch_stats: sums rowStats' [loss, correct] pairs over the batch into stats[batch.index],
//                and latches flags[0] = 1 when either sum is not finite (the optimizer then stops;
//                a correct count always is, the L1 and L2 terms' [Σ|W|, ΣW²] may not be)

const COLUMN_THREADS: u32 = 64u;
const MAX_STATS_THREADS: u32 = 64u;

struct Params {
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> flags: array<u32>;

/** True for ±Infinity and NaN (all exponent bits set), without relying on NaN comparisons. */
fn nonFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(COLUMN_THREADS)
fn column_sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let cols = params.cols;
  if (j >= cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < batch.rows; r++) { s += src[r * cols + j]; }
  dst[j] = s;
}

// Threads of batch_stats, a power of two: the host sizes it to the batch (up to
// MAX_STATS_THREADS), so that a small batch does not pay for more threads and barrier rounds
// than it has rows. At most 64: on software adapters compiling takes longer the larger the
// workgroup (about 0.12 s at 256 threads, 0.03 s at 64, SwiftShader), and 64 threads sum a
// batch of thousands of rows in microseconds.
override STATS_THREADS: u32 = MAX_STATS_THREADS;

var<workgroup> partial: array<vec2<f32>, STATS_THREADS>;

@compute @workgroup_size(STATS_THREADS)
fn batch_stats(@builtin(local_invocation_id) lid: vec3<u32>) {
  var s = vec2<f32>(0.0, 0.0);
  for (var r = lid.x; r < batch.rows; r += STATS_THREADS) { s += vec2<f32>(src[2u * r], src[2u * r + 1u]); }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var w = STATS_THREADS / 2u; w > 0u; w >>= 1u) {
    if (lid.x < w) { partial[lid.x] += partial[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    dst[2u * batch.index] = partial[0].x;
    dst[2u * batch.index + 1u] = partial[0].y;
    if (nonFinite(partial[0].x) || nonFinite(partial[0].y)) { flags[0] = 1u; }
  }
}
