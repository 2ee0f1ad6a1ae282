import { USAGE } from './usage';
import { fanIn, outputSize } from '../config';
import type { GpuContext } from './context';
import type { DeviceMatrix } from './dataset';
import type { Dispatch } from './launches';
import { checkFits } from './limits';
import type { DeviceParameters } from './parameters';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Scratch for batches of up to `rows` rows: the gathered batch and every layer's activations and deltas. */
export interface Workspace {
  rows: number;
  xb: GPUBuffer;
  yb: GPUBuffer;
  acts: GPUBuffer[];
  deltas: GPUBuffer[];
  rowStats: GPUBuffer;
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
  for (const b of [ws.xb, ws.yb, ws.rowStats, ...ws.acts, ...ws.deltas]) ctx.buffers.destroy(b);
}

/** Where a forward pass reads its rows from and what it records. */
export interface ForwardSources {
  X: DeviceMatrix;
  /** Targets: with them the pass computes the loss (and, when training, the output delta). */
  Y: DeviceMatrix | null;
  order: GPUBuffer;
  /** Per-batch [loss, correct] sums (with `Y`). */
  stats: GPUBuffer | null;
  /** Training: write the output delta and latch the divergence flag. */
  train: boolean;
}

/** gather → forward (z = a_prev·W + b, a = f(z)) → loss and output delta → batch stats. */
export function forwardLaunches(ctx: GpuContext, state: DeviceParameters, ws: Workspace, src: ForwardSources): Dispatch[] {
  const { net, launches: k } = ctx;
  const L = net.layers.length;
  const out: Dispatch[] = [k.gather({ order: src.order, srcs: src.X.buffers, shardRows: src.X.shardRows, dst: ws.xb, cols: net.inputSize, rows: ws.rows, label: 'gather x' })];
  if (src.Y) out.push(k.gather({ order: src.order, srcs: src.Y.buffers, shardRows: src.Y.shardRows, dst: ws.yb, cols: outputSize(net), rows: ws.rows, label: 'gather y' }));
  net.layers.forEach((layer, l) => {
    out.push(
      k.matmul({
        a: l === 0 ? ws.xb : ws.acts[l - 1], b: state.W[l], c: ws.acts[l],
        M: ws.rows, N: layer.units, K: fanIn(net, l), batchRows: 'm',
        epilogue: 'biasActivation', activation: layer.activation, bias: net.useBias ? state.B[l] : null,
        label: `forward ${l}`,
      }),
    );
    if (layer.activation === 'softmax') out.push(k.softmax({ z: ws.acts[l], cols: layer.units, rows: ws.rows }));
  });
  if (src.Y && src.stats) {
    out.push(
      k.loss({
        a: ws.acts[L - 1], y: ws.yb, delta: src.train ? ws.deltas[L - 1] : null, rowStats: ws.rowStats, cols: outputSize(net), rows: ws.rows,
        loss: net.loss, activation: net.layers[L - 1].activation, writeDelta: src.train,
      }),
    );
    out.push(k.batchStats({ rowStats: ws.rowStats, stats: src.stats, flags: src.train ? state.flags : null }));
  }
  return out;
}

/** ∂W, ∂b and the hidden deltas, from the output delta down. */
export function backwardLaunches(ctx: GpuContext, state: DeviceParameters, ws: Workspace): Dispatch[] {
  const { net, launches: k } = ctx;
  const out: Dispatch[] = [];
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const units = net.layers[l].units;
    const fin = fanIn(net, l);
    const aPrev = l === 0 ? ws.xb : ws.acts[l - 1];
    // ∂W_l = a_prevᵀ · δ_l
    out.push(k.matmul({ a: aPrev, b: ws.deltas[l], c: state.gW[l], M: fin, N: units, K: ws.rows, batchRows: 'k', transA: true, label: `dW ${l}` }));
    // ∂b_l = Σ_batch δ_l
    if (net.useBias && !net.freezeBias) out.push(k.columnSums({ src: ws.deltas[l], dst: state.gB[l], cols: units }));
    // δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'(a_{l−1})
    if (l > 0) {
      out.push(
        k.matmul({
          a: ws.deltas[l], b: state.W[l], c: ws.deltas[l - 1], M: ws.rows, N: fin, K: units, batchRows: 'm',
          transB: true, epilogue: 'activationDerivative', activation: net.layers[l - 1].activation, aux: ws.acts[l - 1], label: `delta ${l - 1}`,
        }),
      );
    }
  }
  return out;
}
