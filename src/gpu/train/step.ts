import { USAGE } from '../usage';
import { type NetSpec, fanIn, outputSize } from '../../core/config';
import type { BufferManager } from '../buffers';
import type { GpuContext } from '../context';
import type { DeviceMatrix } from '../kernels/device-matrix';
import type { LaunchBuilder } from '../kernels/launch-builder';
import { checkFits } from '../limits';
import type { DeviceParameters } from './parameters';
import { dropoutThreshold } from '../../core/dropout-mask';
import { activationAlpha, keepsPreActivation } from '../../core/activation-spec';
import { normBackward, normForward, normalizedBuffer } from './norm-launches';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Scratch for batches of up to `rows` rows: the gathered batch and every layer's activations and deltas. */
export interface Workspace {
  rows: number;
  xb: GPUBuffer;
  yb: GPUBuffer;
  acts: GPUBuffer[];
  deltas: GPUBuffer[];
  rowStats: GPUBuffer;
  /** Training scratch, allocated when a step needs it: the batch's sample weights, */
  wb?: GPUBuffer;
  /** per-row [Σ|y − a|, Σ(y − a)²] (regression metrics), */
  rowMetrics?: GPUBuffer;
  /** each dropout layer's output after dropout (what the next layer reads), */
  dropped?: (GPUBuffer | undefined)[];
  /**
   * each residual layer's output after the add (what the next layer reads); in the backward
   * pass, once the next layer's ∂W is taken, ∂loss/∂ of it;
   */
  sums?: (GPUBuffer | undefined)[];
  /**
   * the z of each layer whose f' reads it (`keepsPreActivation`), as big as its activations (for a
   * layer with norm: y = γ ⊙ x̂ + β, its activation's input);
   */
  zs?: (GPUBuffer | undefined)[];
  /** and for each layer with norm, x̂ (its product's z before the norm) and 1/σ per row. */
  normalized?: (GPUBuffer | undefined)[];
  invStd?: (GPUBuffer | undefined)[];
}

/** Allocates a workspace for batches of up to `rows` rows (limits checked first). */
export function createWorkspace(ctx: GpuContext, rows: number, label: string): Workspace {
  const { net, buffers, device, maxBindingBytes } = ctx;
  checkFits(device, `${label} activations of layer`, net.layers.map((l) => rows * l.units), maxBindingBytes);
  checkFits(device, `${label} input batch`, [rows * net.inputSize], maxBindingBytes);
  return {
    rows,
    xb: buffers.create(`${label} x batch`, rows * net.inputSize * 4, STORAGE),
    yb: buffers.create(`${label} y batch`, rows * outputSize(net) * 4, STORAGE),
    acts: net.layers.map((l, i) => buffers.create(`${label} a${i}`, rows * l.units * 4, STORAGE)),
    deltas: net.layers.map((l, i) => buffers.create(`${label} delta${i}`, rows * l.units * 4, STORAGE)),
    rowStats: buffers.create(`${label} row stats`, rows * 8, STORAGE),
  };
}

/** Frees a workspace's buffers. */
export function releaseWorkspace(ctx: GpuContext, ws: Workspace): void {
  for (const b of [ws.xb, ws.yb, ws.rowStats, ...ws.acts, ...ws.deltas, ws.wb, ws.rowMetrics, ...(ws.dropped ?? []), ...(ws.sums ?? []), ...(ws.zs ?? []), ...(ws.normalized ?? []), ...(ws.invStd ?? [])]) if (b) ctx.buffers.destroy(b);
}

/**
 * What building a step's launches takes: the network, the buffers its lazily made scratch comes
 * from, and a launch builder (a GpuContext's launches, or a recorder that only notes them).
 */
export interface StepBuild<D> {
  readonly net: NetSpec;
  readonly buffers: BufferManager;
  readonly launches: LaunchBuilder<D>;
}

/** Layer `l`'s drop probability while training (0 for layers without dropout). */
const dropRate = (net: NetSpec, l: number): number => net.layers[l].dropout ?? 0;

/** What layer `l + 1` reads: layer `l`'s output after dropout when it drops units and after the add when it is residual, else its output. */
const layerOutput = (ws: Workspace, l: number): GPUBuffer => ws.sums?.[l] ?? ws.dropped?.[l] ?? ws.acts[l];

/** Whether δ_{l−1} is taken next to a residual layer (the product alone, then the skip and f' element-wise). */
const skips = (net: NetSpec, l: number): boolean => l > 0 && !!(net.layers[l].residual || net.layers[l - 1].residual);

