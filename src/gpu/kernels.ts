import { USAGE } from './usage';
import type { Activation, LossName } from '../types';
import type { ResolvedOptimizer } from '../config';
import type { BufferManager } from './buffers';
import { describeInfo } from './device';
import { PipelineCache } from './pipelines';
import { ACTIVATION_CODE, LOSS_CODE, OPTIMIZER_CODE, SHADERS, type ShaderDef } from './shaders';

/** One recorded kernel launch: replayed for every batch with that batch's uniform offset. */
export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
  /** The launch's own small uniform (sizes); freed with {@link Kernels.release}. */
  uniform: GPUBuffer;
}

/** Matmul tile edge (outputs per workgroup side) of matmul.wgsl's `main`. */
export const MATMUL_TILE = 64;
/** Outputs per thread side in matmul.wgsl's `blocked` entry point. */
export const MATMUL_BLOCK = 8;

/**
 * Which matmul entry point to use: `tiled` (workgroup-memory tiles, for GPUs) or `blocked`
 * (register blocks, no workgroup memory or barriers, for software adapters that run invocations
 * on CPU cores).
 */
export type MatmulStyle = 'tiled' | 'blocked';

/** The matmul style for `device`: `blocked` on software adapters, else `tiled`. */
export function matmulStyleFor(device: GPUDevice): MatmulStyle {
  return describeInfo((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo).software ? 'blocked' : 'tiled';
}

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Splits `items` over workgroups of `size` threads, using a second dimension past 65 535. */
export function grid1d(items: number, size = 256): [number, number] {
  const groups = Math.max(1, Math.ceil(items / size));
  return groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)];
}

const u32s = (...v: number[]) => new Uint32Array(v).buffer;

/**
 * Builds kernel launches (pipeline + bind group + grid) over given buffers. Everything here is
 * created once when a training or evaluation program is set up, never inside the batch loop.
 *
 * @example
 * const k = new Kernels(device, buffers);
 * const d = k.matmul({ a, b, c, M: 9, N: 9, K: 9 });
 * k.encode(pass, [d], batchGroup, 0);
 */
export class Kernels {
  readonly cache: PipelineCache;
  private readonly dummyRead: GPUBuffer;
  private readonly dummyWrite: GPUBuffer[];

  /** The matmul entry point in use (see {@link MatmulStyle}). */
  readonly matmulStyle: MatmulStyle;

  constructor(readonly device: GPUDevice, private readonly buffers: BufferManager, options: { matmulStyle?: MatmulStyle } = {}) {
    this.cache = PipelineCache.for(device);
    this.matmulStyle = options.matmulStyle ?? matmulStyleFor(device);
    this.dummyRead = buffers.create('unused read binding', 16, USAGE.STORAGE);
    this.dummyWrite = [0, 1].map((i) => buffers.create(`unused write binding ${i}`, 16, USAGE.STORAGE));
  }

