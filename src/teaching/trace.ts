import { type NetSpec, checkNumber, describeValue, fanIn, resolveConfig } from '../core/config';
import type { ForwardPass, Gradients } from '../cpu/network';
import { optimizerStep } from '../cpu/optimizers';
import { readRecord } from '../core/inspect';
import { type StepExtras, type StepExtrasOptions, objectiveWith, resolveStepExtras, stepWith } from './step-extras';
import { toInputs, toTargets } from '../core/data';
import { type Params, cloneParams, paramsFromArrays, paramsToArrays } from '../core/params';
import { refuseOneRowBatches, withNorms } from '../core/norm-params';
import { updateRunningStats } from '../cpu/batch-norm';
import type { Activation, Inputs, ModelConfig, Targets, Weights } from '../core/types';

/**
 * One layer's intermediate values during a {@link traceStep}, one row per sample.
 *
 * @example
 * const { z, a, delta }: LayerTrace = traceStep(config, weights, x, y, 0.5).layers[0];
 */
export interface LayerTrace {
  /** The layer's activation function. */
  activation: Activation;
  /** Net input z = a_prev · W + b, `[rows][units]` (the tutorials' "net"). */
  z: number[][];
  /** a = f(z) (f(y) with `norm`), `[rows][units]` (the tutorials' "out"); with a `mask`, the next layer reads a ⊙ mask; a residual layer passes a (⊙ mask) + its input on. */
  a: number[][];
  /** With `options.dropout`, on layers that drop units: the inverted-dropout factors, 0 (dropped) or 1/(1 − p), `[rows][units]`. */
  mask?: number[][];
  /** Error term δ = ∂loss/∂z for each sample (through the normalization with `norm`), `[rows][units]`. */
  delta: number[][];
  /** ∂J/∂W averaged over the rows, L2 term included, `[fanIn][units]`. */
  gradWeights: number[][];
  /** ∂J/∂b averaged over the rows, `[units]` (reported even when biases are frozen). */
  gradBiases: number[];
  /** On a layer with `norm`: y = γ ⊙ (z − μ)/√(σ² + ε) + β, the activation's input, and ∂J/∂γ, ∂J/∂β averaged over the rows. */
  norm?: { y: number[][]; gradScale: number[]; gradShift: number[]; batch?: BatchNormTrace };
}

/**
 * A batch-normalized layer's statistics in a {@link traceStep}: the batch's per-unit mean μ and
 * biased variance σ² (what y uses), and the running estimates before and after the step's update
 * (mean ← (1 − m)·mean + m·μ, var ← (1 − m)·var + m·σ²·n/(n − 1)).
 *
 * @example
 * const { mean, runningVarAfter }: BatchNormTrace = traceStep(config, weights, x, y, 0.1).layers[0].norm!.batch!;
 */
export interface BatchNormTrace {
  mean: number[];
  variance: number[];
  runningMean: number[];
  runningVar: number[];
  runningMeanAfter: number[];
  runningVarAfter: number[];
}

/**
 * Everything one plain gradient-descent step computes, as returned by {@link traceStep}.
 *
 * @example
 * const { loss, lossAfter, after }: StepTrace = traceStep(config, weights, x, y, 0.5);
 */
export interface StepTrace {
  /** The inputs, `[rows][inputSize]`. */
  input: number[][];
  /** The targets, `[rows][outputs]` (class indices expanded to one-hot rows). */
  target: number[][];
  /** Hidden and output layers, in order. */
  layers: LayerTrace[];
  /** With `options.sampleWeight`: each row's weight, multiplying its loss and δ. */
  sampleWeights?: number[];
  /** The objective before the step: mean per-sample (weighted) loss plus λ/(2m)·ΣW². */
  loss: number;
  /** The same objective after the step, with the updated parameters. */
  lossAfter: number;
  /** The parameters the step started from. */
  before: Weights;
  /** The parameters after W −= η·∂J/∂W, b −= η·∂J/∂b (biases unchanged when frozen or unused), γ −= η·∂J/∂γ, β −= η·∂J/∂β, and batch norm's running update. */
  after: Weights;
}

const rowsOf = (data: ArrayLike<number>, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, j) => data[r * cols + j]));

