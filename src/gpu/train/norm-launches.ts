// The launches of a layer with `norm: 'layer'` (norm.wgsl) or `norm: 'batch'` (batch-norm.wgsl),
// beside the step's others (step.ts): its product writes z into the layer's x̂ buffer, which the
// forward normalizes in place.
import { USAGE } from '../usage';
import { activationAlpha } from '../../core/activation-spec';
import type { NetSpec } from '../../core/config';
import type { BufferManager } from '../buffers';
import type { LaunchBuilder } from '../kernels/launch-builder';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** What these launches take of step.ts's `StepBuild` (declared here: step.ts imports this file). */
interface StepBuild<D> {
  readonly net: NetSpec;
  readonly buffers: BufferManager;
  readonly launches: LaunchBuilder<D>;
}

/** What they take of step.ts's `Workspace`: its rows, activations and deltas, and the norm buffers they make. */
interface Workspace {
  rows: number;
  acts: GPUBuffer[];
  deltas: GPUBuffer[];
  normalized?: (GPUBuffer | undefined)[];
  invStd?: (GPUBuffer | undefined)[];
}

/**
 * Layer `l`'s x̂ buffer (allocated on first use, as big as its activations): where its product
 * writes z, and the forward leaves x̂ for the backward; undefined for a layer without norm.
 *
 * @example
 * const c = normalizedBuffer(ctx, ws, l) ?? ws.acts[l]; // the product's output
 */
export function normalizedBuffer<D>(ctx: StepBuild<D>, ws: Workspace, l: number): GPUBuffer | undefined {
  const layer = ctx.net.layers[l];
  if (!layer.norm) return undefined;
  // 1/σ: one a row for layer norm, one a unit for batch norm
  (ws.invStd ??= [])[l] ??= ctx.buffers.create(`norm${l} 1/σ`, (layer.norm === 'batch' ? layer.units : ws.rows) * 4, STORAGE);
  return ((ws.normalized ??= [])[l] ??= ctx.buffers.create(`norm${l} x̂`, ws.rows * layer.units * 4, STORAGE));
}

/**
 * The forward of layer `l`'s norm after its product: x̂ and 1/σ, then a = f(γ ⊙ x̂ + β) into its
 * activations, and y = γ ⊙ x̂ + β into `pre` (the layer's z buffer) when its f' reads its input.
 * Batch norm normalizes with the batch's moments when `train`, else with the running estimates.
 *
 * @example
 * out.push(normForward(ctx, state, ws, l, ws.zs?.[l] ?? null, true));
 */
export function normForward<D>(ctx: StepBuild<D>, state: DeviceParameters, ws: Workspace, l: number, pre: GPUBuffer | null, train: boolean): D {
  const layer = ctx.net.layers[l];
  if (layer.norm === 'batch') {
    const shared = { xhat: normalizedBuffer(ctx, ws, l)!, gammaBeta: state.N[l]!, dst: ws.acts[l], cols: layer.units, layer: l, eps: layer.normEpsilon!, momentum: layer.normMomentum!, activation: layer.activation, alpha: activationAlpha(layer) };
    const running = state.running;
    if (!train) return ctx.launches.batchNorm({ op: 'infer', ...shared, stats: running.stats[l]! });
    return ctx.launches.batchNorm({ op: 'forward', ...shared, invStd: ws.invStd![l]!, moments: running.moments[l]!, pre });
  }
  return ctx.launches.norm({
    op: 'forward', xhat: normalizedBuffer(ctx, ws, l)!, invStd: ws.invStd![l]!, gammaBeta: state.N[l]!, dst: ws.acts[l], pre,
    cols: layer.units, rows: ws.rows, layer: l, eps: layer.normEpsilon!, activation: layer.activation, alpha: activationAlpha(layer),
  });
}

/**
 * The backward through layer `l`'s norm, once its delta holds ∂loss/∂y (after f' and dropout):
 * ∂γ and ∂β into its gradient, then the delta turned into ∂loss/∂z in place.
 *
 * @example
 * if (net.layers[l - 1].norm) out.push(...normBackward(ctx, state, ws, l - 1));
 */
export function normBackward<D>(ctx: StepBuild<D>, state: DeviceParameters, ws: Workspace, l: number): D[] {
  const layer = ctx.net.layers[l];
  if (layer.norm === 'batch') {
    return [ctx.launches.batchNorm({ op: 'backward', xhat: ws.normalized![l]!, invStd: ws.invStd![l]!, gammaBeta: state.N[l]!, delta: ws.deltas[l], grads: state.gN[l]!, cols: layer.units, layer: l, eps: layer.normEpsilon!, momentum: layer.normMomentum! })];
  }
  const shared = { xhat: ws.normalized![l]!, invStd: ws.invStd![l]!, gammaBeta: state.N[l]!, cols: layer.units, rows: ws.rows, layer: l, eps: layer.normEpsilon!, delta: ws.deltas[l] };
  return [ctx.launches.norm({ op: 'paramGrads', ...shared, grads: state.gN[l]! }), ctx.launches.norm({ op: 'backward', ...shared })];
}
