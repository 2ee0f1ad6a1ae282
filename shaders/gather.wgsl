//!include batch.wgsl
// Gathers this batch's rows out of the resident dataset through the epoch's sample order:
// dst[r, :] = X[order[batch.start + r], :]. The data is uploaded once; only the order changes.
//
// Storage: rows of float32 (ELEMENT_F32: `rowStride` = cols words a row); of bytes packed four
// to a little-endian u32 (ELEMENT_U8: `rowStride` = ⌈cols/4⌉ words a row), whose values are
// byte·scale + offset (e.g. pixels with scale 1/255), a quarter of float32's memory; or of IEEE
// float16 values two to a word (ELEMENT_F16: `rowStride` = ⌈cols/2⌉), unpacked with the core
// builtin unpack2x16float (no `shader-f16` needed), half of float32's memory.
// A dataset larger than one storage binding is split by rows into shards of `shardRows` rows;
// one launch reads the SHARDS shards from `firstShard` (bound to src0..src3) and leaves rows of
// other shards to the launches that bind them, so any number of shards takes ⌈shards/SHARDS⌉ launches.

const THREADS: u32 = 256u;
const SHARDS: u32 = 4u;
const ELEMENT_F32: u32 = 0u;
const ELEMENT_U8: u32 = 1u;
const ELEMENT_F16: u32 = 2u;

override ELEMENT: u32 = ELEMENT_F32;

struct Params {
  cols: u32,
  shardRows: u32,
  rowStride: u32,
  firstShard: u32,
  scale: f32,
  offset: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> src0: array<u32>;
@group(0) @binding(4) var<storage, read> src1: array<u32>;
@group(0) @binding(5) var<storage, read> src2: array<u32>;
@group(0) @binding(6) var<storage, read> src3: array<u32>;

/** Word `at` of this launch's shard `k` (0..SHARDS−1). */
fn word(k: u32, at: u32) -> u32 {
  switch k {
    case 0u: { return src0[at]; }
    case 1u: { return src1[at]; }
    case 2u: { return src2[at]; }
    default: { return src3[at]; }
  }
}

@compute @workgroup_size(THREADS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * THREADS;
  let cols = params.cols;
  if (i >= batch.rows * cols) { return; }
  let r = i / cols;
  let c = i % cols;
  let row = order[batch.start + r];
  let shard = row / params.shardRows;
  if (shard < params.firstShard || shard >= params.firstShard + SHARDS) { return; }
  let base = (row % params.shardRows) * params.rowStride;
  if (ELEMENT == ELEMENT_U8) {
    let w = word(shard - params.firstShard, base + c / 4u);
    dst[i] = f32((w >> (8u * (c % 4u))) & 0xffu) * params.scale + params.offset;
  } else if (ELEMENT == ELEMENT_F16) {
    dst[i] = unpack2x16float(word(shard - params.firstShard, base + c / 2u))[c % 2u];
  } else {
    dst[i] = bitcast<f32>(word(shard - params.firstShard, base + c));
  }
}
