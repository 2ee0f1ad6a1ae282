/**
 * The output layer's kernels: softmax over each row, and one pass over the outputs that sums the
 * batch's loss (each row's times its weight), counts correct rows, sums the regression metrics
 * Σ|y − a| and Σ(y − a)², and writes the output delta δ_L = ∂loss/∂z_L (times the row's weight).
 * Sums run in float64 as src/cpu/losses.ts computes them, from the float32 outputs; the loss uses
 * the same clamp LOG_EPS (src/core/loss-clamp.ts) inside logarithms.
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, call, f32, f64, forRange, get, i32, ifThen, select, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { f32x4 } from '../emit/simd';
import type { NetShape } from '../shape';
import { STATS } from '../control';
import type { MathFunctions } from './math';
import type { LayerActivation } from './activations';
import { isRegressionOutput } from '../../core/metrics';
import { LOG_EPS } from '../../core/loss-clamp';

const I = ValType.i32;
const D = ValType.f64;

/** e^x of one float32 through the four-lane exp. */
const exp1 = (math: MathFunctions, x: Bytes): Bytes => f32x4.extract(call(math.exp, f32x4.splat(x)), 0);

/** Adds `softmax(ptr, rows)`: each row of the [rows, N] block at ptr replaced by its softmax (max subtracted first). */
export function addSoftmax(m: ModuleBuilder, math: MathFunctions, N: number): number {
  return m.add('softmax', [I, I], [], (f) => {
    const [ptr, rows] = [f.param(0), f.param(1)];
    const [r, j, row] = [f.local(I), f.local(I), f.local(I)];
    const [mx, e] = [f.local(ValType.f32), f.local(ValType.f32)];
    const sum = f.local(D);
    const at = i32.add(get(row), i32.mul(get(j), i32.c(4)));
    return forRange(r, i32.c(0), get(rows), 1,
      set(row, i32.add(get(ptr), i32.mul(get(r), i32.c(N * 4)))),
      set(mx, f32.c(-Infinity)),
      forRange(j, i32.c(0), i32.c(N), 1, set(mx, f32.max(get(mx), f32.load(at)))),
      set(sum, f64.c(0)),
      forRange(j, i32.c(0), i32.c(N), 1, set(e, exp1(math, f32.sub(f32.load(at), get(mx)))), f32.store(at, get(e)), set(sum, f64.add(get(sum), f64.promoteF32(get(e))))),
      forRange(j, i32.c(0), i32.c(N), 1, f32.store(at, f32.demoteF64(f64.div(f64.promoteF32(f32.load(at)), get(sum))))),
    );
  });
}

interface LossLocals {
  a: Local;
  t: Local;
  p: Local;
  rowLoss: Local;
}

/** The per-element loss term added to `rowLoss` (src/cpu/losses.ts's lossSum, one element). */
function lossTerm(shape: NetShape, math: MathFunctions, l: LossLocals): Bytes {
  const diff = f64.sub(get(l.t), get(l.a));
  const clamp = set(l.p, f64.min(f64.c(1 - LOG_EPS), f64.max(f64.c(LOG_EPS), get(l.a))));
  const ln = (x: Bytes) => call(math.ln, x);
  switch (shape.net.loss) {
    case 'sse':
      return set(l.rowLoss, f64.add(get(l.rowLoss), f64.mul(f64.c(0.5), f64.mul(diff, diff))));
    case 'mse':
      return set(l.rowLoss, f64.add(get(l.rowLoss), f64.mul(diff, diff)));
    case 'binaryCrossEntropy':
      return seq(clamp, set(l.rowLoss, f64.sub(get(l.rowLoss), f64.add(f64.mul(get(l.t), ln(get(l.p))), f64.mul(f64.sub(f64.c(1), get(l.t)), ln(f64.sub(f64.c(1), get(l.p))))))));
    case 'categoricalCrossEntropy':
      return ifThen(f64.ne(get(l.t), f64.c(0)), seq(clamp, set(l.rowLoss, f64.sub(get(l.rowLoss), f64.mul(get(l.t), ln(get(l.p)))))));
    case 'huber': {
      // p = |a − t|: ½d² for p ≤ δ, else δ(p − ½δ)
      const delta = huberDeltaOf(shape);
      const term = select(f64.mul(f64.c(0.5), f64.mul(diff, diff)), f64.mul(f64.c(delta), f64.sub(get(l.p), f64.c(0.5 * delta))), f64.le(get(l.p), f64.c(delta)));
      return seq(set(l.p, f64.abs(diff)), set(l.rowLoss, f64.add(get(l.rowLoss), term)));
    }
  }
}

/** δ of the network's `huber` loss (1, its default, for the other losses, which do not read it). */
const huberDeltaOf = (shape: NetShape): number => shape.net.huberDelta ?? 1;

/** f'(z) of the output activation in terms of a, or of `z` for the layers that keep it (not softmax). */
function derivative(shape: NetShape, a: Bytes, z: Bytes, fn?: LayerActivation): Bytes {
  const out = shape.net.layers[shape.net.layers.length - 1].activation;
  // the newer activations: their v128 derivative on one lane
  if (fn?.derivative !== undefined && out !== 'sigmoid' && out !== 'tanh' && out !== 'relu') {
    return f64.promoteF32(f32x4.extract(call(fn.derivative, f32x4.splat(fn.fromZ ? z : f32.demoteF64(a))), 0));
  }
  switch (out) {
    case 'sigmoid':
      return f64.mul(a, f64.sub(f64.c(1), a));
    case 'tanh':
      return f64.sub(f64.c(1), f64.mul(a, a));
    case 'relu':
      return f64.convertI32U(f64.gt(a, f64.c(0)));
    default:
      return f64.c(1);
  }
}

