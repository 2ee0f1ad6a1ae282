/**
 * The kernels of layer normalization (src/cpu/layer-norm.ts in float32): the forward, per row
 * μ and the biased σ² over the units, x̂ = (z − μ)/√(σ² + ε), y = γ ⊙ x̂ + β, then the layer's
 * activation of y; and the backward, ∂γ, ∂β and ∂loss/∂z from ∂loss/∂y. Whole f32x4 vectors of a
 * row, then its last elements one at a time: nothing past a row is read into a sum or written.
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, call, f32, forRange, get, i32, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { f32x4, v128 } from '../emit/simd';

const I = ValType.i32;
const F = ValType.f32;
const V = ValType.v128;

/** Loads and stores of one lane or of four, and `only`, which zeroes the lanes a sum must not count. */
export interface Lanes {
  load: (addr: Bytes) => Bytes;
  store: (addr: Bytes, v: Bytes) => Bytes;
  only: (v: Bytes) => Bytes;
}
const FOUR: Lanes = { load: (a) => v128.load(a), store: (a, v) => v128.store(a, v), only: (v) => v };
// lane 0 of v, lanes 1–3 from a zero vector (bytes 20–31 of the shuffle's second operand)
const LANE0 = [0, 1, 2, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
const ONE: Lanes = {
  load: (a) => f32x4.splat(f32.load(a)),
  store: (a, v) => f32.store(a, f32x4.extract(v, 0)),
  only: (v) => v128.shuffle(v, f32x4.c(0), LANE0),
};

/**
 * for q over a row of `units` floats (q its byte offset): four at a time, then one.
 *
 * @example
 * row(units, q, (x) => x.store(at(q), f32x4.c(0)));
 */
export function row(units: number, q: Local, body: (x: Lanes) => Bytes): Bytes {
  const whole = Math.floor(units / 4) * 16;
  return seq(forRange(q, i32.c(0), i32.c(whole), 16, body(FOUR)), forRange(q, i32.c(whole), i32.c(units * 4), 4, body(ONE)));
}

/** The four lanes of v added. */
const lanesSum = (v: Local): Bytes => f32.add(f32.add(f32x4.extract(get(v), 0), f32x4.extract(get(v), 1)), f32.add(f32x4.extract(get(v), 2), f32x4.extract(get(v), 3)));

/**
 * Adds `normForward{l}(zx, invStd, gammaBeta, y, act, rows)` over rows × `units`: reads z at zx and
 * leaves x̂ there, writes 1/σ per row, y = γ ⊙ x̂ + β at `y` (when `keepY`: the z-reading
 * activations' f' reads it) and f(y) at `act` (y itself without `activate`).
 */
export function addNormForward(m: ModuleBuilder, l: number, units: number, epsilon: number, activate: number | undefined, keepY: boolean): number {
  return m.add(`normForward${l}`, [I, I, I, I, I, I], [], (f) => {
    const [zx, inv, gb, y, act, rows] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i));
    const [r, o, q] = [f.local(I), f.local(I), f.local(I)];
    const [mean, istd] = [f.local(F), f.local(F)];
    const [acc, xh, yv] = [f.local(V), f.local(V), f.local(V)];
    const at = (base: Local) => i32.add(i32.add(get(base), get(o)), get(q));
    const gammaAt = () => i32.add(get(gb), get(q));
    const centered = (x: Lanes) => f32x4.sub(x.load(at(zx)), f32x4.splat(get(mean)));
    return forRange(r, i32.c(0), get(rows), 1,
      set(o, i32.mul(get(r), i32.c(units * 4))),
      set(acc, f32x4.c(0)),
      row(units, q, (x) => set(acc, f32x4.add(get(acc), x.only(x.load(at(zx)))))),
      set(mean, f32.div(lanesSum(acc), f32.c(units))),
      // σ² from the centred values (two passes, as the CPU's: no cancellation of E[z²] − μ²)
      set(acc, f32x4.c(0)),
      row(units, q, (x) => set(acc, f32x4.add(get(acc), x.only(f32x4.mul(centered(x), centered(x)))))),
      set(istd, f32.div(f32.c(1), f32.sqrt(f32.add(f32.div(lanesSum(acc), f32.c(units)), f32.c(epsilon))))),
      f32.store(i32.add(get(inv), i32.mul(get(r), i32.c(4))), get(istd)),
      row(units, q, (x) => seq(
        set(xh, f32x4.mul(centered(x), f32x4.splat(get(istd)))),
        x.store(at(zx), get(xh)),
        set(yv, f32x4.add(f32x4.mul(x.load(gammaAt()), get(xh)), x.load(i32.add(gammaAt(), i32.c(units * 4))))),
        keepY ? x.store(at(y), get(yv)) : [],
        x.store(at(act), activate === undefined ? get(yv) : call(activate, get(yv))),
      )),
    );
  });
}

/**
 * Adds `normBackward{l}(delta, xhat, invStd, gammaBeta, grad, rows)` over rows × `units`: delta
 * holds g = ∂loss/∂y and is overwritten with ∂loss/∂z = (1/σ)(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)),
 * ĝ = g ⊙ γ; grad gets ∂γ = Σ_rows g ⊙ x̂ then ∂β = Σ_rows g (written, not added to).
 */
export function addNormBackward(m: ModuleBuilder, l: number, units: number): number {
  return m.add(`normBackward${l}`, [I, I, I, I, I, I], [], (f) => {
    const [delta, xhat, inv, gb, grad, rows] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i));
    const [r, o, q] = [f.local(I), f.local(I), f.local(I)];
    const [meanG, meanGX] = [f.local(F), f.local(F)];
    const [accG, accGX, g, xh, gh] = [f.local(V), f.local(V), f.local(V), f.local(V), f.local(V)];
    const at = (base: Local) => i32.add(i32.add(get(base), get(o)), get(q));
    const par = (base: Local, plus = 0) => i32.add(i32.add(get(base), get(q)), i32.c(plus));
    const B = units * 4;
    const load = (x: Lanes) => seq(set(g, x.load(at(delta))), set(xh, x.load(at(xhat))), set(gh, f32x4.mul(get(g), x.load(par(gb)))));
    return seq(
      row(2 * units, q, (x) => x.store(par(grad), f32x4.c(0))),
      forRange(r, i32.c(0), get(rows), 1,
        set(o, i32.mul(get(r), i32.c(B))),
        set(accG, f32x4.c(0)), set(accGX, f32x4.c(0)),
        row(units, q, (x) => seq(
          load(x),
          set(accG, f32x4.add(get(accG), x.only(get(gh)))),
          set(accGX, f32x4.add(get(accGX), x.only(f32x4.mul(get(gh), get(xh))))),
          x.store(par(grad), f32x4.add(x.load(par(grad)), f32x4.mul(get(g), get(xh)))),
          x.store(par(grad, B), f32x4.add(x.load(par(grad, B)), get(g))),
        )),
        set(meanG, f32.div(lanesSum(accG), f32.c(units))),
        set(meanGX, f32.div(lanesSum(accGX), f32.c(units))),
        row(units, q, (x) => seq(
          load(x),
          x.store(at(delta), f32x4.mul(
            f32x4.splat(f32.load(i32.add(get(inv), i32.mul(get(r), i32.c(4))))),
            f32x4.sub(f32x4.sub(get(gh), f32x4.splat(get(meanG))), f32x4.mul(get(xh), f32x4.splat(get(meanGX)))),
          )),
        )),
      ),
    );
  });
}
