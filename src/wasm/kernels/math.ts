/**
 * The transcendental functions the step needs, emitted as module functions (WebAssembly has no
 * exp, log or tanh): four-lane float32 exp, sigmoid and tanh after Cephes' expf/tanhf (within
 * ~2 float32 ulp), each activation and its derivative written in terms of its output, and a
 * float64 natural log for the loss (which sums in float64).
 */
import { ModuleBuilder, ValType } from '../emit/module';
import { type Local, call, f64, get, i32, i64, ifValue, set } from '../emit/instructions';
import { f32x4, i32x4, v128 } from '../emit/simd';
import { seq, type Bytes } from '../emit/encoding';
import type { Activation } from '../../core/types';

/** The element-wise activations math.ts has (the newer ones are in activations.ts; softmax is row-wise: see the loss kernels). */
export type Elementwise = Extract<Activation, 'sigmoid' | 'tanh' | 'relu' | 'linear'>;

/** Function indices of the math helpers in a module. */
export interface MathFunctions {
  /** v128 → v128: e^x per lane. */
  exp: number;
  /** v128 → v128: f(z) per lane, for each element-wise activation. */
  activate: Record<Elementwise, number>;
  /** v128 → v128: f'(z) written in terms of a = f(z), per lane. */
  derivative: Record<Elementwise, number>;
  /** f64 → f64: ln x for x > 0. */
  ln: number;
}

const V = [ValType.v128];
const c = f32x4.c;

/** Cephes expf: range reduction by ln 2, a degree-5 polynomial, and 2^n from the exponent bits. */
function expBody(x: Local, fx: Local, z: Local): Bytes {
  const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  let poly = c(P[0]);
  for (const p of P.slice(1)) poly = f32x4.add(f32x4.mul(poly, get(x)), c(p));
  // IEEE min/max: a NaN input stays NaN (divergence is detected from it)
  return seq(
    set(x, f32x4.min(f32x4.max(get(x), c(-88.3762626647949)), c(88.3762626647949))),
    set(fx, f32x4.floor(f32x4.add(f32x4.mul(get(x), c(1.4426950408889634)), c(0.5)))),
    set(x, f32x4.sub(f32x4.sub(get(x), f32x4.mul(get(fx), c(0.693359375))), f32x4.mul(get(fx), c(-2.12194440e-4)))),
    set(z, f32x4.mul(get(x), get(x))),
    set(z, f32x4.add(f32x4.add(f32x4.mul(poly, get(z)), get(x)), c(1))),
    // 2^n: (n + 127) << 23 as float bits (n = −127 gives 0, as Cephes)
    f32x4.mul(get(z), i32x4.shl(i32x4.add(i32x4.truncSatF32S(get(fx)), i32x4.splat(i32.c(127))), i32.c(23))),
  );
}

/** Cephes tanhf: an odd polynomial below |x| = 0.625, else 1 − 2/(e^{2|x|} + 1) with x's sign. */
function tanhBody(x: Local, t: Local, exp: number): Bytes {
  const P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
  let poly = c(P[0]);
  for (const p of P.slice(1)) poly = f32x4.add(f32x4.mul(poly, get(t)), c(p));
  const small = f32x4.add(f32x4.mul(f32x4.mul(poly, get(t)), get(x)), get(x));
  const big = f32x4.sub(c(1), f32x4.div(c(2), f32x4.add(call(exp, f32x4.mul(f32x4.abs(get(x)), c(2))), c(1))));
  const signed = v128.bitselect(get(x), big, i32x4.splat(i32.c(0x80000000)));
  return seq(set(t, f32x4.mul(get(x), get(x))), v128.bitselect(small, signed, f32x4.lt(f32x4.abs(get(x)), c(0.625))));
}

/** ln x = e·ln 2 + ln m with x = 2^e·m, m in [√½, √2), ln m = 2·atanh((m − 1)/(m + 1)) by its series (error < 1e-12). */
function lnBody(x: Local, e: Local, m: Local, s: Local, s2: Local): Bytes {
  const bits = i64.reinterpretF64(get(x));
  const mantissa = f64.reinterpretI64(i64.or(i64.and(i64.reinterpretF64(get(x)), i64.c(0x000fffffffffffffn)), i64.c(0x3ff0000000000000n)));
  let series = f64.c(1 / 15);
  for (const k of [13, 11, 9, 7, 5, 3]) series = f64.add(f64.mul(series, get(s2)), f64.c(1 / k));
  series = f64.add(f64.mul(series, get(s2)), f64.c(1));
  return seq(
    set(e, f64.convertI32S(i32.sub(i32.wrapI64(i64.shrU(bits, i64.c(52n))), i32.c(1023)))),
    set(m, mantissa),
    set(e, ifValue(ValType.f64, f64.gt(get(m), f64.c(Math.SQRT2)), f64.add(get(e), f64.c(1)), get(e))),
    set(m, ifValue(ValType.f64, f64.gt(get(m), f64.c(Math.SQRT2)), f64.mul(get(m), f64.c(0.5)), get(m))),
    set(s, f64.div(f64.sub(get(m), f64.c(1)), f64.add(get(m), f64.c(1)))),
    set(s2, f64.mul(get(s), get(s))),
    f64.add(f64.mul(get(e), f64.c(Math.LN2)), f64.mul(f64.mul(f64.c(2), get(s)), series)),
  );
}

/**
 * Adds the math functions to `m`.
 *
 * @example
 * const math = addMathFunctions(m); // then call(math.activate.sigmoid, z)
 */
export function addMathFunctions(m: ModuleBuilder): MathFunctions {
  const exp = m.add('exp4', V, V, (f) => expBody(f.param(0), f.local(ValType.v128), f.local(ValType.v128)));
  const tanh = m.add('tanh4', V, V, (f) => tanhBody(f.param(0), f.local(ValType.v128), exp));
  const sigmoid = m.add('sigmoid4', V, V, (f) => f32x4.div(c(1), f32x4.add(c(1), call(exp, f32x4.neg(get(f.param(0)))))));
  const relu = m.add('relu4', V, V, (f) => f32x4.pmax(c(0), get(f.param(0))));
  const linear = m.add('linear4', V, V, (f) => get(f.param(0)));
  const dSigmoid = m.add('dsigmoid4', V, V, (f) => f32x4.mul(get(f.param(0)), f32x4.sub(c(1), get(f.param(0)))));
  const dTanh = m.add('dtanh4', V, V, (f) => f32x4.sub(c(1), f32x4.mul(get(f.param(0)), get(f.param(0)))));
  const dRelu = m.add('drelu4', V, V, (f) => v128.and(f32x4.gt(get(f.param(0)), c(0)), c(1)));
  const dLinear = m.add('dlinear4', V, V, () => c(1));
  const ln = m.add('ln', [ValType.f64], [ValType.f64], (f) => lnBody(f.param(0), f.local(ValType.f64), f.local(ValType.f64), f.local(ValType.f64), f.local(ValType.f64)));
  return {
    exp,
    activate: { sigmoid, tanh, relu, linear },
    derivative: { sigmoid: dSigmoid, tanh: dTanh, relu: dRelu, linear: dLinear },
    ln,
  };
}