/** Each layer's z, a and δ and its averaged gradients, as nested arrays (batch statistics from the running estimates `before` and `after`). */
function layerTraces(net: NetSpec, pass: ForwardPass, deltas: Float64Array[], grads: Gradients, rows: number, before: Params, after: Params): LayerTrace[] {
  return net.layers.map((layer, l) => {
    const n = layer.units;
    const dropped = pass.dropout?.[l];
    const trace: LayerTrace = {
      activation: layer.activation,
      z: rowsOf(pass.zs[l], rows, n),
      a: rowsOf(pass.activated[l], rows, n),
      delta: rowsOf(deltas[l], rows, n),
      gradWeights: rowsOf(grads.weights[l], fanIn(net, l), n),
      gradBiases: Array.from(grads.biases[l]),
    };
    if (dropped) trace.mask = rowsOf(dropped.factors, rows, n);
    const [y, g] = [pass.normalizedOutputs?.[l], grads.norms?.[l]];
    if (y && g) trace.norm = { y: rowsOf(y, rows, n), gradScale: Array.from(g.subarray(0, n)), gradShift: Array.from(g.subarray(n)) };
    const [moments, from, to] = [pass.moments?.[l], before.normStats?.[l], after.normStats?.[l]];
    if (trace.norm && moments && from && to) {
      trace.norm.batch = {
        mean: Array.from(moments.mean), variance: Array.from(moments.variance),
        runningMean: Array.from(from.subarray(0, n)), runningVar: Array.from(from.subarray(n)),
        runningMeanAfter: Array.from(to.subarray(0, n)), runningVarAfter: Array.from(to.subarray(n)),
      };
    }
    return trace;
  });
}

/**
 * Runs one full-batch plain gradient-descent step on the CPU (float64) with the CPU trainer's own
 * functions and returns every intermediate value; `after` equals what `fit(x, y, { epochs: 1,
 * batchSize: rows, learningRate, optimizer: 'sgd', shuffle: false })` gives (with `options`, the
 * same `fit` with that dropout mask and `sampleWeight`). Touches no model.
 *
 * @param config the model's configuration (`weights`/`biases` in it are ignored: pass `params`)
 * @param params the parameters to start from, as `MLP.getWeights()` returns them (`norms` left out: γ = 1, β = 0;
 *   batch norm's running estimates 0 and 1); with `norm: 'batch'` the step normalizes with the batch's statistics,
 *   updates the running estimates as `fit` does, and refuses a single row as `fit` does
 * @param x inputs, `[rows][inputSize]` or a matrix
 * @param y targets, in any form `fit` accepts
 * @param learningRate the step size η (> 0)
 * @param options `dropout: { seed, epoch?, batch? }` fixes the mask `fit` draws there; `sampleWeight` weighs each row
 *
 * @example
 * const t = traceStep(
 *   { inputSize: 2, layers: [{ units: 2, activation: 'sigmoid' }, { units: 2, activation: 'sigmoid' }], loss: 'sse', freezeBias: true },
 *   { weights: [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]], biases: [[0.35, 0.35], [0.6, 0.6]] },
 *   [[0.05, 0.1]], [[0.01, 0.99]], 0.5,
 * );
 * t.layers[0].z[0][0]; // net_h1 = 0.3775
 * t.loss;              // E_total = 0.298371109…
 * t.after.weights[1][0][0]; // w5 = 0.358916480…
 */
export function traceStep(config: ModelConfig, params: Weights, x: Inputs, y: Targets, learningRate: number, options: StepExtrasOptions = {}): StepTrace {
  const net = resolveConfig({ ...config, weights: undefined, biases: undefined });
  if (params === null || typeof params !== 'object') throw new TypeError(`params must be {weights, biases} (and norms with norm), got ${describeValue(params)}`);
  const p = withNorms(net, paramsFromArrays(net, params.weights, params.biases), params.norms);
  const lr = checkNumber('learningRate', learningRate, 'positive');
  const X = toInputs(x, net);
  const Y = toTargets(y, net, X.rows);
  const m = X.rows;
  refuseOneRowBatches(net, m, m, 'traceStep');
  const extras: StepExtras = resolveStepExtras(readRecord(options, 'traceStep options', ['dropout', 'sampleWeight'], '{dropout?, sampleWeight?}'), net, m, 'traceStep options');

  // forward, then backward keeping every layer's δ
  const deltas: Float64Array[] = [];
  const { pass, loss, grads } = stepWith(net, p, X.data, Y.data, m, extras, deltas);
  // update: plain gradient descent (biases only when they train)
  const next = cloneParams(p);
  next.weights.forEach((w, l) => optimizerStep({ type: 'sgd' }, w, grads.weights[l], [], lr, 1));
  if (net.useBias && !net.freezeBias) next.biases.forEach((b, l) => optimizerStep({ type: 'sgd' }, b, grads.biases[l], [], lr, 1));
  // γ and β train as the CPU trainer trains them, frozen biases or not
  next.norms?.forEach((n, l) => n && optimizerStep({ type: 'sgd' }, n, grads.norms![l]!, [], lr, 1, true));
  // the running estimates move with the step, as the CPU trainer moves them
  pass.moments?.forEach((moments, l) => moments && updateRunningStats(next.normStats![l]!, moments, m, net.layers[l].normMomentum!));

  const trace: StepTrace = {
    input: rowsOf(X.data, m, X.cols),
    target: rowsOf(Y.data, m, Y.cols),
    layers: layerTraces(net, pass, deltas, grads, m, p, next),
    loss,
    lossAfter: objectiveWith(net, next, X.data, Y.data, m, extras),
    before: paramsToArrays(net, p),
    after: paramsToArrays(net, next),
  };
  if (extras.weights) trace.sampleWeights = Array.from(extras.weights);
  return trace;
}
