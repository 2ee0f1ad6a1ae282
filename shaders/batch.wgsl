// Per-batch values, shared by every kernel of a training step (each kernel includes this file).
// One entry per batch of the epoch lives in a uniform buffer, selected with a dynamic offset, so
// bind groups are built once and nothing is written inside the batch loop. The host packs it
// from this struct's reflected layout (src/gpu/kernels/batch-uniform.ts).

struct Batch {
  start: u32,   // first position of this batch in the epoch's sample order
  rows: u32,    // samples in this batch (the last batch may be short)
  step: u32,    // 1-based optimizer step (Adam's bias correction)
  index: u32,   // batch number within the epoch (where its loss and accuracy are stored)
  lr: f32,      // learning rate
  c1: f32,      // 1 − β₁ᵗ
  c2: f32,      // 1 − β₂ᵗ
  dropKey: u32, // this step's dropout stream (dropout.wgsl); 0 when nothing is dropped
}

@group(1) @binding(0) var<uniform> batch: Batch;
