import { type NetSpec, fanIn, outputSize } from '../core/config';
import { type Params, weightPenalty } from '../core/params';
import type { LayerSpec } from '../core/types';
import { activate, activationDerivative } from './activations';
import { correctCount, lossSum, outputDelta } from './losses';
import { dropoutFactors } from '../core/dropout-mask';
import { errorSums, isRegressionOutput } from '../core/metrics';
import { matmulAB, matmulABT, matmulATB } from './matmul';
import { type LayerNormCache, layerNormBackward, layerNormForward } from './layer-norm';
import { type BatchMoments, batchNormBackward, batchNormForward, batchNormInfer } from './batch-norm';

/**
 * The CPU reference path: plain float64 backpropagation, one named step at a time. It is the
 * oracle the WebGPU path is tested against, the fallback where WebGPU is missing, and what
 * `traceStep` shows. A step reads: forward ({@link forward}), backward ({@link backward}), update
 * ({@link averageGradients}, then an optimizer step). Each op's backward sits next to its forward:
 * the dense op and the activation below, the loss in losses.ts (`lossSum` and `outputDelta`).
 */

/** Gradients with the same shapes as {@link Params}. */
export interface Gradients {
  /** ∂/∂W_l, `[fanIn, units]` row-major per layer. */
  weights: Float64Array[];
  /** ∂/∂b_l, `[units]` per layer. */
  biases: Float64Array[];
  /** ∂/∂γ_l then ∂/∂β_l, `[2 · units]` per normalized layer (null for the others); as `Params.norms`. */
  norms?: (Float64Array | null)[];
}

/** What a forward pass keeps for the backward pass, one `[rows, units]` block per layer. */
export interface ForwardPass {
  /** Each layer's net input: `zs[l] = acts[l]·W_l + b_l`. */
  zs: Float64Array[];
  /**
   * The input, then each layer's output: `acts[0] = x`, `acts[l + 1] = f_l(zs[l])` (after dropout,
   * when the layer drops units: what the next layer reads).
   */
  acts: ArrayLike<number>[];
  /**
   * Training with dropout: per layer, its inverted-dropout factors (0 or 1/(1 − p) per element)
   * and its output before dropout (f'(z) is computed from it); null for layers that drop nothing.
   */
  dropout?: ({ factors: Float64Array; undropped: Float64Array } | null)[];
  /** Each layer's f(z) before dropout and the residual add (f'(z) is computed from it). */
  activated: Float64Array[];
  /** Per layer with `norm`, what its normalization's backward needs (x̂ and 1/σ per row or per unit; null for the others). */
  normalized?: (LayerNormCache | null)[];
  /** Training with batch norm: per batch-normalized layer, the batch's mean and biased variance (null for the others). */
  moments?: (BatchMoments | null)[];
  /** Per layer with `norm`, its activation's input γ ⊙ x̂ + β (f'(·) of the z-reading activations reads it). */
  normalizedOutputs?: (Float64Array | null)[];
}

/** What a training step adds to a plain forward and backward pass. */
export interface StepOptions {
  /** This step's dropout key (src/dropout-mask.ts): hidden layers with `dropout` drop units. */
  dropKey?: number;
  /** One weight per row, multiplying its loss and output delta. */
  weights?: ArrayLike<number> | null;
  /** A training forward: batch-normalized layers normalize with the batch's statistics (else with the running ones). */
  training?: boolean;
}

// ── dense op: z = a_prev·W + b ──────────────────────────────────────────────────────────────────

/** Forward of layer `l`'s dense op: z = a_prev·W_l + b_l. */
function denseForward(net: NetSpec, p: Params, l: number, aPrev: ArrayLike<number>, rows: number): Float64Array {
  const n = net.layers[l].units;
  const z = matmulAB(aPrev, p.weights[l], rows, fanIn(net, l), n);
  if (net.useBias) {
    const b = p.biases[l];
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) z[r * n + j] += b[j];
  }
  return z;
}