/** Where a forward pass reads its rows from and what it records. */
export interface ForwardSources {
  X: DeviceMatrix;
  /** Targets: with them the pass computes the loss (and, when training, the output delta). */
  Y: DeviceMatrix | null;
  order: GPUBuffer;
  /** Per-batch [loss, correct] sums (with `Y`). */
  stats: GPUBuffer | null;
  /** Training: write the output delta, latch the divergence flag and apply dropout. */
  train: boolean;
  /** One weight per row of `X` (class and sample weights), multiplying each row's loss and delta. */
  weights?: DeviceMatrix | null;
  /** Per-batch [Σ|y − o|, Σ(y − o)²] sums (regression metrics), pairs at the batch's index. */
  metrics?: GPUBuffer | null;
}

/**
 * gather → forward (z = a_prev·W + b, a = f(z)) → loss and output delta → batch stats.
 *
 * @example
 * const launches = forwardLaunches(ctx, state, ws, { X, Y: null, order, stats: null, train: false });
 */
export function forwardLaunches<D extends { label: string }>(ctx: StepBuild<D>, state: DeviceParameters, ws: Workspace, src: ForwardSources): D[] {
  const { net, launches: k, buffers } = ctx;
  const L = net.layers.length;
  const out: D[] = k.gather({ order: src.order, src: src.X, dst: ws.xb, cols: net.inputSize, rows: ws.rows, label: 'gather x' });
  if (src.Y) out.push(...k.gather({ order: src.order, src: src.Y, dst: ws.yb, cols: outputSize(net), rows: ws.rows, label: 'gather y' }));
  if (src.weights) {
    ws.wb ??= buffers.create('sample weights batch', ws.rows * 4, STORAGE);
    out.push(...k.gather({ order: src.order, src: src.weights, dst: ws.wb, cols: 1, rows: ws.rows, label: 'gather weights' }));
  }
  net.layers.forEach((layer, l) => {
    // training a layer whose f' reads z: the product writes z, a pass of its own applies f
    const z = src.train && keepsPreActivation(layer) ? ((ws.zs ??= [])[l] ??= buffers.create(`z${l}`, ws.rows * layer.units * 4, STORAGE)) : null;
    const alpha = activationAlpha(layer);
    // a layer with norm: the product writes z with its bias only, norm.wgsl normalizes and applies f
    const xhat = normalizedBuffer(ctx, ws, l);
    const linear = !!(z ?? xhat);
    out.push(
      k.matmul({
        a: l === 0 ? ws.xb : layerOutput(ws, l - 1), b: state.W[l], c: xhat ?? z ?? ws.acts[l],
        M: ws.rows, N: layer.units, K: fanIn(net, l), batchRows: 'm',
        epilogue: 'biasActivation', activation: linear ? 'linear' : layer.activation, alpha: linear ? 0 : alpha, bias: net.useBias ? state.B[l] : null,
        label: `forward ${l}`,
      }),
    );
    if (xhat) out.push(normForward(ctx, state, ws, l, z, src.train));
    else if (z) out.push(k.activate({ direction: 'forward', src: z, dst: ws.acts[l], cols: layer.units, rows: ws.rows, activation: layer.activation, alpha, label: `activate ${l}` }));
    if (layer.activation === 'softmax') out.push(k.softmax({ z: ws.acts[l], cols: layer.units, rows: ws.rows }));
    const p = dropRate(net, l);
    const drops = src.train && p > 0;
    if (drops) {
      ws.dropped ??= [];
      const dst = (ws.dropped[l] ??= buffers.create(`dropped a${l}`, ws.rows * layer.units * 4, STORAGE));
      out.push(k.dropout({ direction: 'forward', src: ws.acts[l], dst, cols: layer.units, rows: ws.rows, layer: l, threshold: dropoutThreshold(p), scale: 1 / (1 - p) }));
    }
    // residual block: a_l = drop(f(z_l)) + a_{l−1} (the input read before this layer's sum exists)
    if (layer.residual) {
      const input = l === 0 ? ws.xb : layerOutput(ws, l - 1);
      ws.sums ??= [];
      const dst = (ws.sums[l] ??= buffers.create(`residual a${l}`, ws.rows * layer.units * 4, STORAGE));
      out.push(k.residual({ op: 'sum', src: drops ? ws.dropped![l]! : ws.acts[l], other: input, dst, cols: layer.units, rows: ws.rows, layer: l }));
    }
  });
  if (src.Y && src.stats) {
    const output = net.layers[L - 1];
    const outZ = src.train ? ws.zs?.[L - 1] : undefined;
    if (src.metrics) ws.rowMetrics ??= buffers.create('row metrics', ws.rows * 8, STORAGE);
    out.push(
      k.loss({
        a: ws.acts[L - 1], y: ws.yb, delta: src.train ? ws.deltas[L - 1] : null, rowStats: ws.rowStats, cols: outputSize(net), rows: ws.rows,
        // an output whose f' reads z: the loss writes ∂loss/∂a, the activation pass multiplies by f'(z)
        loss: net.loss, huberDelta: net.huberDelta, activation: outZ ? 'linear' : output.activation, alpha: activationAlpha(output), writeDelta: src.train,
        sampleWeights: src.weights ? ws.wb : null, rowMetrics: src.metrics ? ws.rowMetrics : null,
      }),
    );
    if (outZ) {
      out.push(k.activate({ direction: 'backward', src: outZ, dst: ws.deltas[L - 1], cols: output.units, rows: ws.rows, activation: output.activation, alpha: activationAlpha(output), label: `activate backward ${L - 1}` }));
    }
    out.push(k.batchStats({ rowStats: ws.rowStats, stats: src.stats, flags: src.train ? state.flags : null }));
    if (src.metrics) out.push({ ...k.batchStats({ rowStats: ws.rowMetrics!, stats: src.metrics, flags: null }), label: 'batch metrics' });
  }
  return out;
}

