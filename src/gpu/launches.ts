import { USAGE } from './usage';
import type { Activation, LossName } from '../types';
import type { ResolvedOptimizer } from '../config';
import type { BatchUniforms } from './batch-uniform';
import type { BufferManager } from './buffers';
import { describeInfo } from './device';
import { type BindingAccess, type KernelInterface, packStruct } from './kernel-interface';
import { PipelineCache, entryOf } from './pipelines';
import {
  type BatchRows, type Epilogue, KERNELS, MATMUL_SIZES, MAX_SHARDS, MAX_STATS_THREADS,
  activationCode, batchRowsCode, epilogueCode, lossCode, optimizerCode,
} from './registry';

/** One recorded kernel launch: replayed for every batch with that batch's uniform offset. */
export interface Dispatch {
  label: string;
  /** `kernel:entry`, e.g. `matmul:blocked`. */
  kernel: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
  /** The launch's own small uniform (sizes), when its entry point has one; freed with {@link Launches.release}. */
  uniform: GPUBuffer | null;
}

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

/** Most threads of a blocked-matmul workgroup. */
const BLOCKED_MAX_THREADS = 64;

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Splits `items` over workgroups of `size` threads, using a second dimension past 65 535. */
export function grid1d(items: number, size: number): [number, number] {
  const groups = Math.max(1, Math.ceil(items / size));
  return groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)];
}

/**
 * The group-0 entries of a bind group for `entry` of `kernel`, from buffers given by binding
 * name. Every binding the entry uses must be named (null: unused, a placeholder is bound) and no
 * other name may be given: a host that disagrees with the WGSL fails here, naming the binding.
 *
 * @example
 * bindGroupEntries(KERNELS.softmax, 'main', { params: u, z: logits }, placeholder);
 */
export function bindGroupEntries(
  kernel: KernelInterface, entry: string, buffers: Record<string, GPUBuffer | null>,
  placeholder: (access: BindingAccess, nth: number) => GPUBuffer,
): GPUBindGroupEntry[] {
  const bindings = entryOf(kernel, entry).bindings;
  const extra = Object.keys(buffers).filter((name) => !bindings.some((b) => b.name === name));
  if (extra.length) throw new Error(`${kernel.name}.wgsl ${entry}() binds no ${extra.join(', ')} (it binds ${bindings.map((b) => b.name).join(', ')})`);
  let unused = 0;
  return bindings.map((b) => {
    if (!(b.name in buffers)) throw new Error(`${kernel.name}.wgsl ${entry}() binds '${b.name}' (binding ${b.binding}, ${b.access}) but no buffer was given for it`);
    const buffer = buffers[b.name] ?? placeholder(b.access, unused++);
    return { binding: b.binding, resource: { buffer } };
  });
}

/**
 * Builds kernel launches (pipeline + bind group + grid) over named buffers. Everything here is
 * created once when a training or evaluation program is set up, never inside the batch loop.
 *
 * @example
 * const k = new Launches(device, buffers);
 * const d = k.matmul({ a, b, c, M: 9, N: 9, K: 9 });
 * k.encode(pass, [d], batchUniforms, 0);
 */
export class Launches {
  readonly cache: PipelineCache;
  /** The matmul entry point in use (see {@link MatmulStyle}). */
  readonly matmulStyle: MatmulStyle;
  private readonly placeholders = new Map<string, GPUBuffer>();

  constructor(readonly device: GPUDevice, private readonly buffers: BufferManager, options: { matmulStyle?: MatmulStyle } = {}) {
    this.cache = PipelineCache.for(device);
    this.matmulStyle = options.matmulStyle ?? matmulStyleFor(device);
  }

  /** A small buffer bound where an entry point's binding is unused (distinct per writable slot). */
  private placeholder = (access: BindingAccess, nth: number): GPUBuffer => {
    const key = access === 'read_write' ? `write ${nth}` : access;
    let b = this.placeholders.get(key);
    if (!b) {
      b = this.buffers.create(`unused ${key} binding`, 16, access === 'uniform' ? USAGE.UNIFORM : USAGE.STORAGE);
      this.placeholders.set(key, b);
    }
    return b;
  };

