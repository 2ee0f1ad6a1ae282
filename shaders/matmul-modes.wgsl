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
//   EPILOGUE_ACTIVATION_DERIVATIVE: C = (A·B) ⊙ f'(aux)      (hidden delta; aux holds a = f(z), or z for the activations whose f' reads it)
//
// The batch dimension (M for the forward pass and the hidden delta, K for the weight gradient)
// is read from the per-batch uniform (params.batchRows), so one pipeline and one bind group
// serve every batch.
//
// The modes are pipeline constants (TRANS_A, TRANS_B, EPILOGUE, ACTIVATION, HAS_BIAS), so each
// pipeline is compiled for its product; with RUNTIME_MODES they are read from params instead,
// and one pipeline serves every product of a network (forward, weight gradient, hidden delta,
// any activation), for products where compiling costs more than the specialization saves.
// Kernels read the modes through loadModes(), never the constants.

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
override RUNTIME_MODES: bool = false;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batchRows: u32, // BATCH_ROWS_NONE, BATCH_ROWS_M or BATCH_ROWS_K
  // the modes, read only with RUNTIME_MODES (the host always writes them)
  transA: u32,
  transB: u32,
  epilogue: u32,
  activation: u32,
  hasBias: u32,
  alpha: f32, // the activation's alpha (leakyRelu, elu)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;

var<private> transA: bool;
var<private> transB: bool;
var<private> epilogueMode: u32;
var<private> activationMode: u32;
var<private> activationAlpha: f32;
var<private> hasBias: bool;

/** Reads this launch's modes: the pipeline's constants, or params with RUNTIME_MODES. */
fn loadModes() {
  transA = select(TRANS_A, params.transA != 0u, RUNTIME_MODES);
  transB = select(TRANS_B, params.transB != 0u, RUNTIME_MODES);
  epilogueMode = select(EPILOGUE, params.epilogue, RUNTIME_MODES);
  activationMode = select(ACTIVATION, params.activation, RUNTIME_MODES);
  activationAlpha = select(ACTIVATION_ALPHA, params.alpha, RUNTIME_MODES);
  hasBias = select(HAS_BIAS, params.hasBias != 0u, RUNTIME_MODES);
}

// The sizes of this batch's product: M×K times K×N.
fn batchM() -> u32 { return select(params.M, batch.rows, params.batchRows == BATCH_ROWS_M); }
fn batchK() -> u32 { return select(params.K, batch.rows, params.batchRows == BATCH_ROWS_K); }

// The epilogue for output C[i, j] of a row of N outputs.
fn epilogue(v: f32, i: u32, j: u32, N: u32) -> f32 {
  if (epilogueMode == EPILOGUE_BIAS_ACTIVATION) {
    var x = v;
    if (hasBias) { x += bias[j]; }
    return activateAs(activationMode, activationAlpha, x);
  }
  if (epilogueMode == EPILOGUE_ACTIVATION_DERIVATIVE) { return v * derivativeAs(activationMode, activationAlpha, aux[i * N + j]); }
  return v;
}
