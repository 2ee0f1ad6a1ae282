// Element-wise activations and their derivatives, shared by the kernels that declare an
// `ACTIVATION` override (0 linear, 1 sigmoid, 2 tanh, 3 relu); prepended by the host.
// Each derivative is written in terms of the activation's output a = f(z).

fn activate(z: f32) -> f32 {
  switch ACTIVATION {
    case 1u: {
      // numerically safe logistic
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case 2u: { return tanh(clamp(z, -15.0, 15.0)); }
    case 3u: { return max(z, 0.0); }
    default: { return z; }
  }
}

fn derivative(act: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return act * (1.0 - act); }
    case 2u: { return 1.0 - act * act; }
    case 3u: { return select(0.0, 1.0, act > 0.0); }
    default: { return 1.0; }
  }
}
