/**
 * Each layer's activation as module functions (v128 → v128, four float32 lanes): the classic ones
 * from math.ts, and the newer ones built here on its exp and tanh, with a float32 ln (Cephes logf),
 * expm1, and erfc (Numerical Recipes' erfcc, §6.2: fractional error < 1.2e-7 everywhere, which is
 * float32's precision). Every one is safe at large |z|: exp's argument is clamped to ±88.4 by
 * math.ts, and the branches that would divide ∞ by ∞ are selected away.
 */
import { SELU, SOFTPLUS_LIMIT, activationAlpha, keepsPreActivation } from '../../core/activation-spec';
import type { LayerSpec } from '../../core/types';
import type { Bytes } from '../emit/encoding';
import { seq } from '../emit/encoding';
import { type Local, call, get, i32, set } from '../emit/instructions';
import { type ModuleBuilder, ValType } from '../emit/module';
import { f32x4, i32x4, v128 } from '../emit/simd';
import type { MathFunctions } from './math';

/** A layer's functions: f (none for linear and softmax), f' (none for linear), and whether f' reads z rather than a. */
export interface LayerActivation {
  activate?: number;
  derivative?: number;
  fromZ: boolean;
}

const V = [ValType.v128];
const c = f32x4.c;
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
/** Lanes where `mask` is set take `a`, the others `b`. */
const pick = (mask: Bytes, a: Bytes, b: Bytes): Bytes => v128.bitselect(a, b, mask);

/** The helpers the newer activations share, added to a module once. */
interface Helpers {
  exp: number;
  tanh: number;
  sigmoid: number;
  ln: number;
  expm1: number;
  erfc: number;
}

