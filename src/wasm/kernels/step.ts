/**
 * The training step and inference as module functions: `train(first, count)` runs table entries
 * [first, first + count) — gather, forward (bias and activation fused into each product, or for a
 * normalized layer the bias alone, then the norm kernel with the activation; then softmax and
 * dropout), loss and output delta, backward (weight gradients, bias gradients, hidden deltas with
 * f'(a), or f'(z) for the layers that keep z, and dropout fused, then a normalized layer's norm
 * backward), update — without returning to the host, stopping at the first batch whose objective
 * or update is not finite. With a `mark` import, every stage ends with mark(stage) (the profiling
 * build; see {@link StepStages}).
 */
import { type Bytes, seq } from '../emit/encoding';
import { ValType, call, f64, forRange, get, i32, ifThen, memoryFill, ret, select, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { CTRL, STATS, STATUS, TABLE, layerField } from '../control';
import { type NetShape, segmentOf } from '../shape';
import type { MathFunctions } from './math';
import { type MatmulSpec, addMatmul } from './matmul';
import { addLayerActivations } from './activations';
import { addBiasGrad, addDropout, addSumAbs, addSumSquares } from './elementwise';
import { addLossStats, addSoftmax } from './loss';
import { addGather, addRowToFloat } from './gather';
import { addUpdate } from './optimizer';
import { addResidualDelta, addResidualSum } from './residual';
import { addNormBackward, addNormForward } from './norm';
import { type BatchNormSpec, addBatchNormBackward, addBatchNormForward } from './batch-norm';

const I = ValType.i32;
const ctl = (field: number) => i32.load(i32.c(field));
/** The current parameter set's base plus `floats` floats. */
const param = (floats: number) => i32.add(i32.load(i32.add(i32.c(CTRL.set0), i32.mul(ctl(CTRL.cur), i32.c(4)))), i32.c(floats * 4));
/** The next parameter set's (the one the update writes) base plus `floats` floats. */
const nextParam = (floats: number) => i32.add(i32.load(i32.add(i32.c(CTRL.set0), i32.mul(i32.xor(ctl(CTRL.cur), i32.c(1)), i32.c(4)))), i32.c(floats * 4));

/** One stage of a profiled step: its label and the kernel that runs it. */
export interface StepStage {
  label: string;
  kernel: string;
}

/** Collects the stages in the order the step runs them; `mark` emits the call that ends one. */
export class StepStages {
  readonly list: StepStage[] = [];
  constructor(private readonly markFn: number | null) {}
  mark(label: string, kernel: string): Bytes {
    if (this.markFn === null) return [];
    this.list.push({ label, kernel });
    return call(this.markFn, i32.c(this.list.length - 1));
  }
}

/** The functions of a network's module the host calls. */
export interface StepExports {
  train: number;
  infer: number;
  evaluate: number;
  sumSquares: number;
}

/** How the step makes its products: addMatmul, or split across threads (threads/parallel.ts) with the word that is nonzero once a thread died. */
export interface ProductMaker {
  add(name: string, spec: MatmulSpec): number;
  failed?: Bytes;
}

/**
 * Adds every kernel of `shape`'s step, and the train / infer / evaluate entry points, to `m`.
 *
 * @example
 * const fns = addStep(m, shape, addMathFunctions(m), new StepStages(null));
 */
export function addStep(m: ModuleBuilder, shape: NetShape, math: MathFunctions, stages: StepStages, products: ProductMaker = { add: (name, spec) => addMatmul(m, name, spec) }): StepExports {
  const { net, widths } = shape;
  const L = net.layers.length;
  const acts = net.layers.map((l) => l.activation);
  const fns = addLayerActivations(m, math, net.layers);
  const trainsBiases = net.useBias && !net.freezeBias;
  // z is stored (at the product's p2) only by the layers whose f' reads it; a normalized layer's product adds the bias alone
  const normed = net.layers.map((layer) => !!layer.norm);
  const forward = net.layers.map((layer, l) => products.add(`forward${l}`, {
    a: 'rows', b: 'rows', M: null, K: widths[l], N: layer.units, lda: widths[l], ldb: layer.units, ldc: layer.units,
    epilogue: normed[l] ? { bias: net.useBias } : { bias: net.useBias, keepZ: fns[l].fromZ, activation: fns[l].activate },
  }));
  // the norm and the activation after it run on this thread (the products may split across workers)
  const batch = net.layers.map((layer) => layer.norm === 'batch');
  const spec = (l: number): BatchNormSpec => ({ l, units: net.layers[l].units, epsilon: net.layers[l].normEpsilon!, momentum: net.layers[l].normMomentum!, activate: fns[l].activate, keepY: fns[l].fromZ });
  const normForward = net.layers.map((layer, l) => (!normed[l] ? -1 : batch[l] ? addBatchNormForward(m, spec(l), true) : addNormForward(m, l, layer.units, layer.normEpsilon!, fns[l].activate, fns[l].fromZ)));
  // batch norm's inference forward (predict, evaluate) reads the running estimates
  const normInfer = net.layers.map((_, l) => (batch[l] ? addBatchNormForward(m, spec(l), false) : normForward[l]));
  const normBackward = net.layers.map((layer, l) => (!normed[l] ? -1 : batch[l] ? addBatchNormBackward(m, l, layer.units) : addNormBackward(m, l, layer.units)));
  const gradW = net.layers.map((layer, l) => products.add(`gradW${l}`, { a: 'cols', b: 'rows', M: widths[l], K: null, N: layer.units, lda: widths[l], ldb: layer.units, ldc: layer.units }));
  // δ_{l−1} = (δ_l·W_lᵀ) ⊙ f'(a_{l−1} or z_{l−1}) [⊙ dropout factors]: one product per layer above the first, a second without factors for steps that drop nothing
  const deltaOf = (l: number, factors: boolean) => products.add(`delta${l}${factors ? 'drop' : ''}`, {
    a: 'rows', b: 'cols', M: null, K: widths[l + 1], N: widths[l], lda: widths[l + 1], ldb: widths[l + 1], ldc: widths[l],
    epilogue: { derivative: fns[l - 1].derivative, factors },
  });
  const res = net.layers.map((layer) => !!layer.residual);
  // next to a residual layer, δ_{l−1} takes the product alone, then residualDelta adds the skip's gradient and applies f'
  const skips = (l: number) => l > 0 && (res[l] || res[l - 1]);
  const delta = net.layers.map((_, l) => (l === 0 ? -1 : skips(l) ? products.add(`delta${l}plain`, {
    a: 'rows', b: 'cols', M: null, K: widths[l + 1], N: widths[l], lda: widths[l + 1], ldb: widths[l + 1], ldc: widths[l], epilogue: {},
  }) : deltaOf(l, false)));
  const deltaDrop = net.layers.map((_, l) => (l > 0 && !skips(l) && shape.dropout[l - 1] ? deltaOf(l, true) : -1));
  const residualDelta = net.layers.map((_, l) => (skips(l) ? addResidualDelta(m, l - 1, widths[l], {
    add: res[l], keep: res[l - 1], derivative: fns[l - 1].derivative ?? null, factors: shape.dropout[l - 1],
  }) : -1));
  const residualSum = net.layers.map((layer, l) => (res[l] ? addResidualSum(m, l, layer.units) : -1));
  const biasGrad = net.layers.map((layer, l) => (trainsBiases ? addBiasGrad(m, String(l), layer.units) : -1));
  const dropout = net.layers.map((layer, l) => (shape.dropout[l] ? addDropout(m, l, layer.dropout ?? 0, layer.units) : -1));
  const softmax = acts[L - 1] === 'softmax' ? addSoftmax(m, math, widths[L]) : -1;
  const lossStats = addLossStats(m, math, shape, fns[L - 1]);
  const gather = addGather(m, addRowToFloat(m), net.inputSize, widths[L]);
  const sumSquares = addSumSquares(m, shape);
  const sumAbs = net.l1 > 0 ? addSumAbs(m, shape) : -1;
  const penalized = net.l2 > 0 || net.l1 > 0;
  const update = addUpdate(m, shape);

  /** Layer l's output after dropout (when this step drops), before a residual add. */
  const dropped = (l: number, drop: Bytes): Bytes => {
    const act = ctl(layerField(l, 'act'));
    return shape.dropout[l] ? select(ctl(layerField(l, 'dropped')), act, drop) : act;
  };
  /** The input of layer l: the batch, or the previous layer's output (after dropout when this step drops, and the residual add). */
  const input = (l: number, drop: Bytes): Bytes => (l === 0 ? ctl(CTRL.x) : res[l - 1] ? ctl(layerField(l - 1, 'sum')) : dropped(l - 1, drop));
  const quiet = new StepStages(null);
  const activation = (l: number) => (acts[l] === 'softmax' || acts[l] === 'linear' ? '' : `+${acts[l]}`);
  // a normalized layer's product writes z where x̂ goes; the norm writes y (as z, when f' reads it) and f(y)
  // batch norm reads the running estimates from the current set; training writes them updated into the next one (which the update fills)
  const normPass = (l: number, rows: Bytes, marks: StepStages, training: boolean): Bytes => (normed[l] ? seq(
    call(training ? normForward[l] : normInfer[l], ctl(layerField(l, 'xhat')), ctl(layerField(l, 'invStd')), param(segmentOf(shape, l, 'norms').at), ctl(layerField(l, 'z')), ctl(layerField(l, 'act')), rows,
      ...(batch[l] ? [param(segmentOf(shape, l, 'stats').at), nextParam(segmentOf(shape, l, 'stats').at)] : [])),
    marks.mark(`norm ${l}`, `wasm:${batch[l] ? 'batch' : 'layer'}-norm${activation(l)}`),
  ) : []);
  const forwardPass = (rows: Bytes, drop: Bytes, key: Bytes, marks: StepStages = quiet, training = true): Bytes => seq(...net.layers.map((_, l) => seq(
    call(forward[l], input(l, drop), param(segmentOf(shape, l, 'weights').at), ctl(layerField(l, normed[l] ? 'xhat' : 'act')), rows, ctl(CTRL.scratch), param(segmentOf(shape, l, 'biases').at), ctl(layerField(l, 'z')), i32.c(0)),
    marks.mark(`forward ${l}`, `wasm:matmul-ab${net.useBias ? '+bias' : ''}${normed[l] ? '' : activation(l)}`),
    normPass(l, rows, marks, training),
    softmax >= 0 && l === L - 1 ? seq(call(softmax, ctl(layerField(l, 'act')), rows), marks.mark(`softmax ${l}`, 'wasm:softmax')) : [],
    dropout[l] >= 0 ? seq(ifThen(drop, call(dropout[l], ctl(layerField(l, 'act')), ctl(layerField(l, 'dropped')), ctl(layerField(l, 'factors')), key, rows)), marks.mark(`dropout ${l}`, 'wasm:dropout')) : [],
    residualSum[l] >= 0 ? seq(call(residualSum[l], dropped(l, drop), input(l, drop), ctl(layerField(l, 'sum')), rows), marks.mark(`residual ${l}`, 'wasm:residual-add')) : [],
  )));
  const deltaBuffer = (l: number) => ctl((L - 1 - l) % 2 === 0 ? CTRL.delta0 : CTRL.delta1);
  const backwardPass = (rows: Bytes, drop: Bytes): Bytes => seq(...net.layers.map((_, k) => {
    const l = L - 1 - k;
    const grad = (kind: 'weights' | 'biases') => i32.add(ctl(CTRL.grad), i32.c(segmentOf(shape, l, kind).at * 4));
    // δ_{l−1} so far is ∂loss/∂y_{l−1} (after f', dropout and the skip); through its norm it becomes ∂loss/∂z_{l−1}
    const throughNorm = () => {
      const n = segmentOf(shape, l - 1, 'norms').at;
      return seq(
        call(normBackward[l - 1], deltaBuffer(l - 1), ctl(layerField(l - 1, 'xhat')), ctl(layerField(l - 1, 'invStd')), param(n), i32.add(ctl(CTRL.grad), i32.c(n * 4)), rows),
        stages.mark(`dnorm ${l - 1}`, `wasm:${batch[l - 1] ? 'batch' : 'layer'}-norm-backward`),
      );
    };
    // f' of layer l − 1 reads its z where it keeps z, else its output before dropout and the add
    const source = l > 0 && fns[l - 1].fromZ ? 'z' : 'act';
    const hidden = (fn: number) => call(fn, deltaBuffer(l), param(segmentOf(shape, l, 'weights').at), deltaBuffer(l - 1), rows, ctl(CTRL.scratch), i32.c(0), ctl(layerField(l - 1, source)), ctl(layerField(l - 1, 'factors')));
    // g = ∂loss/∂a_{l−1}: kept in layer l − 1's sum region when it is residual (its output is read by dW_l above, before this)
    const g = l > 0 && res[l - 1] ? ctl(layerField(l - 1, 'sum')) : deltaBuffer(l - 1);
    const skipped = () => seq(
      call(delta[l], deltaBuffer(l), param(segmentOf(shape, l, 'weights').at), g, rows, ctl(CTRL.scratch), i32.c(0), i32.c(0), i32.c(0)),
      call(residualDelta[l], g, res[l] ? ctl(layerField(l, 'sum')) : i32.c(0), deltaBuffer(l - 1), ctl(layerField(l - 1, source)), ctl(layerField(l - 1, 'factors')), rows, drop),
      stages.mark(`delta ${l - 1}`, 'wasm:matmul-abt+residual'),
    );
    return seq(
      call(gradW[l], input(l, drop), deltaBuffer(l), grad('weights'), rows, ctl(CTRL.scratch), i32.c(0), i32.c(0), i32.c(0)),
      stages.mark(`dW ${l}`, 'wasm:matmul-atb'),
      biasGrad[l] >= 0 && !batch[l] ? seq(call(biasGrad[l], deltaBuffer(l), rows, grad('biases')), stages.mark(`db ${l}`, 'wasm:bias-grad')) : [],
      // a batch-normalized layer's bias gradient is Σ_rows ∂z = 0 exactly (Σ_rows x̂ = 0); summed in float32 it is rounding noise, which Adam and RMSprop would scale up to steps of lr
      biasGrad[l] >= 0 && batch[l] ? memoryFill(grad('biases'), i32.c(0), i32.c(segmentOf(shape, l, 'biases').padded * 4)) : [],
      l > 0 && skips(l) ? skipped() : [],
      l > 0 && !skips(l) ? seq(deltaDrop[l] >= 0 ? ifThen(drop, hidden(deltaDrop[l]), hidden(delta[l])) : hidden(delta[l]), stages.mark(`delta ${l - 1}`, `wasm:matmul-abt${acts[l - 1] === 'linear' ? '' : `*${acts[l - 1]}'`}`)) : [],
      l > 0 && normed[l - 1] ? throughNorm() : [],
    );
  }));

  const train = m.add('train', [I, I], [I], (f) => {
    const [first, count] = [f.param(0), f.param(1)];
    const [b, entry, rows, drop, stats] = [f.local(I), f.local(I), f.local(I), f.local(I), f.local(I)];
    const objective = f.local(ValType.f64);
    const stop = (status: number) => seq(i32.store(i32.c(CTRL.status), i32.c(status)), ret(i32.add(i32.sub(get(b), get(first)), i32.c(1))));
    // the current set's Σ W² (with L2) and Σ|W| (with L1), read by the next step's objective
    const squares = () => seq(
      net.l2 > 0 ? f64.store(i32.c(CTRL.sumSquares), call(sumSquares, param(0))) : [],
      net.l1 > 0 ? f64.store(i32.c(CTRL.sumAbs), call(sumAbs, param(0))) : [],
    );
    const l2Term = f64.mul(f64.c(net.l2 / 2), f64.load(i32.c(CTRL.sumSquares)));
    const l1Term = f64.mul(f64.c(net.l1), f64.load(i32.c(CTRL.sumAbs)));
    const penalty = net.l2 > 0 && net.l1 > 0 ? f64.add(l2Term, l1Term) : net.l2 > 0 ? l2Term : l1Term;
    const copyField = (from: number, to: number) => i32.store(i32.c(to), i32.load(get(entry), from));
    const body = seq(
      set(entry, i32.add(ctl(CTRL.table), i32.mul(get(b), i32.c(TABLE.bytes)))),
      set(stats, i32.add(ctl(CTRL.stats), i32.mul(get(b), i32.c(STATS.bytes)))),
      set(rows, i32.load(get(entry), TABLE.rows)),
      set(drop, i32.and(i32.load(get(entry), TABLE.flags), i32.c(1))),
      call(gather, get(entry)), stages.mark('gather', 'wasm:gather'),
      forwardPass(get(rows), get(drop), i32.load(get(entry), TABLE.dropKey), stages),
      call(lossStats, ctl(layerField(L - 1, 'act')), ctl(CTRL.y), select(ctl(CTRL.sw), i32.c(0), ctl(CTRL.dataW)), get(rows), get(stats), ctl(CTRL.delta0), ctl(layerField(L - 1, 'z'))),
      stages.mark('loss', 'wasm:loss'),
      products.failed ? ifThen(products.failed, stop(STATUS.worker)) : [],
      // the objective: the loss plus λ/2·ΣW² + λ₁·Σ|W| of the weights it was measured on
      set(objective, penalized ? f64.add(f64.load(get(stats)), penalty) : f64.load(get(stats))),
      f64.store(get(stats), get(objective), STATS.lossSum),
      ifThen(f64.ne(f64.sub(get(objective), get(objective)), f64.c(0)), stop(STATUS.loss)),
      backwardPass(get(rows), get(drop)),
      products.failed ? ifThen(products.failed, stop(STATUS.worker)) : [],
      copyField(TABLE.lr, CTRL.lr), copyField(TABLE.c1, CTRL.c1), copyField(TABLE.c2, CTRL.c2),
      ifThen(i32.eqz(call(update, get(rows))), stop(STATUS.update)),
      i32.store(i32.c(CTRL.cur), i32.xor(ctl(CTRL.cur), i32.c(1))),
      penalized ? squares() : [],
      stages.mark('update', 'wasm:optimizer'),
    );
    return seq(penalized ? squares() : [], forRange(b, get(first), i32.add(get(first), get(count)), 1, body), i32.store(i32.c(CTRL.status), i32.c(STATUS.ok)), get(count));
  }, true);

  const infer = m.add('infer', [I], [], (f) => forwardPass(get(f.param(0)), i32.c(0), i32.c(0), quiet, false), true);
  const evaluate = m.add('evaluate', [I, I], [], (f) => seq(
    forwardPass(get(f.param(0)), i32.c(0), i32.c(0), quiet, false),
    call(lossStats, ctl(layerField(L - 1, 'act')), ctl(CTRL.y), i32.c(0), get(f.param(0)), get(f.param(1)), i32.c(0), i32.c(0)),
  ), true);
  const sumSquaresOf = m.add('sumSquaresOf', [I], [ValType.f64], (f) => call(sumSquares, get(f.param(0))), true);
  return { train, infer, evaluate, sumSquares: sumSquaresOf };
}
