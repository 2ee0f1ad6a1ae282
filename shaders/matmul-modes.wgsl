//!include batch.wgsl
//!include activation.wgsl
// What every matmul kernel (matmul.wgsl, matmul-vec4.wgsl, matmul-subgroups.wgsl) shares: the
// operand layouts, the epilogues, the sizes uniform and the bias / aux bindings.
//
//   TRANS_A = false: A is [M, K]      TRANS_A = true: A is stored [K, M]  (∂W = a_prevᵀ · δ)
//   TRANS_B = false: B is [K, N]      TRANS_B = true: B is stored [N, K]  (δ · Wᵀ)
//
//   EPILOGUE_NONE:                  C = A·B
//   EPILOGUE_BIAS_ACTIVATION:       C = f(A·B + bias)        (forward; bias only when HAS_BIAS)
//   EPILOGUE_ACTIVATION_DERIVATIVE: C = (A·B) ⊙ f'(aux)      (hidden delta; aux holds a = f(z))
//
// The batch dimension (M for the forward pass and the hidden delta, K for the weight gradient)
// is read from the per-batch uniform (params.batchRows), so one pipeline and one bind group
// serve every batch.

const EPILOGUE_NONE: u32 = 0u;
const EPILOGUE_BIAS_ACTIVATION: u32 = 1u;
const EPILOGUE_ACTIVATION_DERIVATIVE: u32 = 2u;

// which size is the batch's row count (params.batchRows)
const BATCH_ROWS_NONE: u32 = 0u;
const BATCH_ROWS_M: u32 = 1u;
const BATCH_ROWS_K: u32 = 2u;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = EPILOGUE_NONE;
override HAS_BIAS: bool = false;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batchRows: u32, // BATCH_ROWS_NONE, BATCH_ROWS_M or BATCH_ROWS_K
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;

// The sizes of this batch's product: M×K times K×N.
fn batchM() -> u32 { return select(params.M, batch.rows, params.batchRows == BATCH_ROWS_M); }
fn batchK() -> u32 { return select(params.K, batch.rows, params.batchRows == BATCH_ROWS_K); }

// The epilogue for output C[i, j] of a row of N outputs.
fn epilogue(v: f32, i: u32, j: u32, N: u32) -> f32 {
  if (EPILOGUE == EPILOGUE_BIAS_ACTIVATION) {
    var x = v;
    if (HAS_BIAS) { x += bias[j]; }
    return activate(x);
  }
  if (EPILOGUE == EPILOGUE_ACTIVATION_DERIVATIVE) { return v * derivative(aux[i * N + j]); }
  return v;
}
