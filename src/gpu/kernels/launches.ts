import { USAGE } from '../usage';
import type { Activation, LossName } from '../../core/types';
import type { ResolvedOptimizer } from '../../core/config';
import type { BatchUniforms } from './batch-uniform';
import type { BufferManager } from '../buffers';
import type { DeviceMatrix } from './device-matrix';
import { describeInfo } from '../device';
import { type BindingAccess, type KernelInterface, packParams } from './kernel-interface';
import { type PipelineRef, PipelineCache, bindGroupEntries } from './pipelines';
import {
  type BatchRows, type Epilogue, FEATURE_KERNELS, KERNELS, SHARDS_PER_GATHER, MAX_STATS_THREADS,
  activationCode, batchRowsCode, elementCode, epilogueCode, lossCode, optimizerCode,
} from './registry';
import {
  type DeviceTraits, type MatmulModes, type MatmulShape, type MatmulVariantId, defaultVariant, deviceTraits, matmulParams, pipelineConstants, planVariant, whyNot,
} from '../tune/variants';
import { tunedVariant } from '../tune/autotune';

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

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
  /** For a matmul, the variant it runs (see {@link MATMUL_VARIANTS}) and its shape. */
  matmul?: { variant: MatmulVariantId; shape: MatmulShape };
}

/** What a recording {@link Launches} notes of each launch it is asked for, instead of building it. */
export interface LaunchSpec {
  label: string;
  kernel: KernelInterface;
  entry: string;
  constants: Record<string, number | boolean>;
  /** For a matmul: its shape and the operand modes (TRANS_A, TRANS_B, EPILOGUE, ACTIVATION, HAS_BIAS). */
  matmul?: { shape: MatmulShape; modes: MatmulModes };
}

/** Options of {@link Launches}. */
export interface LaunchesOptions {
  /** Run every matmul with this variant where it applies (tests and benchmarks); else the tuned or default one. */
  matmulVariant?: MatmulVariantId;
  /** Record the launches asked for into this array and build nothing (no GPU objects). */
  record?: LaunchSpec[];
}

