import { USAGE } from '../usage';
import type { ResolvedOptimizer } from '../../core/config';
import type { BufferManager } from '../buffers';
import { packStruct } from './kernel-interface';
import type { PipelineCache } from './pipelines';
import { BATCH_LAYOUT } from './registry';
import { batchDropKey } from '../../core/dropout-mask';

/** The fields of struct Batch (batch.wgsl): one batch's place in the epoch and its step. */
export interface BatchValues {
  /** First position of the batch in the sample order. */
  start: number;
  /** Rows in the batch. */
  rows: number;
  /** 1-based optimizer step. */
  step: number;
  /** Where the batch's stats are stored. */
  index: number;
  /** Learning rate. */
  lr: number;
  /** 1 − β₁ᵗ (Adam), else 1. */
  c1: number;
  /** 1 − β₂ᵗ (Adam), else 1. */
  c2: number;
  /** The step's dropout key (src/core/dropout-mask.ts); 0 (the default) when nothing is dropped. */
  dropKey?: number;
}

/** Where one pass over the data starts and what its steps use. */
export interface PassOptions {
  learningRate?: number;
  /** Per-batch learning rates (a schedule), overriding `learningRate`. */
  learningRates?: ArrayLike<number>;
  /** The epoch's dropout key: batch b gets `batchDropKey(dropKey, firstBatch + b)`. */
  dropKey?: number;
  /** The epoch's batch index of the pass's first batch (a stream's block), default 0. */
  firstBatch?: number;
  optimizer?: ResolvedOptimizer | null;
  /** Optimizer steps taken before this pass. */
  stepsBefore?: number;
  /** Position of the pass's first row in the order buffer. */
  orderOffset?: number;
  /** Stats index of the pass's first batch. */
  indexOffset?: number;
}

/**
 * The batches of one pass over `n` rows in batches of `batchSize` (the last one short).
 *
 * @example
 * passBatches(10, 4).map((b) => b.rows); // [4, 4, 2]
 */
export function passBatches(n: number, batchSize: number, o: PassOptions = {}): BatchValues[] {
  const opt = o.optimizer ?? null;
  return Array.from({ length: Math.ceil(n / batchSize) }, (_, b) => {
    const t = (o.stepsBefore ?? 0) + b + 1;
    const adam = opt?.type === 'adam' || opt?.type === 'adamw';
    return {
      start: (o.orderOffset ?? 0) + b * batchSize,
      rows: Math.min(batchSize, n - b * batchSize),
      step: t,
      index: (o.indexOffset ?? 0) + b,
      lr: o.learningRates?.[b] ?? o.learningRate ?? 0,
      c1: adam ? 1 - opt.beta1 ** t : 1,
      c2: adam ? 1 - opt.beta2 ** t : 1,
      dropKey: o.dropKey === undefined ? 0 : batchDropKey(o.dropKey, (o.firstBatch ?? 0) + b),
    };
  });
}

/**
 * A uniform buffer of per-batch entries and the group-1 bind group that selects one by dynamic
 * offset. Entries are written before a submission, never inside the batch loop.
 *
 * @example
 * const u = new BatchUniforms(device, buffers, cache, 3, 'epoch');
 * u.write(passBatches(10, 4, { learningRate: 0.1 }));
 * pass.setBindGroup(1, u.bindGroup, [u.offset(2)]);
 */
export class BatchUniforms {
  /** Bytes between entries: struct Batch rounded up to the device's dynamic-offset alignment. */
  readonly stride: number;
  readonly buffer: GPUBuffer;
  readonly bindGroup: GPUBindGroup;

  constructor(device: GPUDevice, private readonly buffers: BufferManager, cache: PipelineCache, readonly capacity: number, label: string) {
    const align = device.limits.minUniformBufferOffsetAlignment;
    this.stride = Math.ceil(BATCH_LAYOUT.size / align) * align;
    this.buffer = buffers.create(`${label} batch uniforms`, capacity * this.stride, USAGE.UNIFORM | USAGE.COPY_DST);
    this.bindGroup = device.createBindGroup({
      label: `${label} batch uniforms`,
      layout: cache.batchLayout,
      entries: [{ binding: 0, resource: { buffer: this.buffer, offset: 0, size: BATCH_LAYOUT.size } }],
    });
  }

  /** The dynamic offset of entry `slot`. */
  offset(slot: number): number {
    return slot * this.stride;
  }

  /** Packs `entries` into slots `first`… and writes them in one queue write. */
  write(entries: BatchValues[], first = 0): void {
    if (first + entries.length > this.capacity) throw new RangeError(`${entries.length} batch entries from slot ${first} exceed the ${this.capacity} slots`);
    const view = new DataView(new ArrayBuffer(entries.length * this.stride));
    entries.forEach((e, i) => packStruct(BATCH_LAYOUT, { ...e, dropKey: e.dropKey ?? 0 }, view, i * this.stride, 'struct Batch'));
    this.buffers.device.queue.writeBuffer(this.buffer, first * this.stride, view.buffer);
  }

  destroy(): void {
    this.buffers.destroy(this.buffer);
  }
}
