// Element-wise activations and their derivatives, included by the kernels that apply one
// (`ACTIVATION`, set by the host from these names; `ACTIVATION_ALPHA`, the layer's alpha for
// leakyRelu and elu). Each derivative is written in terms of the activation's output a = f(z),
// except for GELU (both), SiLU and Mish, which are not invertible: their derivative takes z, which
// the host keeps for those layers (see src/core/activation-spec.ts). leakyRelu's reads either.
// Every function is finite at large |z|: exp only ever sees arguments ≤ 20, tanh a clamped one.

const ACTIVATION_LINEAR: u32 = 0u;
const ACTIVATION_SIGMOID: u32 = 1u;
const ACTIVATION_TANH: u32 = 2u;
const ACTIVATION_RELU: u32 = 3u;
const ACTIVATION_SOFTMAX: u32 = 4u; // applied by softmax.wgsl; activate() leaves z as it is
const ACTIVATION_LEAKY_RELU: u32 = 5u;
const ACTIVATION_ELU: u32 = 6u;
const ACTIVATION_SELU: u32 = 7u;
const ACTIVATION_GELU: u32 = 8u;
const ACTIVATION_GELU_TANH: u32 = 9u;
const ACTIVATION_SILU: u32 = 10u;
const ACTIVATION_SOFTPLUS: u32 = 11u;
const ACTIVATION_MISH: u32 = 12u;

const SELU_ALPHA: f32 = 1.6732632423543772;
const SELU_SCALE: f32 = 1.0507009873554805;
const GELU_K: f32 = 0.7978845608028654; // √(2/π)
const GELU_C: f32 = 0.044715;
const SOFTPLUS_LIMIT: f32 = 20.0; // PyTorch's Softplus threshold: z itself above it

override ACTIVATION: u32 = ACTIVATION_LINEAR;
override ACTIVATION_ALPHA: f32 = 0.0;

fn activate(z: f32) -> f32 { return activateAs(ACTIVATION, ACTIVATION_ALPHA, z); }

fn safeSigmoid(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}

fn safeTanh(z: f32) -> f32 { return tanh(clamp(z, -15.0, 15.0)); }

// e^z − 1 for z ≤ 0, its Taylor series near 0 where e^z − 1 cancels (relative error < 2e-8).
fn expm1Neg(z: f32) -> f32 {
  if (z > -0.35) { return z * (1.0 + z * (0.5 + z * (1.0 / 6.0 + z * (1.0 / 24.0 + z * (1.0 / 120.0 + z * (1.0 / 720.0 + z / 5040.0)))))); }
  return exp(z) - 1.0;
}

// erfc(x): Numerical Recipes' erfcc (Press et al., Numerical Recipes in C, 2nd ed., §6.2), a
// Chebyshev fit with fractional error < 1.2e-7 everywhere, float32's own precision (WGSL has no erf).
fn erfc(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * abs(x));
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(min(p - x * x, 0.0));
  return select(r, 2.0 - r, x < 0.0);
}

fn normalCdf(z: f32) -> f32 { return 0.5 * erfc(-z * 0.7071067811865476); }

// ln(1 + u) for u in [0, 1], u itself where 1 + u rounds to 1.
fn log1pSmall(u: f32) -> f32 {
  let w = 1.0 + u;
  if (w == 1.0) { return u; }
  return log(w) * u / (w - 1.0);
}

fn softplus(z: f32) -> f32 {
  if (z > SOFTPLUS_LIMIT) { return z; }
  return max(z, 0.0) + log1pSmall(exp(-abs(z)));
}

// tanh(softplus(z)) = n/(n + 2) with n = e^z(e^z + 2); 1 above the softplus limit.
fn tanhSoftplus(z: f32) -> f32 {
  if (z > SOFTPLUS_LIMIT) { return 1.0; }
  let e = exp(z);
  let n = e * (e + 2.0);
  return n / (n + 2.0);
}

fn geluTanhInner(z: f32) -> f32 { return GELU_K * (z + GELU_C * z * z * z); }

// The activation with code `code` (ACTIVATION_*) and alpha `alpha`.
fn activateAs(code: u32, alpha: f32, z: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: { return safeSigmoid(z); }
    case ACTIVATION_TANH: { return safeTanh(z); }
    case ACTIVATION_RELU: { return max(z, 0.0); }
    case ACTIVATION_LEAKY_RELU: { return select(alpha * z, z, z > 0.0); }
    case ACTIVATION_ELU: { return select(alpha * expm1Neg(min(z, 0.0)), z, z > 0.0); }
    case ACTIVATION_SELU: { return SELU_SCALE * select(SELU_ALPHA * expm1Neg(min(z, 0.0)), z, z > 0.0); }
    case ACTIVATION_GELU: { return z * normalCdf(z); }
    case ACTIVATION_GELU_TANH: { return 0.5 * z * (1.0 + safeTanh(geluTanhInner(z))); }
    case ACTIVATION_SILU: { return z * safeSigmoid(z); }
    case ACTIVATION_SOFTPLUS: { return softplus(z); }
    case ACTIVATION_MISH: { return z * tanhSoftplus(z); }
    default: { return z; }
  }
}

fn derivative(x: f32) -> f32 { return derivativeAs(ACTIVATION, ACTIVATION_ALPHA, x); }

// f' from x: the output a, or z for gelu, geluTanh, silu and mish (and a negative-slope leakyRelu).
fn derivativeAs(code: u32, alpha: f32, x: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: { return x * (1.0 - x); }
    case ACTIVATION_TANH: { return 1.0 - x * x; }
    case ACTIVATION_RELU: { return select(0.0, 1.0, x > 0.0); }
    case ACTIVATION_LEAKY_RELU: { return select(alpha, 1.0, x > 0.0); }
    case ACTIVATION_ELU: { return select(x + alpha, 1.0, x > 0.0); }
    case ACTIVATION_SELU: { return select(x + SELU_SCALE * SELU_ALPHA, SELU_SCALE, x > 0.0); }
    // σ(z) = 1 − e^{−a}, its series below a = 0.01 where that cancels
    case ACTIVATION_SOFTPLUS: {
      if (x > SOFTPLUS_LIMIT) { return 1.0; }
      if (x < 0.01) { return x * (1.0 - x * (0.5 - x / 6.0)); }
      return 1.0 - exp(-x);
    }
    case ACTIVATION_GELU: { return normalCdf(x) + x * 0.3989422804014327 * exp(-0.5 * min(x * x, 200.0)); }
    case ACTIVATION_GELU_TANH: {
      let t = safeTanh(geluTanhInner(x));
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_K * (1.0 + 3.0 * GELU_C * x * x);
    }
    case ACTIVATION_SILU: {
      let s = safeSigmoid(x);
      return s * (1.0 + x * (1.0 - s));
    }
    case ACTIVATION_MISH: {
      let t = tanhSoftplus(x);
      return t + x * safeSigmoid(x) * (1.0 - t * t);
    }
    default: { return 1.0; }
  }
}