/**
 * Backward of layer `l`'s dense op, given δ_l = ∂loss/∂z_l: ∂W_l += a_prevᵀ·δ_l and
 * ∂b_l += Σ_batch δ_l; returns ∂loss/∂a_prev = δ_l·W_lᵀ (null for the first layer, whose a_prev
 * is the input).
 */
function denseBackward(net: NetSpec, p: Params, l: number, aPrev: ArrayLike<number>, delta: Float64Array, rows: number, grads: Gradients): Float64Array | null {
  const n = net.layers[l].units;
  const k = fanIn(net, l);
  const gW = matmulATB(aPrev, delta, k, rows, n);
  const gw = grads.weights[l];
  for (let i = 0; i < gW.length; i++) gw[i] += gW[i];
  const gb = grads.biases[l];
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) gb[j] += delta[r * n + j];
  return l === 0 ? null : matmulABT(delta, p.weights[l], rows, n, k);
}

// ── activation op: a = f(z) ─────────────────────────────────────────────────────────────────────

// Its forward is `activate` (activations.ts; softmax row by row).

/**
 * Backward of the activation op: δ = ∂loss/∂a ⊙ f'(z), with f' written in terms of a (or of z,
 * for the activations that need it: the forward pass's `zs`); `grad` is
 * overwritten with δ. Softmax's backward is applied in the output delta (`outputDelta`) instead.
 */
function activationBackward(layer: LayerSpec, a: ArrayLike<number>, z: ArrayLike<number> | undefined, grad: Float64Array): Float64Array {
  const fprime = activationDerivative(layer, a, z);
  for (let i = 0; i < grad.length; i++) grad[i] *= fprime[i];
  return grad;
}

// ── normalization op: y = γ ⊙ x̂ + β (its backward: layerNormBackward, batchNormBackward) ──────

/**
 * Layer `l`'s normalization of z, or null when it has none: layer norm over each row; batch norm
 * over the batch's rows in training (keeping its moments), with the running estimates otherwise.
 */
function normForward(net: NetSpec, p: Params, l: number, z: Float64Array, rows: number, training: boolean): { y: Float64Array; cache?: LayerNormCache; moments?: BatchMoments } | null {
  const layer = net.layers[l];
  const gammaBeta = p.norms?.[l];
  if (!layer.norm || !gammaBeta) return null;
  if (layer.norm === 'layer') return layerNormForward(z, gammaBeta, rows, layer.units, layer.normEpsilon!);
  if (training) return batchNormForward(z, gammaBeta, rows, layer.units, layer.normEpsilon!);
  return batchNormInfer(z, gammaBeta, p.normStats![l]!, rows, layer.units, layer.normEpsilon!);
}

// ── forward ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Forward pass over a `[rows, inputSize]` batch: z_l = a_{l−1}·W_l + b_l, a_l = f_l(z_l).
 * Returns every layer's z and a, with the input itself as `acts[0]`.
 */