/** The device's traits for variant choice: its features, and whether its adapter is a software one. */
export function traitsOf(device: GPUDevice): DeviceTraits {
  return deviceTraits(device, describeInfo((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo).software);
}

/** Splits `items` over workgroups of `size` threads, using a second dimension past 65 535. */
export function grid1d(items: number, size: number): [number, number] {
  const groups = Math.max(1, Math.ceil(items / size));
  return groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)];
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
  /** What the device offers the matmul variants. */
  readonly traits: DeviceTraits;
  private readonly placeholders = new Map<string, GPUBuffer>();
  /** While {@link Launches.deferred} runs: the pipelines being compiled asynchronously. */
  private compiling: PipelineRef[] | null = null;

  constructor(readonly device: GPUDevice, private readonly buffers: BufferManager, private readonly options: LaunchesOptions = {}) {
    this.cache = PipelineCache.for(device);
    this.traits = traitsOf(device);
  }

  /**
   * Runs `build` (which creates launches) with every pipeline it needs compiled asynchronously
   * and in parallel (`createComputePipelineAsync`) while it goes on (uploads, bind groups), and
   * resolves when all of them are ready.
   *
   * @example
   * const run = await launches.deferred(() => TrainingRun.create(ctx, state, x, y, 64));
   */
  async deferred<T>(build: () => T): Promise<T> {
    const outer = this.compiling;
    const mine: PipelineRef[] = [];
    this.compiling = mine;
    let out: T;
    try {
      out = build();
    } finally {
      this.compiling = outer;
    }
    await Promise.all(mine.map((r) => r.ready));
    return out;
  }

  /** The matmul variant for `shape`: the one forced by the options where it applies, else the tuned one, else the default. */
  variantFor(shape: MatmulShape): MatmulVariantId {
    const forced = this.options.matmulVariant;
    if (forced && whyNot(forced, shape, this.traits) === null) return forced;
    const tuned = tunedVariant(this.device, shape);
    return tuned && whyNot(tuned, shape, this.traits) === null ? tuned : defaultVariant(shape, this.traits);
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
    params: Record<string, number> | null, buffers: Record<string, GPUBuffer | null>, workgroups: [number, number], recorded = false,
  ): Dispatch {
    if (this.options.record) {
      if (!recorded) this.options.record.push({ label, kernel, entry, constants });
      return { label, kernel: `${kernel.name}:${entry}`, pipeline: null as unknown as GPUComputePipeline, bindGroup: null as unknown as GPUBindGroup, workgroups, uniform: null };
    }
    const pipeline = this.pipelineOf(kernel, entry, constants);
    const uniform = params ? this.buffers.uniform(`${label} params`, packParams(kernel, params)) : null;
    const entries = bindGroupEntries(kernel, entry, uniform ? { params: uniform, ...buffers } : buffers, this.placeholder);
    const bindGroup = this.device.createBindGroup({ label, layout: this.cache.layout(kernel, entry), entries });
    return { label, kernel: `${kernel.name}:${entry}`, get pipeline() { return pipeline(); }, bindGroup, workgroups, uniform };
  }

  /** The pipeline, compiled asynchronously inside {@link Launches.deferred}, else at once. */
  private pipelineOf(kernel: KernelInterface, entry: string, constants: Record<string, number | boolean>): () => GPUComputePipeline {
    if (!this.compiling) {
      const p = this.cache.get(kernel, entry, constants);
      return () => p;
    }
    const ref = this.cache.ref(kernel, entry, constants);
    if (!ref.pipeline) this.compiling.push(ref);
    // still compiling when first encoded (the caller did not wait): built synchronously then
    return () => ref.pipeline ?? this.cache.get(kernel, entry, constants);
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
    const modes: MatmulModes = {
      TRANS_A: !!o.transA, TRANS_B: !!o.transB, EPILOGUE: epilogueCode(o.epilogue ?? 'none'),
      ACTIVATION: activationCode(o.activation === 'softmax' ? 'linear' : o.activation ?? 'linear'), HAS_BIAS: !!o.bias,
    };
    const shape: MatmulShape = { M: o.M, N: o.N, K: o.K, form: o.transA ? 'ATB' : o.transB ? 'ABT' : 'AB' };
    const variant = this.variantFor(shape);
    const plan = planVariant(variant, shape);
    const label = o.label ?? `matmul ${o.M}x${o.N}x${o.K}`;
    const constants = pipelineConstants(plan, modes);
    if (this.options.record) {
      this.options.record.push({ label, kernel: plan.kernel, entry: plan.entry, constants, matmul: { shape, modes } });
    }
    const d = this.make(
      label, plan.kernel, plan.entry, constants,
      matmulParams(o, batchRowsCode(o.batchRows ?? 'none'), modes),
      { a: o.a, b: o.b, c: o.c, bias: o.bias ?? null, aux: o.aux ?? null }, plan.workgroups, !!this.options.record,
    );
    d.matmul = { variant, shape };
    return d;
  }

  /**
   * dst[r, :] = X[order[start + r], :] for the batch's rows, X a {@link DeviceMatrix} (float32,
   * float16 or bytes, split by rows into shards): one launch per {@link SHARDS_PER_GATHER} shards.
   */
  gather(o: { order: GPUBuffer; src: DeviceMatrix; dst: GPUBuffer; cols: number; rows: number; label?: string }): Dispatch[] {
    const { src } = o;
    if (src.buffers.length < 1) throw new RangeError(`gather needs at least one source shard, got ${src.buffers.length}`);
    const k = KERNELS.gather;
    const out: Dispatch[] = [];
    for (let first = 0; first < src.buffers.length; first += SHARDS_PER_GATHER) {
      const srcs: Record<string, GPUBuffer | null> = {};
      for (let i = 0; i < SHARDS_PER_GATHER; i++) srcs[`src${i}`] = src.buffers[first + i] ?? null;
      const label = `${o.label ?? 'gather'}${src.buffers.length > SHARDS_PER_GATHER ? ` shards ${first}..${Math.min(src.buffers.length, first + SHARDS_PER_GATHER) - 1}` : ''}`;
      const params = { cols: o.cols, shardRows: src.shardRows, rowStride: src.rowStride, firstShard: first, scale: src.scale, offset: src.offset };
      out.push(this.make(label, k, 'main', { ELEMENT: elementCode(src.element) }, params, { order: o.order, dst: o.dst, ...srcs }, grid1d(o.rows * o.cols, k.entries.main.workgroupSize[0])));
    }
    return out;
  }

  /** Row-wise softmax in place. */
  softmax(o: { z: GPUBuffer; cols: number; rows: number }): Dispatch {
    const k = KERNELS.softmax;
    return this.make('softmax', k, 'main', {}, { cols: o.cols }, { z: o.z }, grid1d(o.rows, k.entries.main.workgroupSize[0]));
  }

  /**
   * Output delta (when `writeDelta`) and per-row [loss, correct]; with `sampleWeights`, each row's
   * loss and delta times its weight; with `rowMetrics`, per-row [Σ|y − a|, Σ(y − a)²].
   */
  loss(o: {
    a: GPUBuffer; y: GPUBuffer; delta: GPUBuffer | null; rowStats: GPUBuffer; cols: number; rows: number; loss: LossName; activation: Activation; writeDelta: boolean;
    sampleWeights?: GPUBuffer | null; rowMetrics?: GPUBuffer | null;
  }): Dispatch {
    const k = KERNELS.loss;
    const constants = { LOSS: lossCode(o.loss), ACTIVATION: activationCode(o.activation), WRITE_DELTA: o.writeDelta, WEIGHTED: !!o.sampleWeights, METRICS: !!o.rowMetrics };
    const buffers = { a: o.a, y: o.y, delta: o.delta, rowStats: o.rowStats, sampleWeights: o.sampleWeights ?? null, rowMetrics: o.rowMetrics ?? null };
    return this.make(`loss ${o.loss}`, k, 'main', constants, { cols: o.cols }, buffers, grid1d(o.rows, k.entries.main.workgroupSize[0]));
  }

  /**
   * Inverted dropout of layer `layer` over the batch's rows × `cols` units (dropout.wgsl):
   * `forward` writes dst = src·mask/(1 − p), `backward` scales dst (a delta) in place.
   */
  dropout(o: { direction: 'forward' | 'backward'; src?: GPUBuffer; dst: GPUBuffer; cols: number; rows: number; layer: number; threshold: number; scale: number }): Dispatch {
    const k = FEATURE_KERNELS.dropout;
    const buffers: Record<string, GPUBuffer | null> = o.direction === 'forward' ? { src: o.src ?? null, dst: o.dst } : { dst: o.dst };
    const params = { cols: o.cols, layer: o.layer, threshold: o.threshold, scale: o.scale };
    return this.make(`dropout ${o.direction} ${o.layer}`, k, o.direction, {}, params, buffers, grid1d(o.rows * o.cols, k.entries[o.direction].workgroupSize[0]));
  }

  /** norms[slot] = Σ ((grad + l2·θ) / rows)² over `count` parameters (clip.wgsl), one workgroup. */
  sumSquares(o: { theta: GPUBuffer; grad: GPUBuffer; norms: GPUBuffer; count: number; l2: number; slot: number; label?: string }): Dispatch {
    const params = { count: o.count, l2: o.l2, slot: o.slot };
    return this.make(o.label ?? `sum of squares ${o.slot}`, FEATURE_KERNELS.clip, 'sum_squares', {}, params, { theta: o.theta, grad: o.grad, norms: o.norms }, [1, 1]);
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
  optimizer(o: {
    theta: GPUBuffer; grad: GPUBuffer; s1: GPUBuffer | null; s2: GPUBuffer | null; prev: GPUBuffer; flags: GPUBuffer; count: number; l2: number; opt: ResolvedOptimizer; label?: string;
    /** A bias buffer (AdamW decays biases only with `decayBiases`). */
    bias?: boolean;
    /** Gradient clipping: by the global norm (the `norms` slots clip.wgsl fills) and/or by value. */
    clip?: { norm: number | null; value: number | null; norms: GPUBuffer | null; slots: number };
  }): Dispatch {
    const k = KERNELS.optimizer;
    const opt = o.opt;
    const adam = opt.type === 'adam' || opt.type === 'adamw';
    const params = {
      count: o.count, l2: o.l2,
      momentum: opt.type === 'momentum' || opt.type === 'rmsprop' ? opt.momentum : 0,
      beta1: adam ? opt.beta1 : 0,
      beta2: adam ? opt.beta2 : opt.type === 'rmsprop' ? opt.rho : 0, // rmsprop's ρ plays β₂'s role
      epsilon: adam || opt.type === 'rmsprop' ? opt.epsilon : 0,
    };
    // settings fixed for a whole fit are pipeline constants (the defaults leave them off)
    const constants: Record<string, number | boolean> = { OPTIMIZER: optimizerCode(opt.type) };
    if (opt.type === 'momentum' && opt.nesterov) constants.NESTEROV = true;
    if (opt.type === 'adamw' && (!o.bias || opt.decayBiases) && opt.weightDecay > 0) constants.WEIGHT_DECAY = opt.weightDecay;
    if (o.clip?.norm) Object.assign(constants, { CLIP_NORM: o.clip.norm, NORM_SLOTS: o.clip.slots });
    if (o.clip?.value) constants.CLIP_VALUE = o.clip.value;
    return this.make(
      o.label ?? `optimizer ${opt.type}`, k, 'main', constants, params,
      { theta: o.theta, grad: o.grad, s1: o.s1, s2: o.s2, prev: o.prev, flags: o.flags, norms: o.clip?.norms ?? null }, grid1d(o.count, k.entries.main.workgroupSize[0]),
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