/**
 * Adds `lossStats(act, y, sw, rows, stats, delta, z)`: the batch's stats into the four f64 at
 * `stats` ({@link STATS}), and (delta ≠ 0) δ_L into the [rows, N] block at `delta`. `sw` = 0:
 * every row weighs 1. `z`: the output layer's pre-activations, read when its f' needs them (`out`).
 */
export function addLossStats(m: ModuleBuilder, math: MathFunctions, shape: NetShape, out?: LayerActivation): number {
  const N = shape.widths[shape.widths.length - 1];
  const net = shape.net;
  const outName = net.layers[net.layers.length - 1].activation;
  const crossEntropy = net.loss === 'binaryCrossEntropy' || net.loss === 'categoricalCrossEntropy';
  const scale = net.loss === 'mse' ? 2 / N : net.loss === 'huber' ? 1 / N : 1;
  const hd = huberDeltaOf(shape);
  return m.add('lossStats', [I, I, I, I, I, I, I], [], (f) => {
    const [act, y, sw, rows, stats, delta, zs] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i));
    const [r, j, pa, py, aRow, yRow, dRow] = Array.from({ length: 7 }, () => f.local(I));
    const [a, t, p, w, rowLoss, lossSum, correct, absErr, sqErr, dot] = Array.from({ length: 10 }, () => f.local(D));
    const l: LossLocals = { a, t, p, rowLoss };
    const A = (k: Bytes) => f64.promoteF32(f32.load(i32.add(get(aRow), i32.mul(k, i32.c(4)))));
    const Y = (k: Bytes) => f64.promoteF32(f32.load(i32.add(get(yRow), i32.mul(k, i32.c(4)))));
    const dAt = i32.add(get(dRow), i32.mul(get(j), i32.c(4)));
    const zAt = f32.load(i32.add(i32.add(get(zs), i32.mul(get(r), i32.c(N * 4))), i32.mul(get(j), i32.c(4))));
    const loadPair = seq(set(a, A(get(j))), set(t, Y(get(j))));
    // ∂loss/∂a: scale·(a − t), for huber scale·clamp(a − t, −δ, δ)
    const g = f64.mul(f64.c(scale), net.loss === 'huber' ? f64.min(f64.c(hd), f64.max(f64.c(-hd), f64.sub(get(a), get(t)))) : f64.sub(get(a), get(t)));
    const deltaRow = crossEntropy
      ? forRange(j, i32.c(0), i32.c(N), 1, loadPair, f32.store(dAt, f32.demoteF64(f64.mul(f64.sub(get(a), get(t)), get(w)))))
      : outName === 'softmax'
        ? seq(
          set(dot, f64.c(0)),
          forRange(j, i32.c(0), i32.c(N), 1, loadPair, set(dot, f64.add(get(dot), f64.mul(g, get(a))))),
          forRange(j, i32.c(0), i32.c(N), 1, loadPair, f32.store(dAt, f32.demoteF64(f64.mul(f64.mul(get(a), f64.sub(g, get(dot))), get(w))))),
        )
        : forRange(j, i32.c(0), i32.c(N), 1, loadPair, f32.store(dAt, f32.demoteF64(f64.mul(f64.mul(g, derivative(shape, get(a), zAt, out)), get(w)))));
    const metrics = isRegressionOutput(net)
      ? seq(set(p, f64.sub(get(t), get(a))), set(absErr, f64.add(get(absErr), f64.abs(get(p)))), set(sqErr, f64.add(get(sqErr), f64.mul(get(p), get(p)))))
      : [];
    const argmaxes = N === 1
      ? set(correct, f64.add(get(correct), f64.convertI32U(i32.eq(f64.gt(A(i32.c(0)), f64.c(0.5)), f64.gt(Y(i32.c(0)), f64.c(0.5))))))
      : seq(
        set(pa, i32.c(0)), set(py, i32.c(0)),
        forRange(j, i32.c(1), i32.c(N), 1, ifThen(f64.gt(A(get(j)), A(get(pa))), set(pa, get(j))), ifThen(f64.gt(Y(get(j)), Y(get(py))), set(py, get(j)))),
        set(correct, f64.add(get(correct), f64.convertI32U(i32.eq(get(pa), get(py))))),
      );
    return seq(
      forRange(r, i32.c(0), get(rows), 1,
        set(aRow, i32.add(get(act), i32.mul(get(r), i32.c(N * 4)))),
        set(yRow, i32.add(get(y), i32.mul(get(r), i32.c(N * 4)))),
        set(dRow, i32.add(get(delta), i32.mul(get(r), i32.c(N * 4)))),
        set(w, f64.c(1)),
        ifThen(get(sw), set(w, f64.promoteF32(f32.load(i32.add(get(sw), i32.mul(get(r), i32.c(4))))))),
        set(rowLoss, f64.c(0)),
        // metrics read p = t − a after the loss term (which may use p for the clamped output)
        forRange(j, i32.c(0), i32.c(N), 1, loadPair, lossTerm(shape, math, l), metrics),
        set(lossSum, f64.add(get(lossSum), f64.mul(get(w), net.loss === 'mse' || net.loss === 'huber' ? f64.div(get(rowLoss), f64.c(N)) : get(rowLoss)))),
        argmaxes,
        ifThen(get(delta), deltaRow),
      ),
      f64.store(get(stats), get(lossSum), STATS.lossSum),
      f64.store(get(stats), get(correct), STATS.correct),
      f64.store(get(stats), get(absErr), STATS.absErr),
      f64.store(get(stats), get(sqErr), STATS.sqErr),
    );
  });
}
