/**
 * The update, as src/cpu/network.ts's averageGradients and src/cpu/optimizers.ts's optimizerStep
 * and clipGradients compute it, in float32 over whole vectors: g = (∂ + λθ + λ₁·sign(θ))/m (λ, λ₁ on weights only),
 * scaled for clipNorm, clamped for clipValue, then SGD, momentum (Nesterov or not), Adam/AdamW or
 * RMSprop. The current parameter set is read and the other one written (the state before the
 * update stays where it was, for the divergence rollback); the result's finiteness is checked in
 * the same pass. Normalized layers' γ/β segments are updated as biases are (their own slots, no penalty).
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, call, f32, f64, forRange, get, i32, ifThen, memoryCopy, select, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { f32x4, f64x2, v128 } from '../emit/simd';
import { CTRL, OPTIMIZER } from '../control';
import type { NetShape, Segment } from '../shape';
import { addSquares } from './elementwise';

const I = ValType.i32;
const F = ValType.f32;
const ctlI = (field: number) => i32.load(i32.c(field));
const ctlV = (field: number) => f32x4.splat(f32.load(i32.c(field)));
/** The other parameter set's field: set0 ↔ set1 by the current index. */
const setOf = (field0: number, which: Bytes) => i32.load(i32.add(i32.c(field0), i32.mul(which, i32.c(4))));
const cur = () => ctlI(CTRL.cur);
const next = () => i32.xor(ctlI(CTRL.cur), i32.c(1));

interface Ptrs {
  q: Local;
  src: Local;
  dst: Local;
  g: Local;
  sSrc: Local;
  sDst: Local;
  th: Local;
  gv: Local;
  s0: Local;
  s1: Local;
  out: Local;
  fin: Local;
}

/** λ₁·sign(θ) of four lanes (sign(0) = 0, as PyTorch's `abs` backward): λ₁ where θ > 0, −λ₁ where θ < 0, else 0. */
function l1Term(lambda1: Bytes, theta: Bytes): Bytes {
  const zero = f32x4.c(0);
  return f32x4.sub(v128.and(f32x4.gt(theta, zero), lambda1), v128.and(f32x4.lt(theta, zero), lambda1));
}

/** ∂ + λθ (+ λ₁·sign(θ) when the network has L1) of the vector whose gradient is `grad` and parameters `theta`. */
function penalized(shape: NetShape, grad: Bytes, theta: Bytes, lambda: Bytes, lambda1: Bytes): Bytes {
  const l2 = f32x4.add(grad, f32x4.mul(lambda, theta));
  return shape.net.l1 > 0 ? f32x4.add(l2, l1Term(lambda1, theta)) : l2;
}

/** The averaged, clipped gradient of the vector at q: ((∂ + λθ + λ₁·sign(θ))/m)·clipScale, clamped to ±clipValue. */
function gradient(shape: NetShape, p: Ptrs, lambda: Local, lambda1: Local): Bytes {
  const raw = penalized(shape, v128.load(i32.add(get(p.g), get(p.q))), get(p.th), f32x4.splat(get(lambda)), f32x4.splat(get(lambda1)));
  const scaled = f32x4.mul(f32x4.mul(raw, ctlV(CTRL.invRows)), ctlV(CTRL.clipScale));
  return set(p.gv, f32x4.min(f32x4.max(scaled, f32x4.neg(ctlV(CTRL.clipValue))), ctlV(CTRL.clipValue)));
}

/** One optimizer's loop over the range: `step` computes p.out (θ') and the new slots into p.s0, p.s1. */
function rangeLoop(shape: NetShape, p: Ptrs, bytes: Local, paramBytes: number, lambda: Local, lambda1: Local, slots: number, step: Bytes): Bytes {
  const at = (base: Local) => i32.add(get(base), get(p.q));
  const finite = (v: Local) => set(p.fin, f32x4.add(get(p.fin), f32x4.sub(get(v), get(v))));
  const loadSlots = [set(p.s0, v128.load(at(p.sSrc))), set(p.s1, v128.load(at(p.sSrc), paramBytes))].slice(0, slots);
  const storeSlots = [seq(v128.store(at(p.sDst), get(p.s0)), finite(p.s0)), seq(v128.store(at(p.sDst), get(p.s1), paramBytes), finite(p.s1))].slice(0, slots);
  return forRange(p.q, i32.c(0), get(bytes), 16,
    set(p.th, v128.load(at(p.src))), gradient(shape, p, lambda, lambda1), ...loadSlots,
    step,
    v128.store(at(p.dst), get(p.out)), finite(p.out), ...storeSlots,
  );
}

