// Element-wise activations and their derivatives, included by the kernels that apply one
// (`ACTIVATION`, set by the host from these names). Each derivative is written in terms of the
// activation's output a = f(z).

const ACTIVATION_LINEAR: u32 = 0u;
const ACTIVATION_SIGMOID: u32 = 1u;
const ACTIVATION_TANH: u32 = 2u;
const ACTIVATION_RELU: u32 = 3u;
const ACTIVATION_SOFTMAX: u32 = 4u; // applied by softmax.wgsl; activate() leaves z as it is

override ACTIVATION: u32 = ACTIVATION_LINEAR;

fn activate(z: f32) -> f32 { return activateAs(ACTIVATION, z); }

// The activation with code `code` (ACTIVATION_*).
fn activateAs(code: u32, z: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: {
      // numerically safe logistic
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case ACTIVATION_TANH: { return tanh(clamp(z, -15.0, 15.0)); }
    case ACTIVATION_RELU: { return max(z, 0.0); }
    default: { return z; }
  }
}

fn derivative(act: f32) -> f32 { return derivativeAs(ACTIVATION, act); }

fn derivativeAs(code: u32, act: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: { return act * (1.0 - act); }
    case ACTIVATION_TANH: { return 1.0 - act * act; }
    case ACTIVATION_RELU: { return select(0.0, 1.0, act > 0.0); }
    default: { return 1.0; }
  }
}
