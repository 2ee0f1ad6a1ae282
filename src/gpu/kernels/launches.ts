import { USAGE } from '../usage';
import type { BatchUniforms } from './batch-uniform';
import type { BufferManager } from '../buffers';
import { type BindingAccess, type KernelInterface, packParams } from './kernel-interface';
import { type PipelineRef, PipelineCache, bindGroupEntries } from './pipelines';
import { type MatmulShape, type MatmulVariantId, traitsOf } from './matmul-variants';
import { type VariantChoice, LaunchBuilder } from './launch-builder';
import type { LaunchRequest } from './launch-request';

/** One built kernel launch: replayed for every batch with that batch's uniform offset. */
export interface Dispatch {
  label: string;
  /** `kernel:entry`, e.g. `matmul:blocked`. */
  kernel: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
  /** The launch's own small uniform (sizes), when its entry point has one; freed with {@link Launches.release}. */
  uniform: GPUBuffer | null;
  /** For a matmul, the variant it runs (see MATMUL_VARIANTS) and its shape. */
  matmul?: { variant: MatmulVariantId; shape: MatmulShape };
}

/**
 * Builds kernel launches (pipeline + bind group + grid) over named buffers and encodes them.
 * Everything here is created once when a training or evaluation program is set up, never inside
 * the batch loop.
 *
 * @example
 * const k = new Launches(device, buffers);
 * const d = k.matmul({ a, b, c, M: 9, N: 9, K: 9 });
 * k.encode(pass, [d], batchUniforms, 0);
 */
export class Launches extends LaunchBuilder<Dispatch> {
  readonly cache: PipelineCache;
  private readonly placeholders = new Map<string, GPUBuffer>();
  /** While {@link Launches.deferred} runs: the pipelines being compiled asynchronously. */
  private compiling: PipelineRef[] | null = null;

  constructor(readonly device: GPUDevice, private readonly buffers: BufferManager, choice: VariantChoice = {}) {
    super(traitsOf(device), choice);
    this.cache = PipelineCache.for(device);
  }

  /**
   * Runs `build` (which creates launches) with every pipeline it needs compiled in parallel
   * (`createComputePipelineAsync`) while it goes on, and resolves when all of them are ready.
   *
   * @example
   * const run = await launches.deferred(() => TrainingRun.create(ctx, state, { x, y, batchSize: 64 }));
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

  protected make(r: LaunchRequest): Dispatch {
    const pipeline = this.pipelineOf(r.kernel, r.entry, r.constants);
    const uniform = r.params ? this.buffers.uniform(`${r.label} params`, packParams(r.kernel, r.params)) : null;
    const entries = bindGroupEntries(r.kernel, r.entry, uniform ? { params: uniform, ...r.buffers } : r.buffers, this.placeholder);
    const bindGroup = this.device.createBindGroup({ label: r.label, layout: this.cache.layout(r.kernel, r.entry), entries });
    const d: Dispatch = { label: r.label, kernel: `${r.kernel.name}:${r.entry}`, get pipeline() { return pipeline(); }, bindGroup, workgroups: r.workgroups, uniform };
    if (r.matmul) d.matmul = { variant: r.matmul.variant, shape: r.matmul.shape };
    return d;
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
