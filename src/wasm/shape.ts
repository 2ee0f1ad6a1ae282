/**
 * A network's parameters as the wasm backend lays them out: one flat float32 region per parameter
 * set, layer by layer W_l then b_l, then the normalized layers' γ_l then β_l, each segment padded to a whole number of 4-float vectors with
 * zeros that no kernel writes (so the optimizer runs whole vectors, and the padding stays 0 and
 * finite under every optimizer). Gradients and each optimizer slot use the same layout.
 */
import { keepsPreActivation } from '../core/activation-spec';
import { type NetSpec, fanIn } from '../core/config';
import { matmulScratchBytes } from './kernels/matmul';
import { partScratchBytes, syncBytes } from './threads/partition';

/** What a segment holds: weights, biases, a normalized layer's γ then β, or a batch-normalized layer's running mean then variance (`[2 · units]` each). */
export type SegmentKind = 'weights' | 'biases' | 'norms' | 'stats';

/** One padded segment of the parameter region. */
export interface Segment {
  /** Layer, and whether the segment is its weights, its biases or its norm's γ then β. */
  layer: number;
  kind: SegmentKind;
  /** Float offset of the segment within the region, its real length and its padded length. */
  at: number;
  length: number;
  padded: number;
}

/** What the memory plan and the kernels need to know about a network. */
export interface NetShape {
  net: NetSpec;
  /** Layer widths, the input first. */
  widths: number[];
  segments: Segment[];
  /** Floats of one parameter region (all segments, padded). */
  paramFloats: number;
  /** Widest layer (units): the width of the delta buffers. */
  widest: number;
  /** Scratch bytes of the widest matrix product (or of every thread's share of one, when more). */
  scratchBytes: number;
  /** Threads the module splits its products across (1: none), and bytes of their sync block after the control block. */
  threads: number;
  syncBytes: number;
  /** Layers that drop units while training. */
  dropout: boolean[];
  /** Layers whose f' reads z, kept from the forward pass (`keepsPreActivation`). */
  keepsZ: boolean[];
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * The layout of `net`'s parameters, for a module whose products run on `threads` threads.
 *
 * @example
 * netShape(net).segments[0]; // { layer: 0, kind: 'weights', at: 0, length: 784 * 128, padded: 100352 }
 */
export function netShape(net: NetSpec, threads = 1): NetShape {
  const segments: Segment[] = [];
  let at = 0;
  net.layers.forEach((layer, l) => {
    for (const [kind, length] of [['weights', fanIn(net, l) * layer.units], ['biases', layer.units]] as const) {
      segments.push({ layer: l, kind, at, length, padded: pad4(length) });
      at += pad4(length);
    }
  });
  // after every W and b, so that segmentOf finds those at 2l and 2l + 1
  net.layers.forEach((layer, l) => {
    if (!layer.norm) return;
    segments.push({ layer: l, kind: 'norms', at, length: 2 * layer.units, padded: pad4(2 * layer.units) });
    at += pad4(2 * layer.units);
  });
  // the running estimates ride in the parameter sets (so the best copy and the rollback carry them), but no optimizer touches them
  net.layers.forEach((layer, l) => {
    if (layer.norm !== 'batch') return;
    segments.push({ layer: l, kind: 'stats', at, length: 2 * layer.units, padded: pad4(2 * layer.units) });
    at += pad4(2 * layer.units);
  });
  const widths = [net.inputSize, ...net.layers.map((l) => l.units)];
  return {
    net, widths, segments, paramFloats: at,
    widest: Math.max(...net.layers.map((l) => l.units)),
    scratchBytes: Math.max(matmulScratchBytes({ N: Math.max(...widths) }), threads > 1 ? threads * partScratchBytes(widths.slice(1), threads) : 0),
    threads,
    syncBytes: syncBytes(threads),
    dropout: net.layers.map((l) => (l.dropout ?? 0) > 0),
    keepsZ: net.layers.map(keepsPreActivation),
  };
}

/** Segment of layer `l`'s weights, biases, γ/β (a normalized layer's) or running mean and variance (a batch-normalized layer's). */
export function segmentOf(shape: NetShape, l: number, kind: SegmentKind): Segment {
  if (kind === 'weights' || kind === 'biases') return shape.segments[2 * l + (kind === 'weights' ? 0 : 1)];
  const s = shape.segments.find((g) => g.kind === kind && g.layer === l);
  if (!s) throw new RangeError(`layer ${l} has no ${kind === 'norms' ? 'norm: no γ/β' : "norm 'batch': no running-estimates"} segment in the wasm parameter region`);
  return s;
}

/** A key naming everything the generated module depends on: two networks with the same key share one compiled module. */
export function shapeKey(net: NetSpec): string {
  return JSON.stringify([net.inputSize, net.layers.map((l) => [l.units, l.activation, l.alpha ?? null, l.dropout ?? 0, l.residual ?? false, l.norm ?? null, l.normEpsilon ?? null, l.normMomentum ?? null]), net.loss, net.useBias, net.freezeBias, net.l2, net.l1, net.huberDelta ?? 0]);
}