/** The five update rules (src/cpu/optimizers.ts), each its own loop; `decay` is AdamW's weight decay (0 for Adam). */
function rules(shape: NetShape, p: Ptrs, bytes: Local, P: number, lambda: Local, lambda1: Local, decay: Local): Bytes {
  const v = (field: number) => ctlV(field);
  const one = f32x4.c(1);
  const lr = v(CTRL.lr);
  const sgd = set(p.out, f32x4.sub(get(p.th), f32x4.mul(lr, get(p.gv))));
  const velocity = set(p.s0, f32x4.add(f32x4.mul(v(CTRL.momentum), get(p.s0)), get(p.gv)));
  const momentum = seq(velocity, set(p.out, f32x4.sub(get(p.th), f32x4.mul(lr, get(p.s0)))));
  const nesterov = seq(velocity, set(p.out, f32x4.sub(get(p.th), f32x4.mul(lr, f32x4.add(get(p.gv), f32x4.mul(v(CTRL.momentum), get(p.s0)))))));
  const adam = seq(
    set(p.s0, f32x4.add(f32x4.mul(v(CTRL.beta1), get(p.s0)), f32x4.mul(f32x4.sub(one, v(CTRL.beta1)), get(p.gv)))),
    set(p.s1, f32x4.add(f32x4.mul(v(CTRL.beta2), get(p.s1)), f32x4.mul(f32x4.sub(one, v(CTRL.beta2)), f32x4.mul(get(p.gv), get(p.gv))))),
    set(p.out, f32x4.sub(
      f32x4.sub(get(p.th), f32x4.mul(f32x4.mul(lr, f32x4.splat(get(decay))), get(p.th))),
      f32x4.div(f32x4.mul(lr, f32x4.div(get(p.s0), v(CTRL.c1))), f32x4.add(f32x4.sqrt(f32x4.div(get(p.s1), v(CTRL.c2))), v(CTRL.epsilon))),
    )),
  );
  const rmsprop = seq(
    set(p.s0, f32x4.add(f32x4.mul(v(CTRL.rho), get(p.s0)), f32x4.mul(f32x4.sub(one, v(CTRL.rho)), f32x4.mul(get(p.gv), get(p.gv))))),
    set(p.s1, f32x4.add(f32x4.mul(v(CTRL.momentum), get(p.s1)), f32x4.div(f32x4.mul(lr, get(p.gv)), f32x4.sqrt(f32x4.add(get(p.s0), v(CTRL.epsilon)))))),
    set(p.out, f32x4.sub(get(p.th), get(p.s1))),
  );
  const is = (code: number) => i32.eq(ctlI(CTRL.optimizer), i32.c(code));
  const loop = (slots: number, step: Bytes) => rangeLoop(shape, p, bytes, P, lambda, lambda1, slots, step);
  return seq(
    ifThen(is(OPTIMIZER.sgd), loop(0, sgd)),
    ifThen(is(OPTIMIZER.momentum), ifThen(ctlI(CTRL.nesterov), loop(1, nesterov), loop(1, momentum))),
    ifThen(is(OPTIMIZER.adam), loop(2, adam)),
    ifThen(is(OPTIMIZER.rmsprop), loop(2, rmsprop)),
  );
}

/**
 * Adds `updateRange(at, bytes, lambda, lambda1, decay) → i32`: the update of the parameter bytes
 * [at, at + bytes) of the region (a segment), from the current set into the other; returns 1 when
 * everything it wrote is finite.
 */
function addUpdateRange(m: ModuleBuilder, shape: NetShape): number {
  const P = shape.paramFloats * 4;
  return m.add('updateRange', [I, I, F, F, F], [I], (f) => {
    const [at, bytes, lambda, lambda1, decay] = [0, 1, 2, 3, 4].map((i) => f.param(i));
    const n = () => f.local(I);
    const v = () => f.local(ValType.v128);
    const p: Ptrs = { q: n(), src: n(), dst: n(), g: n(), sSrc: n(), sDst: n(), th: v(), gv: v(), s0: v(), s1: v(), out: v(), fin: v() };
    return seq(
      set(p.src, i32.add(setOf(CTRL.set0, cur()), get(at))),
      set(p.dst, i32.add(setOf(CTRL.set0, next()), get(at))),
      set(p.g, i32.add(ctlI(CTRL.grad), get(at))),
      set(p.sSrc, i32.add(setOf(CTRL.slots0, cur()), get(at))),
      set(p.sDst, i32.add(setOf(CTRL.slots0, next()), get(at))),
      rules(shape, p, bytes, P, lambda, lambda1, decay),
      i32.eqz(v128.anyTrue(f32x4.ne(get(p.fin), get(p.fin)))),
    );
  });
}