/** Cephes logf for x > 0: x = 2^e·m with m in [√½, √2), ln(m) by a degree-9 polynomial in m − 1. */
function lnBody(x: Local, e: Local, m: Local, z: Local): Bytes {
  const P = [7.0376836292e-2, -1.151461031e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
  let poly = c(P[0]);
  for (const p of P.slice(1)) poly = f32x4.add(f32x4.mul(poly, get(m)), c(p));
  const small = f32x4.lt(get(m), c(SQRT1_2));
  return seq(
    // m in [0.5, 1) from the mantissa bits, e the unbiased exponent + 1
    set(e, f32x4.convertI32S(i32x4.sub(i32x4.shrU(get(x), i32.c(23)), i32x4.splat(i32.c(126))))),
    set(m, v128.or(v128.and(get(x), i32x4.splat(i32.c(0x007fffff))), i32x4.splat(i32.c(0x3f000000)))),
    set(e, pick(small, f32x4.sub(get(e), c(1)), get(e))),
    set(m, f32x4.sub(pick(small, f32x4.add(get(m), get(m)), get(m)), c(1))),
    set(z, f32x4.mul(get(m), get(m))),
    f32x4.add(
      f32x4.add(get(m), f32x4.sub(f32x4.add(f32x4.mul(f32x4.mul(get(m), get(z)), poly), f32x4.mul(get(e), c(-2.12194440e-4))), f32x4.mul(get(z), c(0.5)))),
      f32x4.mul(get(e), c(0.693359375)),
    ),
  );
}

/** The helpers, added to `m`. */
function addHelpers(m: ModuleBuilder, math: MathFunctions): Helpers {
  const { exp } = math;
  const tanh = math.activate.tanh;
  const sigmoid = math.activate.sigmoid;
  const ln = m.add('ln4', V, V, (f) => lnBody(f.param(0), f.local(ValType.v128), f.local(ValType.v128), f.local(ValType.v128)));
  // e^x − 1: its Taylor series to x⁷ below |x| = 0.35 (error < 2e-8 relative), where e^x − 1 cancels
  const expm1 = m.add('expm14', V, V, (f) => {
    const x = f.param(0);
    let series = c(1 / 5040);
    for (const k of [720, 120, 24, 6, 2, 1]) series = f32x4.add(f32x4.mul(series, get(x)), c(1 / k));
    return pick(f32x4.lt(f32x4.abs(get(x)), c(0.35)), f32x4.mul(series, get(x)), f32x4.sub(call(exp, get(x)), c(1)));
  });
  // erfcc: t = 1/(1 + |x|/2), erfc(|x|) = t·exp(−x² − 1.26551223 + t·P(t)), erfc(−x) = 2 − erfc(x)
  const erfc = m.add('erfc4', V, V, (f) => {
    const [x, t] = [f.param(0), f.local(ValType.v128)];
    const P = [0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223];
    let poly = c(P[0]);
    for (const p of P.slice(1)) poly = f32x4.add(f32x4.mul(poly, get(t)), c(p));
    const r = f32x4.mul(get(t), call(exp, f32x4.sub(poly, f32x4.mul(get(x), get(x)))));
    return seq(set(t, f32x4.div(c(1), f32x4.add(c(1), f32x4.mul(f32x4.abs(get(x)), c(0.5))))), pick(f32x4.lt(get(x), c(0)), f32x4.sub(c(2), r), r));
  });
  return { exp, tanh, sigmoid, ln, expm1, erfc };
}

/** f(z) of a newer activation, from its argument `z` (a local) and scratch locals. */
function forwardOf(layer: LayerSpec, h: Helpers, z: Local, t: Local): Bytes {
  const alpha = activationAlpha(layer);
  const positive = f32x4.gt(get(z), c(0));
  switch (layer.activation) {
    case 'leakyRelu': return pick(positive, get(z), f32x4.mul(get(z), c(alpha)));
    case 'elu': return pick(positive, get(z), f32x4.mul(call(h.expm1, get(z)), c(alpha)));
    case 'selu': return f32x4.mul(pick(positive, get(z), f32x4.mul(call(h.expm1, get(z)), c(SELU.alpha))), c(SELU.scale));
    // z·Φ(z) = ½z·erfc(−z/√2)
    case 'gelu': return f32x4.mul(f32x4.mul(get(z), c(0.5)), call(h.erfc, f32x4.mul(get(z), c(-SQRT1_2))));
    case 'geluTanh': return f32x4.mul(f32x4.mul(get(z), c(0.5)), f32x4.add(c(1), call(h.tanh, geluInner(z))));
    case 'silu': return f32x4.mul(get(z), call(h.sigmoid, get(z)));
    // max(z, 0) + ln(1 + e^{−|z|}), and z itself above PyTorch's threshold 20
    case 'softplus': return pick(f32x4.gt(get(z), c(SOFTPLUS_LIMIT)), get(z), f32x4.add(f32x4.pmax(c(0), get(z)), log1pExp(h, z, t)));
    case 'mish': return seq(set(t, tanhSoftplus(h, z)), f32x4.mul(get(z), get(t)));
    default: throw new RangeError(`no wasm forward for activation '${layer.activation}'`);
  }
}

/** √(2/π)(z + 0.044715z³). */
const geluInner = (z: Local): Bytes => f32x4.mul(c(GELU_K), f32x4.add(get(z), f32x4.mul(c(GELU_C), f32x4.mul(get(z), f32x4.mul(get(z), get(z))))));

/** ln(1 + e^{−|z|}), with ln(1 + u) ≈ u where 1 + u rounds to 1 (its relative error would be 100%). */
function log1pExp(h: Helpers, z: Local, u: Local): Bytes {
  const w = f32x4.add(c(1), get(u));
  return seq(
    set(u, call(h.exp, f32x4.neg(f32x4.abs(get(z))))),
    pick(f32x4.eq(w, c(1)), get(u), f32x4.div(f32x4.mul(call(h.ln, w), get(u)), f32x4.sub(w, c(1)))),
  );
}

/** tanh(softplus(z)) = n/(n + 2) with n = e^z(e^z + 2); 1 above z = 20, where n would overflow. */
function tanhSoftplus(h: Helpers, z: Local): Bytes {
  const e = call(h.exp, f32x4.min(get(z), c(SOFTPLUS_LIMIT)));
  const n = f32x4.mul(e, f32x4.add(call(h.exp, f32x4.min(get(z), c(SOFTPLUS_LIMIT))), c(2)));
  return pick(f32x4.gt(get(z), c(SOFTPLUS_LIMIT)), c(1), f32x4.div(n, f32x4.add(n, c(2))));
}

/** f' of a newer activation from `x`: its output a, or its input z for the {@link keepsPreActivation} ones. */
function derivativeOf(layer: LayerSpec, h: Helpers, x: Local, t: Local, s: Local): Bytes {
  const alpha = activationAlpha(layer);
  const positive = f32x4.gt(get(x), c(0));
  switch (layer.activation) {
    // a > 0 exactly when z > 0 for a slope ≥ 0; a negative slope reads z
    case 'leakyRelu': return pick(positive, c(1), c(alpha));
    case 'elu': return pick(positive, c(1), f32x4.add(get(x), c(alpha)));
    case 'selu': return pick(positive, c(SELU.scale), f32x4.add(get(x), c(SELU.scale * SELU.alpha)));
    // σ(z) = 1 − e^{−a}, a(1 − a/2 + a²/6) below a = 0.01 where that cancels; 1 above the threshold
    case 'softplus': {
      const small = f32x4.mul(get(x), f32x4.sub(c(1), f32x4.mul(get(x), f32x4.sub(c(0.5), f32x4.mul(get(x), c(1 / 6))))));
      const mid = f32x4.sub(c(1), call(h.exp, f32x4.neg(get(x))));
      return pick(f32x4.gt(get(x), c(SOFTPLUS_LIMIT)), c(1), pick(f32x4.lt(get(x), c(0.01)), small, mid));
    }
    // Φ(z) + z·φ(z)
    case 'gelu': return f32x4.add(
      f32x4.mul(c(0.5), call(h.erfc, f32x4.mul(get(x), c(-SQRT1_2)))),
      f32x4.mul(get(x), f32x4.mul(c(INV_SQRT_2PI), call(h.exp, f32x4.mul(c(-0.5), f32x4.mul(get(x), get(x)))))),
    );
    case 'geluTanh': return seq(
      set(t, call(h.tanh, geluInner(x))),
      f32x4.add(
        f32x4.mul(c(0.5), f32x4.add(c(1), get(t))),
        f32x4.mul(f32x4.mul(f32x4.mul(c(0.5), get(x)), f32x4.sub(c(1), f32x4.mul(get(t), get(t)))),
          f32x4.mul(c(GELU_K), f32x4.add(c(1), f32x4.mul(c(3 * GELU_C), f32x4.mul(get(x), get(x)))))),
      ),
    );
    // σ(z)(1 + z(1 − σ(z)))
    case 'silu': return seq(set(s, call(h.sigmoid, get(x))), f32x4.mul(get(s), f32x4.add(c(1), f32x4.mul(get(x), f32x4.sub(c(1), get(s))))));
    // t + z·σ(z)·(1 − t²), t = tanh(softplus(z))
    case 'mish': return seq(
      set(t, tanhSoftplus(h, x)),
      f32x4.add(get(t), f32x4.mul(f32x4.mul(get(x), call(h.sigmoid, get(x))), f32x4.sub(c(1), f32x4.mul(get(t), get(t))))),
    );
    default: throw new RangeError(`no wasm derivative for activation '${layer.activation}'`);
  }
}

/**
 * Each layer's activation functions, adding to `m` the newer activations' (one pair per layer,
 * since alpha is a constant in the code) and their helpers, once.
 *
 * @example
 * const acts = addLayerActivations(m, math, net.layers); // acts[l].activate for the forward epilogue
 */
export function addLayerActivations(m: ModuleBuilder, math: MathFunctions, layers: readonly LayerSpec[]): LayerActivation[] {
  let helpers: Helpers | null = null;
  return layers.map((layer, l) => {
    const a = layer.activation;
    if (a === 'linear' || a === 'softmax') return { fromZ: false };
    if (a === 'sigmoid' || a === 'tanh' || a === 'relu') return { activate: math.activate[a], derivative: math.derivative[a], fromZ: false };
    const h = (helpers ??= addHelpers(m, math));
    const activate = m.add(`act${l}`, V, V, (f) => forwardOf(layer, h, f.param(0), f.local(ValType.v128)));
    const derivative = m.add(`dact${l}`, V, V, (f) => derivativeOf(layer, h, f.param(0), f.local(ValType.v128), f.local(ValType.v128)));
    return { activate, derivative, fromZ: keepsPreActivation(layer) };
  });
}
