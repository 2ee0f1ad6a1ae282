/**
 * The kernels of batch normalization (src/cpu/batch-norm.ts in float32): statistics over each
 * unit's column of the batch's rows, four units to a vector, then the last units one at a time
 * (nothing past a row is written). Training normalizes with the batch's mean and biased variance
 * and writes the running estimates into the next parameter set; inference reads the running ones.
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, call, f32, forRange, get, i32, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { f32x4 } from '../emit/simd';
import { type Lanes, row } from './norm';

const I = ValType.i32;
const V = ValType.v128;

/** What a batch-norm forward bakes in: the layer, its width, ε, the momentum, its activation (a function index) and whether f' reads y. */
export interface BatchNormSpec {
  l: number;
  units: number;
  epsilon: number;
  momentum: number;
  activate: number | undefined;
  keepY: boolean;
}

/**
 * Adds `batchNormTrain{l}` (`training`) or `batchNormInfer{l}`, both (zx, invStd, gammaBeta, y,
 * act, rows, statsFrom, statsTo) over rows × units: z at zx becomes x̂, 1/σ per unit goes to invStd,
 * y = γ ⊙ x̂ + β to `y` (when keepY) and f(y) to `act`. Training writes the running mean and
 * variance updated from statsFrom's into statsTo (PyTorch's momentum, the unbiased variance).
 *
 * @example
 * const fn = addBatchNormForward(m, { l: 0, units: 7, epsilon: 1e-5, momentum: 0.1, activate: undefined, keepY: false }, true);
 */
export function addBatchNormForward(m: ModuleBuilder, spec: BatchNormSpec, training: boolean): number {
  const { l, units, epsilon, momentum, activate, keepY } = spec;
  const B = units * 4;
  return m.add(`${training ? 'batchNormTrain' : 'batchNormInfer'}${l}`, [I, I, I, I, I, I, I, I], [], (f) => {
    const [zx, inv, gb, y, act, rows, from, to] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => f.param(i));
    const [r, o, q] = [f.local(I), f.local(I), f.local(I)];
    const [n, mean, variance, istd, acc, xh, yv] = [f.local(V), f.local(V), f.local(V), f.local(V), f.local(V), f.local(V), f.local(V)];
    const at = (base: Local) => i32.add(i32.add(get(base), get(o)), get(q));
    const par = (base: Local, plus = 0) => i32.add(i32.add(get(base), get(q)), i32.c(plus));
    const overRows = (...body: Bytes[]) => forRange(r, i32.c(0), get(rows), 1, set(o, i32.mul(get(r), i32.c(B))), ...body);
    const centered = (x: Lanes) => f32x4.sub(x.load(at(zx)), get(mean));
    const keep = (a: number) => f32x4.splat(f32.c(a));
    // μ, then σ² from the centred values (two passes over the rows, as the CPU's)
    const batchMoments = (x: Lanes) => seq(
      set(acc, f32x4.c(0)),
      overRows(set(acc, f32x4.add(get(acc), x.load(at(zx))))),
      set(mean, f32x4.div(get(acc), get(n))),
      set(acc, f32x4.c(0)),
      overRows(set(acc, f32x4.add(get(acc), f32x4.mul(centered(x), centered(x))))),
      set(variance, f32x4.div(get(acc), get(n))),
      x.store(par(to), f32x4.add(f32x4.mul(keep(1 - momentum), x.load(par(from))), f32x4.mul(keep(momentum), get(mean)))),
      // the running variance takes the unbiased σ²·n/(n − 1); the host refuses one-row batches
      x.store(par(to, B), f32x4.add(f32x4.mul(keep(1 - momentum), x.load(par(from, B))),
        f32x4.mul(keep(momentum), f32x4.div(f32x4.mul(get(variance), get(n)), f32x4.sub(get(n), keep(1)))))),
    );
    const runningMoments = (x: Lanes) => seq(set(mean, x.load(par(from))), set(variance, x.load(par(from, B))));
    return seq(
      set(n, f32x4.splat(f32.convertI32U(get(rows)))),
      row(units, q, (x) => seq(
        training ? batchMoments(x) : runningMoments(x),
        set(istd, f32x4.div(keep(1), f32x4.sqrt(f32x4.add(get(variance), keep(epsilon))))),
        x.store(par(inv), get(istd)),
        overRows(
          set(xh, f32x4.mul(centered(x), get(istd))),
          x.store(at(zx), get(xh)),
          set(yv, f32x4.add(f32x4.mul(x.load(par(gb)), get(xh)), x.load(par(gb, B)))),
          keepY ? x.store(at(y), get(yv)) : [],
          x.store(at(act), activate === undefined ? get(yv) : call(activate, get(yv))),
        ),
      )),
    );
  });
}

/**
 * Adds `batchNormBackward{l}(delta, xhat, invStd, gammaBeta, grad, rows)` over rows × `units`:
 * delta holds g = ∂loss/∂y and is overwritten with ∂loss/∂z = (1/σ)(ĝ − mean_rows(ĝ) −
 * x̂·mean_rows(ĝ ⊙ x̂)), ĝ = g ⊙ γ; grad gets ∂γ = Σ_rows g ⊙ x̂ then ∂β = Σ_rows g (written).
 *
 * @example
 * const fn = addBatchNormBackward(m, 0, 7);
 */
export function addBatchNormBackward(m: ModuleBuilder, l: number, units: number): number {
  const B = units * 4;
  return m.add(`batchNormBackward${l}`, [I, I, I, I, I, I], [], (f) => {
    const [delta, xhat, inv, gb, grad, rows] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i));
    const [r, o, q] = [f.local(I), f.local(I), f.local(I)];
    const [n, accG, accGX, accDG, accDB, g, xh, gh] = [f.local(V), f.local(V), f.local(V), f.local(V), f.local(V), f.local(V), f.local(V), f.local(V)];
    const at = (base: Local) => i32.add(i32.add(get(base), get(o)), get(q));
    const par = (base: Local, plus = 0) => i32.add(i32.add(get(base), get(q)), i32.c(plus));
    const overRows = (...body: Bytes[]) => forRange(r, i32.c(0), get(rows), 1, set(o, i32.mul(get(r), i32.c(B))), ...body);
    const load = (x: Lanes) => seq(set(g, x.load(at(delta))), set(xh, x.load(at(xhat))), set(gh, f32x4.mul(get(g), x.load(par(gb)))));
    const add = (a: Local, v: Bytes) => set(a, f32x4.add(get(a), v));
    return seq(
      set(n, f32x4.splat(f32.convertI32U(get(rows)))),
      row(units, q, (x) => seq(
        ...[accG, accGX, accDG, accDB].map((a) => set(a, f32x4.c(0))),
        overRows(load(x), add(accG, get(gh)), add(accGX, f32x4.mul(get(gh), get(xh))), add(accDG, f32x4.mul(get(g), get(xh))), add(accDB, get(g))),
        x.store(par(grad), get(accDG)),
        x.store(par(grad, B), get(accDB)),
        set(accG, f32x4.div(get(accG), get(n))),
        set(accGX, f32x4.div(get(accGX), get(n))),
        overRows(load(x), x.store(at(delta), f32x4.mul(
          x.load(par(inv)),
          f32x4.sub(f32x4.sub(get(gh), get(accG)), f32x4.mul(get(xh), get(accGX))),
        ))),
      )),
    );
  });
}