/**
 * Adds `gradSquares() → f64`: Σ g² of the averaged gradient g = (∂ + λθ + λ₁·sign(θ))/m over the trained
 * segments (clipNorm's norm, before clipping).
 */
function addGradSquares(m: ModuleBuilder, shape: NetShape, trained: Segment[]): number {
  return m.add('gradSquares', [], [ValType.f64], (f) => {
    const [q, th, g] = [f.local(I), f.local(I), f.local(I)];
    const [acc, gv] = [f.local(ValType.v128), f.local(ValType.v128)];
    const loops = trained.map((s) => {
      const weights = s.kind === 'weights';
      const raw = penalized(shape, v128.load(i32.add(get(g), get(q))), v128.load(i32.add(get(th), get(q))), f32x4.c(weights ? shape.net.l2 : 0), f32x4.c(weights ? shape.net.l1 : 0));
      return seq(
        set(th, i32.add(setOf(CTRL.set0, cur()), i32.c(s.at * 4))),
        set(g, i32.add(ctlI(CTRL.grad), i32.c(s.at * 4))),
        forRange(q, i32.c(0), i32.c(s.padded * 4), 16, set(gv, f32x4.mul(raw, ctlV(CTRL.invRows))), addSquares(acc, gv)),
      );
    });
    return seq(set(acc, f64x2.splat(f64.c(0))), ...loops, f64.add(f64x2.extract(get(acc), 0), f64x2.extract(get(acc), 1)));
  });
}

/**
 * Adds `update(rows) → i32` (and its helpers): clipScale from clipNorm, then every segment's
 * update into the other set (frozen biases and their slots copied as they are). Returns 1 when the
 * new state is finite. The step's lr, c1, c2 are in the control block.
 *
 * @example
 * const update = addUpdate(m, shape); // train calls update(rows), then flips CTRL.cur
 */
export function addUpdate(m: ModuleBuilder, shape: NetShape): number {
  const net = shape.net;
  const trainsBiases = net.useBias && !net.freezeBias;
  // γ/β always train (freezeBias is about biases), as the CPU trainer's; like biases they take no L2, L1 or weight decay (decayed with biases under decayBiases)
  // the running estimates are no parameters: the training forward has written them into the other set already
  const params = shape.segments.filter((s) => s.kind !== 'stats');
  const trained = params.filter((s) => s.kind !== 'biases' || trainsBiases);
  const frozen = params.filter((s) => !trained.includes(s));
  const updateRange = addUpdateRange(m, shape);
  const gradSquares = addGradSquares(m, shape, trained);
  const P = shape.paramFloats * 4;
  return m.add('update', [I], [I], (f) => {
    const rows = f.param(0);
    const ok = f.local(I);
    const norm = f.local(ValType.f64);
    const clipNorm = () => f64.promoteF32(f32.load(i32.c(CTRL.clipNorm)));
    // a frozen segment (and each slot it has) is copied into the other set as it is
    const copy = (field0: number, offset: number, bytes: number) =>
      memoryCopy(i32.add(setOf(field0, next()), i32.c(offset)), i32.add(setOf(field0, cur()), i32.c(offset)), i32.c(bytes));
    const copyFrozen = (s: Segment) => seq(
      copy(CTRL.set0, s.at * 4, s.padded * 4),
      ...[0, 1].map((j) => ifThen(i32.gtU(ctlI(CTRL.slotCount), i32.c(j)), copy(CTRL.slots0, s.at * 4 + j * P, s.padded * 4))),
    );
    const decayBiases = select(f32.load(i32.c(CTRL.weightDecay)), f32.c(0), ctlI(CTRL.decayBiases));
    return seq(
      f32.store(i32.c(CTRL.invRows), f32.div(f32.c(1), f32.convertI32U(get(rows)))),
      f32.store(i32.c(CTRL.clipScale), f32.c(1)),
      ifThen(f32.gt(f32.load(i32.c(CTRL.clipNorm)), f32.c(0)), seq(
        set(norm, f64.sqrt(call(gradSquares))),
        ifThen(f64.gt(get(norm), clipNorm()), f32.store(i32.c(CTRL.clipScale), f32.demoteF64(f64.div(clipNorm(), get(norm))))),
      )),
      set(ok, i32.c(1)),
      ...trained.map((s) => {
        const decay = s.kind === 'weights' ? f32.load(i32.c(CTRL.weightDecay)) : decayBiases;
        const weights = s.kind === 'weights';
        return set(ok, i32.and(get(ok), call(updateRange, i32.c(s.at * 4), i32.c(s.padded * 4), f32.c(weights ? net.l2 : 0), f32.c(weights ? net.l1 : 0), decay)));
      }),
      ...frozen.map(copyFrozen),
      get(ok),
    );
  });
}