  private make(
    label: string, kernel: KernelInterface, entry: string, constants: Record<string, number | boolean>,
    params: Record<string, number> | null, buffers: Record<string, GPUBuffer | null>, workgroups: [number, number],
  ): Dispatch {
    const pipeline = this.cache.get(kernel, entry, constants);
    let uniform: GPUBuffer | null = null;
    const layout = kernel.uniforms.params;
    if (params) {
      if (!layout) throw new Error(`${kernel.name}.wgsl declares no params uniform`);
      const words = new ArrayBuffer(Math.max(16, layout.size));
      packStruct(layout, params, new DataView(words), 0, `${kernel.name}.wgsl struct Params`);
      uniform = this.buffers.uniform(`${label} params`, words);
    }
    const entries = bindGroupEntries(kernel, entry, uniform ? { params: uniform, ...buffers } : buffers, this.placeholder);
    const bindGroup = this.device.createBindGroup({ label, layout: this.cache.layout(kernel, entry), entries });
    return { label, kernel: `${kernel.name}:${entry}`, pipeline, bindGroup, workgroups, uniform };
  }

  /**
   * C = op(A)·op(B) with an optional epilogue (see matmul.wgsl). `batchRows` says which size is
   * the batch's row count at run time (`'m'` or `'k'`); M, N, K are then the maxima used for the grid.
   */
  matmul(o: {
    a: GPUBuffer; b: GPUBuffer; c: GPUBuffer; M: number; N: number; K: number;
    batchRows?: BatchRows; transA?: boolean; transB?: boolean; epilogue?: Epilogue;
    activation?: Activation; bias?: GPUBuffer | null; aux?: GPUBuffer | null; label?: string;
  }): Dispatch {
    const constants: Record<string, number | boolean> = {
      TRANS_A: !!o.transA, TRANS_B: !!o.transB, EPILOGUE: epilogueCode(o.epilogue ?? 'none'),
      ACTIVATION: activationCode(o.activation === 'softmax' ? 'linear' : o.activation ?? 'linear'), HAS_BIAS: !!o.bias,
    };
    let entry = 'main';
    const tile = MATMUL_SIZES.tile;
    let workgroups: [number, number] = [Math.ceil(o.N / tile), Math.ceil(o.M / tile)];
    if (this.matmulStyle === 'blocked') {
      // up to BLOCKED_MAX_THREADS threads, no wider or taller than the blocks of C there are
      const block = MATMUL_SIZES.block;
      const wx = Math.min(Math.sqrt(BLOCKED_MAX_THREADS), pow2AtLeast(Math.ceil(o.N / block)));
      const wy = Math.min(BLOCKED_MAX_THREADS / wx, pow2AtLeast(Math.ceil(o.M / block)));
      entry = 'blocked';
      constants.WG_X = wx;
      constants.WG_Y = wy;
      workgroups = [Math.ceil(o.N / (block * wx)), Math.ceil(o.M / (block * wy))];
    }
    return this.make(
      o.label ?? `matmul ${o.M}x${o.N}x${o.K}`, KERNELS.matmul, entry, constants,
      { M: o.M, N: o.N, K: o.K, batchRows: batchRowsCode(o.batchRows ?? 'none') },
      { a: o.a, b: o.b, c: o.c, bias: o.bias ?? null, aux: o.aux ?? null }, workgroups,
    );
  }

  /**
   * dst[r, :] = X[order[start + r], :] for the batch's rows, X split by rows over `srcs`
   * (at most {@link MAX_SHARDS} buffers of `shardRows` rows each).
   */
  gather(o: { order: GPUBuffer; srcs: GPUBuffer[]; shardRows: number; dst: GPUBuffer; cols: number; rows: number; label?: string }): Dispatch {
    if (o.srcs.length < 1 || o.srcs.length > MAX_SHARDS) throw new RangeError(`gather takes 1 to ${MAX_SHARDS} source shards, got ${o.srcs.length}`);
    const srcs: Record<string, GPUBuffer | null> = {};
    for (let i = 0; i < MAX_SHARDS; i++) srcs[`src${i}`] = o.srcs[i] ?? null;
    const k = KERNELS.gather;
    return this.make(o.label ?? 'gather', k, 'main', {}, { cols: o.cols, shardRows: o.shardRows }, { order: o.order, dst: o.dst, ...srcs }, grid1d(o.rows * o.cols, k.entries.main.workgroupSize[0]));
  }

