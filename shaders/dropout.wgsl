//!include batch.wgsl
// Inverted dropout on a hidden layer's activations, while training only:
//   forward:  dst[i] = src[i] · keep(i) / (1 − p)      (dst is what the next layer reads)
//   backward: dst[i] = dst[i] · keep(i) / (1 − p)      (the layer's delta, after f'(a))
// over the batch's rows × `cols` units, with i = r·cols + j. Whether element i is kept is a pure
// function of this step's key (batch.dropKey), the layer and i: a PCG hash (Jarzynski & Olano,
// "Hash Functions for GPU Rendering", 2020), kept when hash ≥ `threshold` = round(p·2³²). The
// same function is written in src/core/dropout-mask.ts, so the CPU path draws bit-identical masks.

const THREADS: u32 = 256u;

struct Params {
  cols: u32,
  layer: u32,
  threshold: u32,
  scale: f32, // 1 / (1 − p)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

/** 1/(1 − p) where element `i` is kept at this step, 0 where it is dropped. */
fn keepScale(i: u32) -> f32 {
  let h = pcg(pcg(batch.dropKey ^ params.layer) ^ i);
  return select(0.0, params.scale, h >= params.threshold);
}

@compute @workgroup_size(THREADS)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = src[i] * keepScale(i);
}

@compute @workgroup_size(THREADS)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  if (i >= batch.rows * params.cols) { return; }
  dst[i] = dst[i] * keepScale(i);
}