export function forward(net: NetSpec, p: Params, x: ArrayLike<number>, rows: number, options: StepOptions = {}): ForwardPass {
  const pass: ForwardPass = { zs: [], acts: [x], activated: [] };
  const drops = options.dropKey !== undefined && net.layers.some((layer) => (layer.dropout ?? 0) > 0);
  if (drops) pass.dropout = [];
  net.layers.forEach((layer, l) => {
    const z = denseForward(net, p, l, pass.acts[l], rows);
    pass.zs.push(z);
    // layer or batch norm: f reads γ ⊙ (z − μ)/√(σ² + ε) + β instead of z
    const normed = normForward(net, p, l, z, rows, options.training ?? false);
    if (normed?.cache) (pass.normalized ??= net.layers.map(() => null))[l] = normed.cache;
    if (normed?.moments) (pass.moments ??= net.layers.map(() => null))[l] = normed.moments;
    if (normed) (pass.normalizedOutputs ??= net.layers.map(() => null))[l] = normed.y;
    const a = activate(layer, normed ? normed.y : z, rows, layer.units);
    pass.activated.push(a);
    const rate = layer.dropout ?? 0;
    let out = a;
    if (drops && rate > 0) {
      // inverted dropout: the next layer reads a ⊙ factors
      const factors = dropoutFactors(options.dropKey!, l, rate, rows, layer.units);
      pass.dropout!.push({ factors, undropped: a });
      out = a.map((v, i) => v * factors[i]);
    } else pass.dropout?.push(null);
    // residual block: a_l = drop(f(z_l)) + a_{l−1}
    if (layer.residual) {
      const input = pass.acts[l];
      out = out.map((v, i) => v + input[i]);
    }
    pass.acts.push(out);
  });
  return pass;
}

// ── backward ────────────────────────────────────────────────────────────────────────────────────

/**
 * Backward pass: from the forward activations and targets, the gradients of the summed
 * per-sample loss (not yet divided by the batch size, no L2: see {@link averageGradients}).
 * Output delta δ_L = ∂loss/∂z_L; then for each layer, last first, ∂W_l += a_prevᵀ·δ_l,
 * ∂b_l += Σ_batch δ_l and the hidden delta δ_{l−1} = (δ_l·W_lᵀ) ⊙ f'(a_{l−1}); a residual layer l
 * adds its own ∂loss/∂a_l to ∂loss/∂a_{l−1} (networks with residual layers need `options.pass`).
 *
 * @param acts the forward pass's `acts`
 * @param deltas when given, filled with each layer's δ_l (`[rows, units]`)
 * @param options `pass`, the forward pass itself: its dropout and its `zs` (needed by the layers whose
 *   f' is written in terms of z), and per-row loss `weights`
 */
export function backward(
  net: NetSpec, p: Params, acts: ArrayLike<number>[], y: ArrayLike<number>, rows: number, deltas?: Float64Array[],
  options: { pass?: ForwardPass; weights?: ArrayLike<number> | null } = {},
): Gradients {
  const L = net.layers.length;
  const grads: Gradients = {
    weights: p.weights.map((w) => new Float64Array(w.length)),
    biases: p.biases.map((b) => new Float64Array(b.length)),
  };
  if (p.norms) grads.norms = p.norms.map((n) => n && new Float64Array(n.length));
  const pass = options.pass;
  if (!pass && net.layers.some((layer) => layer.residual || layer.norm)) throw new Error('backward of a network with residual or normalized layers needs the forward pass (options.pass)');
  const zs = pass?.zs;
  let delta = outputDelta(net.loss, net.layers[L - 1], acts[L] as Float64Array, y, rows, outputSize(net), options.weights, zs?.[L - 1], net.huberDelta);
  // ∂loss/∂a_l of a residual layer l, which reaches a_{l−1} through the skip as well
  let skipped: Float64Array | null = null;
  for (let l = L - 1; l >= 0; l--) {
    if (deltas) deltas[l] = delta;
    const back = denseBackward(net, p, l, acts[l], delta, rows, grads);
    if (!back) break;
    // ∂loss/∂a_{l−1} = δ_l·W_lᵀ (+ ∂loss/∂a_l when layer l adds its input)
    if (skipped) for (let i = 0; i < back.length; i++) back[i] += skipped[i];
    skipped = net.layers[l - 1].residual ? Float64Array.from(back) : null;
    // δ_{l−1} = ∂loss/∂a_{l−1} ⊙ f'(z_{l−1}) (read from f(z) before dropout and the residual add, or from z), then ⊙ the layer's dropout factors
    const dropped = pass?.dropout?.[l - 1];
    const activationInput = pass?.normalizedOutputs?.[l - 1] ?? zs?.[l - 1];
    delta = activationBackward(net.layers[l - 1], pass ? pass.activated[l - 1] : acts[l], activationInput, back);
    if (dropped) for (let i = 0; i < delta.length; i++) delta[i] *= dropped.factors[i];
    // through the normalization: δ is ∂loss/∂y so far, ∂loss/∂z after
    const below = net.layers[l - 1];
    const cache = pass?.normalized?.[l - 1];
    if (below.norm === 'batch' && !cache) throw new Error(`backward through layer ${l - 1}'s batch norm needs a training forward (options.training)`);
    if (cache) delta = (below.norm === 'batch' ? batchNormBackward : layerNormBackward)(delta, p.norms![l - 1]!, cache, rows, below.units, grads.norms![l - 1]!);
  }
  return grads;
}