/**
 * ∂W, ∂b and the hidden deltas, from the output delta down (no update).
 *
 * @example
 * const step = [...forwardLaunches(ctx, state, ws, sources), ...backwardLaunches(ctx, state, ws)];
 */
export function backwardLaunches<D>(ctx: StepBuild<D>, state: DeviceParameters, ws: Workspace): D[] {
  const { net, launches: k } = ctx;
  const out: D[] = [];
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const units = net.layers[l].units;
    const fin = fanIn(net, l);
    const aPrev = l === 0 ? ws.xb : layerOutput(ws, l - 1);
    // ∂W_l = a_prevᵀ · δ_l
    out.push(k.matmul({ a: aPrev, b: ws.deltas[l], c: state.gW[l], M: fin, N: units, K: ws.rows, batchRows: 'k', transA: true, label: `dW ${l}` }));
    // ∂b_l = Σ_batch δ_l; under batch norm exactly 0 (the batch's mean removes b), so left at the
    // zero it was created with: float32's rounding of that sum is ~1e-8, which Adam, whose step is
    // about η whatever the gradient's size, would turn into a drift of b the CPU path does not have
    if (net.useBias && !net.freezeBias && net.layers[l].norm !== 'batch') out.push(k.columnSums({ src: ws.deltas[l], dst: state.gB[l], cols: units }));
    if (skips(net, l)) out.push(...skipLaunches(ctx, state, ws, l));
    // δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'(a_{l−1}), or f'(z_{l−1}) for the layers that keep z
    else if (l > 0) {
      const below = net.layers[l - 1];
      out.push(
        k.matmul({
          a: ws.deltas[l], b: state.W[l], c: ws.deltas[l - 1], M: ws.rows, N: fin, K: units, batchRows: 'm',
          transB: true, epilogue: 'activationDerivative', activation: below.activation, alpha: activationAlpha(below),
          aux: ws.zs?.[l - 1] ?? ws.acts[l - 1], label: `delta ${l - 1}`,
        }),
      );
    }
    // δ_{l−1} ⊙= the dropout factors of layer l − 1 (f' above used its output before dropout)
    const p = l > 0 ? dropRate(net, l - 1) : 0;
    if (p > 0 && ws.dropped?.[l - 1]) {
      out.push(k.dropout({ direction: 'backward', dst: ws.deltas[l - 1], cols: fin, rows: ws.rows, layer: l - 1, threshold: dropoutThreshold(p), scale: 1 / (1 - p) }));
    }
    // through layer l − 1's norm: δ_{l−1} is ∂loss/∂y so far, ∂loss/∂z after (as src/cpu/network.ts)
    if (l > 0 && net.layers[l - 1].norm) out.push(...normBackward(ctx, state, ws, l - 1));
  }
  return out;
}

/**
 * δ_{l−1} next to a residual layer: g = δ_l·W_lᵀ (+ layer l's own ∂loss/∂a_l when it is residual),
 * kept in layer l − 1's sum buffer when that one is residual; then δ_{l−1} = g ⊙ f'(a_{l−1}).
 */
function skipLaunches<D>(ctx: StepBuild<D>, state: DeviceParameters, ws: Workspace, l: number): D[] {
  const { net, launches: k } = ctx;
  const [below, layer] = [net.layers[l - 1], net.layers[l]];
  const g = below.residual ? ws.sums![l - 1]! : ws.deltas[l - 1];
  const shape = { cols: below.units, rows: ws.rows, layer: l - 1 };
  const out = [k.matmul({ a: ws.deltas[l], b: state.W[l], c: g, M: ws.rows, N: below.units, K: layer.units, batchRows: 'm', transB: true, label: `delta ${l - 1} before f'` })];
  if (layer.residual) out.push(k.residual({ op: 'accumulate', src: ws.sums![l]!, dst: g, ...shape }));
  // f' read from z for the layers that keep it, else from f(z) before dropout and the add
  const derivative = { op: 'derivative', aux: ws.zs?.[l - 1] ?? ws.acts[l - 1], dst: ws.deltas[l - 1], activation: below.activation, alpha: activationAlpha(below), ...shape } as const;
  out.push(k.residual(below.residual ? { ...derivative, src: g } : derivative));
  return out;
}