  private make(label: string, def: ShaderDef, entry: string, constants: Record<string, number | boolean>, params: ArrayBuffer, resources: (GPUBuffer | null)[], workgroups: [number, number]): Dispatch {
    const pipeline = this.cache.get(def, entry, constants);
    const uniform = this.buffers.uniform(`${label} params`, params);
    let w = 0;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform } }];
    def.slots.slice(1).forEach((slot, i) => {
      const buffer = resources[i] ?? (slot === 'write' ? this.dummyWrite[w++] : this.dummyRead);
      entries.push({ binding: i + 1, resource: { buffer } });
    });
    const bindGroup = this.device.createBindGroup({ label, layout: this.cache.layout(def), entries });
    return { label, pipeline, bindGroup, workgroups, uniform };
  }

  /**
   * C = op(A)·op(B) with an optional epilogue (see matmul.wgsl). `batchDim` says which size is the
   * batch's row count at run time (1: M, 2: K); M, N, K are then the maxima used for the grid.
   */
  matmul(o: {
    a: GPUBuffer; b: GPUBuffer; c: GPUBuffer; M: number; N: number; K: number;
    batchDim?: 0 | 1 | 2; transA?: boolean; transB?: boolean; epilogue?: 0 | 1 | 2;
    activation?: Activation; bias?: GPUBuffer | null; aux?: GPUBuffer | null; label?: string;
  }): Dispatch {
    const act = o.activation === 'softmax' ? 0 : ACTIVATION_CODE[o.activation ?? 'linear'];
    const constants: Record<string, number | boolean> = { TRANS_A: !!o.transA, TRANS_B: !!o.transB, EPILOGUE: o.epilogue ?? 0, ACTIVATION: act, HAS_BIAS: !!o.bias };
    let entry = 'main';
    let workgroups: [number, number] = [Math.ceil(o.N / MATMUL_TILE), Math.ceil(o.M / MATMUL_TILE)];
    if (this.matmulStyle === 'blocked') {
      // up to 64 threads, no wider or taller than the blocks of C there are
      const wx = Math.min(8, pow2AtLeast(Math.ceil(o.N / MATMUL_BLOCK)));
      const wy = Math.min(64 / wx, pow2AtLeast(Math.ceil(o.M / MATMUL_BLOCK)));
      entry = 'blocked';
      constants.WG_X = wx;
      constants.WG_Y = wy;
      workgroups = [Math.ceil(o.N / (MATMUL_BLOCK * wx)), Math.ceil(o.M / (MATMUL_BLOCK * wy))];
    }
    return this.make(o.label ?? `matmul ${o.M}x${o.N}x${o.K}`, SHADERS.matmul, entry, constants, u32s(o.M, o.N, o.K, o.batchDim ?? 0), [o.a, o.b, o.c, o.bias ?? null, o.aux ?? null], workgroups);
  }

  /**
   * dst[r, :] = X[order[start + r], :] for the batch's rows, X split by rows over `srcs`
   * (at most 4 buffers of `shardRows` rows each).
   */
  gather(o: { order: GPUBuffer; srcs: GPUBuffer[]; shardRows: number; dst: GPUBuffer; cols: number; rows: number; label?: string }): Dispatch {
    if (o.srcs.length < 1 || o.srcs.length > 4) throw new RangeError(`gather takes 1 to 4 source shards, got ${o.srcs.length}`);
    const srcs = [0, 1, 2, 3].map((i) => o.srcs[i] ?? null);
    return this.make(o.label ?? 'gather', SHADERS.gather, 'main', {}, u32s(o.cols, o.shardRows, 0, 0), [o.order, o.dst, ...srcs], grid1d(o.rows * o.cols));
  }

  /** Row-wise softmax in place. */
  softmax(o: { z: GPUBuffer; cols: number; rows: number }): Dispatch {
    return this.make('softmax', SHADERS.softmax, 'main', {}, u32s(o.cols, 0, 0, 0), [o.z], grid1d(o.rows, 64));
  }

  /** Output delta (when `writeDelta`) and per-row [loss, correct]. */
  loss(o: { a: GPUBuffer; y: GPUBuffer; delta: GPUBuffer | null; rowStats: GPUBuffer; cols: number; rows: number; loss: LossName; activation: Activation; writeDelta: boolean }): Dispatch {
    return this.make(
      `loss ${o.loss}`,
      SHADERS.loss,
      'main',
      { LOSS: LOSS_CODE[o.loss], ACTIVATION: ACTIVATION_CODE[o.activation], WRITE_DELTA: o.writeDelta },
      u32s(o.cols, 0, 0, 0),
      [o.a, o.y, o.delta, o.rowStats],
      grid1d(o.rows, 64),
    );
  }

  /** dst[j] = Σ_r src[r, j] over the batch's rows (bias gradient). */
  columnSums(o: { src: GPUBuffer; dst: GPUBuffer; cols: number }): Dispatch {
    return this.make('column sums', SHADERS.reduce, 'column_sums', {}, u32s(o.cols, 0, 0, 0), [o.src, o.dst], grid1d(o.cols, 64));
  }

  /**
   * stats[batch.index] = Σ_r rowStats[r] (loss, correct); sets flags[0] when the loss is not finite.
   * One workgroup of up to 256 threads, no more than the batch's rows (`rows`, by default what
   * `rowStats` holds: one [loss, correct] pair per row).
   */
  batchStats(o: { rowStats: GPUBuffer; stats: GPUBuffer; flags: GPUBuffer | null; rows?: number }): Dispatch {
    const rows = o.rows ?? Math.floor(o.rowStats.size / 8);
    const threads = Math.min(256, pow2AtLeast(rows));
    return this.make('batch stats', SHADERS.reduce, 'batch_stats', { STATS_THREADS: threads }, u32s(0, 0, 0, 0), [o.rowStats, o.stats, o.flags], [1, 1]);
  }

  /**
   * One optimizer step over `count` parameters. The state before the step is saved into `prev`
   * ([θ | s1 | s2]); nothing runs while `flags[0]` is set.
   */
  optimizer(o: { theta: GPUBuffer; grad: GPUBuffer; s1: GPUBuffer | null; s2: GPUBuffer | null; prev: GPUBuffer; flags: GPUBuffer; count: number; l2: number; opt: ResolvedOptimizer; label?: string }): Dispatch {
    const p = new ArrayBuffer(32);
    const u = new Uint32Array(p);
    const f = new Float32Array(p);
    u[0] = o.count;
    f[1] = o.l2;
    f[2] = o.opt.type === 'momentum' ? o.opt.momentum : 0;
    f[3] = o.opt.type === 'adam' ? o.opt.beta1 : 0;
    f[4] = o.opt.type === 'adam' ? o.opt.beta2 : 0;
    f[5] = o.opt.type === 'adam' ? o.opt.epsilon : 0;
    return this.make(o.label ?? `optimizer ${o.opt.type}`, SHADERS.optimizer, 'main', { OPTIMIZER: OPTIMIZER_CODE[o.opt.type] }, p, [o.theta, o.grad, o.s1, o.s2, o.prev, o.flags], grid1d(o.count));
  }

  /** Records `dispatches` into `pass` for one batch (its uniform at `offset`). */
  encode(pass: GPUComputePassEncoder, dispatches: Dispatch[], batchGroup: GPUBindGroup, offset: number): void {
    for (const d of dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.setBindGroup(1, batchGroup, [offset]);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
  }

  /** Frees the uniforms of launches no longer needed. */
  release(dispatches: Dispatch[]): void {
    for (const d of dispatches) this.buffers.destroy(d.uniform);
  }
}