  /** Row-wise softmax in place. */
  softmax(o: { z: GPUBuffer; cols: number; rows: number }): Dispatch {
    const k = KERNELS.softmax;
    return this.make('softmax', k, 'main', {}, { cols: o.cols }, { z: o.z }, grid1d(o.rows, k.entries.main.workgroupSize[0]));
  }

  /** Output delta (when `writeDelta`) and per-row [loss, correct]. */
  loss(o: { a: GPUBuffer; y: GPUBuffer; delta: GPUBuffer | null; rowStats: GPUBuffer; cols: number; rows: number; loss: LossName; activation: Activation; writeDelta: boolean }): Dispatch {
    const k = KERNELS.loss;
    const constants = { LOSS: lossCode(o.loss), ACTIVATION: activationCode(o.activation), WRITE_DELTA: o.writeDelta };
    return this.make(`loss ${o.loss}`, k, 'main', constants, { cols: o.cols }, { a: o.a, y: o.y, delta: o.delta, rowStats: o.rowStats }, grid1d(o.rows, k.entries.main.workgroupSize[0]));
  }

  /** dst[j] = Σ_r src[r, j] over the batch's rows (bias gradient). */
  columnSums(o: { src: GPUBuffer; dst: GPUBuffer; cols: number }): Dispatch {
    const k = KERNELS.reduce;
    return this.make('column sums', k, 'column_sums', {}, { cols: o.cols }, { src: o.src, dst: o.dst }, grid1d(o.cols, k.entries.column_sums.workgroupSize[0]));
  }

  /**
   * stats[batch.index] = Σ_r rowStats[r] (loss, correct); sets flags[0] when the loss is not finite.
   * One workgroup of up to {@link MAX_STATS_THREADS} threads, no more than the batch's rows
   * (`rows`, by default what `rowStats` holds: one [loss, correct] pair per row).
   */
  batchStats(o: { rowStats: GPUBuffer; stats: GPUBuffer; flags: GPUBuffer | null; rows?: number }): Dispatch {
    const rows = o.rows ?? Math.floor(o.rowStats.size / 8);
    const threads = Math.min(MAX_STATS_THREADS, pow2AtLeast(rows));
    return this.make('batch stats', KERNELS.reduce, 'batch_stats', { STATS_THREADS: threads }, null, { src: o.rowStats, dst: o.stats, flags: o.flags }, [1, 1]);
  }

  /**
   * One optimizer step over `count` parameters. The state before the step is saved into `prev`
   * ([θ | s1 | s2]); nothing runs while `flags[0]` is set.
   */
  optimizer(o: { theta: GPUBuffer; grad: GPUBuffer; s1: GPUBuffer | null; s2: GPUBuffer | null; prev: GPUBuffer; flags: GPUBuffer; count: number; l2: number; opt: ResolvedOptimizer; label?: string }): Dispatch {
    const k = KERNELS.optimizer;
    const params = {
      count: o.count, l2: o.l2,
      momentum: o.opt.type === 'momentum' ? o.opt.momentum : 0,
      beta1: o.opt.type === 'adam' ? o.opt.beta1 : 0,
      beta2: o.opt.type === 'adam' ? o.opt.beta2 : 0,
      epsilon: o.opt.type === 'adam' ? o.opt.epsilon : 0,
    };
    return this.make(
      o.label ?? `optimizer ${o.opt.type}`, k, 'main', { OPTIMIZER: optimizerCode(o.opt.type) }, params,
      { theta: o.theta, grad: o.grad, s1: o.s1, s2: o.s2, prev: o.prev, flags: o.flags }, grid1d(o.count, k.entries.main.workgroupSize[0]),
    );
  }

  /** Records `dispatches` into `pass` for one batch (its uniform entry `slot`). */
  encode(pass: GPUComputePassEncoder, dispatches: Dispatch[], batch: BatchUniforms, slot: number): void {
    for (const d of dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.setBindGroup(1, batch.bindGroup, [batch.offset(slot)]);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
  }

  /** Frees the uniforms of launches no longer needed. */
  release(dispatches: Dispatch[]): void {
    for (const d of dispatches) this.buffers.destroy(d.uniform);
  }
}
