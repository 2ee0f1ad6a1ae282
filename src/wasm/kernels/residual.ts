/**
 * The kernels of residual layers (a_l = drop(f(z_l)) + a_{l−1}): the forward add, and the
 * backward's hidden delta of a layer next to one, where ∂loss/∂a_{l−1} takes the residual
 * layer's own ∂loss/∂a_l as well and f' is applied after the product (not fused in it).
 * Whole f32x4 vectors, then the last elements one at a time: nothing past a region is written.
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, call, f32, forRange, get, i32, ifThen, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { f32x4, v128 } from '../emit/simd';

const I = ValType.i32;

/** Loads and stores of one lane (a splat and lane 0) or of four, so that one body serves both loops. */
interface Lanes {
  load: (base: Local, q: Local) => Bytes;
  store: (base: Local, q: Local, v: Bytes) => Bytes;
}
const at = (base: Local, q: Local): Bytes => i32.add(get(base), get(q));
const FOUR: Lanes = { load: (b, q) => v128.load(at(b, q)), store: (b, q, v) => v128.store(at(b, q), v) };
const ONE: Lanes = { load: (b, q) => f32x4.splat(f32.load(at(b, q))), store: (b, q, v) => f32.store(at(b, q), f32x4.extract(v, 0)) };

/** for i in [0, count): body, four elements at a time then one; `q` is i's byte offset. */
function elements(count: Bytes, total: Local, i: Local, q: Local, body: (lanes: Lanes) => Bytes): Bytes {
  const step = (lanes: Lanes) => seq(set(q, i32.mul(get(i), i32.c(4))), body(lanes));
  return seq(
    set(total, count),
    forRange(i, i32.c(0), i32.and(get(total), i32.c(-4)), 4, step(FOUR)),
    forRange(i, i32.and(get(total), i32.c(-4)), get(total), 1, step(ONE)),
  );
}

/**
 * Adds `residualSum{l}(a, b, out, rows)`: out = a + b over rows × `units` (layer l's output after
 * dropout plus its input).
 */
export function addResidualSum(m: ModuleBuilder, l: number, units: number): number {
  return m.add(`residualSum${l}`, [I, I, I, I], [], (f) => {
    const [a, b, out, rows] = [0, 1, 2, 3].map((i) => f.param(i));
    const [total, i, q] = [f.local(I), f.local(I), f.local(I)];
    return elements(i32.mul(get(rows), i32.c(units)), total, i, q, (x) => x.store(out, q, f32x4.add(x.load(a, q), x.load(b, q))));
  });
}

/** What the hidden delta of layer l − 1 takes from its neighbours. */
export interface ResidualDeltaPlan {
  /** Layer l adds its input: g += layer l's ∂loss/∂a_l (`gAdd`). */
  add: boolean;
  /** Layer l − 1 adds its input: g is kept (its own region) for the layer below. */
  keep: boolean;
  /** f'(a) written in terms of a (v128 → v128), or null for linear. */
  derivative: number | null;
  /** Layer l − 1 drops units: × its factors when `drop` is set. */
  factors: boolean;
}

/**
 * Adds `residualDelta{l}(g, gAdd, delta, act, factors, rows, drop)` over rows × `units`:
 * g (+)= gAdd; delta = g ⊙ f'(act) [⊙ factors]. Without `keep`, g is the delta region itself.
 */
export function addResidualDelta(m: ModuleBuilder, l: number, units: number, plan: ResidualDeltaPlan): number {
  return m.add(`residualDelta${l}`, [I, I, I, I, I, I, I], [], (f) => {
    const [g, gAdd, delta, act, factors, rows, drop] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i));
    const [total, i, q] = [f.local(I), f.local(I), f.local(I)];
    const v = f.local(ValType.v128);
    return elements(i32.mul(get(rows), i32.c(units)), total, i, q, (x) => seq(
      set(v, plan.add ? f32x4.add(x.load(g, q), x.load(gAdd, q)) : x.load(g, q)),
      plan.keep ? x.store(g, q, get(v)) : [],
      plan.derivative === null ? [] : set(v, f32x4.mul(get(v), call(plan.derivative, x.load(act, q)))),
      plan.factors ? ifThen(get(drop), set(v, f32x4.mul(get(v), x.load(factors, q)))) : [],
      x.store(delta, q, get(v)),
    ));
  });
}