// ── update ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Turns {@link backward}'s summed gradients into the gradient of the objective
 * J = (1/m)·Σ loss + λ/(2m)·ΣW² + λ₁/m·Σ|W|, in place: g_W = (∂W + λW + λ₁·sign(W))/m (sign(0) = 0,
 * as PyTorch's `abs` backward), g_b = ∂b/m (γ and β as b: no L2 or L1). Every update (the CPU
 * trainer, `traceStep`, gradient checking) goes through here before its optimizer step.
 *
 * @returns `g`, averaged
 */
export function averageGradients(net: NetSpec, p: Params, g: Gradients, rows: number): Gradients {
  g.weights.forEach((gw, l) => {
    const w = p.weights[l];
    for (let i = 0; i < gw.length; i++) gw[i] = (gw[i] + net.l2 * w[i] + net.l1 * Math.sign(w[i])) / rows;
  });
  for (const gb of [...g.biases, ...(g.norms ?? [])]) {
    if (gb) for (let i = 0; i < gb.length; i++) gb[i] /= rows;
  }
  return g;
}

// ── loss and objective ──────────────────────────────────────────────────────────────────────────

/**
 * Summed loss (each row's times its weight, with `weights`) and correct count of a batch given its
 * output activations; for regression outputs also Σ|y − a| and Σ(y − a)² (unweighted).
 */
export function batchStats(
  net: NetSpec, out: ArrayLike<number>, y: ArrayLike<number>, rows: number, weights?: ArrayLike<number> | null,
): { lossSum: number; correct: number; absErr?: number; sqErr?: number } {
  const k = outputSize(net);
  const a = out instanceof Float64Array ? out : Float64Array.from(out);
  const stats = { lossSum: lossSum(net.loss, a, y, rows, k, weights, net.huberDelta), correct: correctCount(a, y, rows, k) };
  return isRegressionOutput(net) ? { ...stats, ...errorSums(a, y, rows * k) } : stats;
}

/** The objective J = (1/m)·Σ loss + λ/(2m)·ΣW² + λ₁/m·Σ|W| of a batch, given its output activations `out`. */
export function objective(net: NetSpec, p: Params, out: ArrayLike<number>, y: ArrayLike<number>, rows: number): number {
  const a = out instanceof Float64Array ? out : Float64Array.from(out);
  return lossSum(net.loss, a, y, rows, outputSize(net), null, net.huberDelta) / rows + weightPenalty(net, p, rows);
}

/**
 * The objective J = (1/m)·Σ loss + λ/(2m)·ΣW² + λ₁/m·Σ|W| and its gradient (averaged, with L2 and L1), for a whole
 * batch. Used by gradient checking and the tests; training uses the same pieces step by step.
 */
export function lossAndGradients(net: NetSpec, p: Params, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): { loss: number; grads: Gradients } {
  const pass = forward(net, p, x, rows, { training: true });
  const loss = objective(net, p, pass.acts[pass.acts.length - 1], y, rows);
  const grads = averageGradients(net, p, backward(net, p, pass.acts, y, rows, undefined, { pass }), rows);
  return { loss, grads };
}
